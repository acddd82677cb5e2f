import type { IncomingMessage } from 'node:http';
import type { IncomingRequestFacts } from './security-context.js';

/**
 * Request facts from a Node.js `IncomingMessage` (Apollo's Node integrations, Express, Fastify's
 * `request.raw`, graphql-http's Node handler). Duplicated headers keep every value.
 */
export function fromNodeRequest(request: IncomingMessage): IncomingRequestFacts {
  const socket = socketOf(request);
  return {
    headers: request.headersDistinct,
    remoteAddress: socket?.remoteAddress,
    method: request.method,
    url: request.url,
    protocol: socket?.encrypted ? 'https' : 'http',
  };
}

/** The socket peer's address of a Node.js request; `undefined` when it has no socket (a stand-in request). */
export function nodeRemoteAddress(request: IncomingMessage): string | undefined {
  return socketOf(request)?.remoteAddress;
}

/**
 * The socket of a Node.js request. Node's types say there always is one, but a framework's
 * stand-in for a request (an injected test request, a wrapper) may carry none: then no address
 * and plain http, never a throw.
 */
function socketOf(request: IncomingMessage): { readonly remoteAddress?: string | undefined; readonly encrypted?: boolean } | undefined {
  return request.socket;
}

/**
 * Request facts from a Fetch API `Request` (GraphQL Yoga, graphql-http's fetch handler, edge
 * runtimes). The Fetch `Headers` object joins a repeated header into one comma-separated value, so
 * a duplicated credential arrives as one malformed value and is refused as such.
 *
 * @param remoteAddress The socket peer's address, which `Request` does not carry; Yoga on Node
 *   gives it as `serverContext.req.socket.remoteAddress`.
 */
export function fromFetchRequest(request: Request, remoteAddress: string | undefined): IncomingRequestFacts {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  let url = request.url;
  let protocol: 'http' | 'https' = 'http';
  try {
    const parsed = new URL(request.url);
    url = parsed.pathname + parsed.search;
    protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  } catch {
    // keep the URL as given
  }
  return { headers, remoteAddress, method: request.method, url, protocol };
}
