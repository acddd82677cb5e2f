import type { IncomingMessage } from 'node:http';
import type { IncomingRequestFacts } from './security-context.js';

/**
 * Request facts from a Node.js `IncomingMessage` (Apollo's Node integrations, Express, Fastify's
 * `request.raw`, graphql-http's Node handler). Duplicated headers keep every value.
 */
export function fromNodeRequest(request: IncomingMessage): IncomingRequestFacts {
  return {
    headers: request.headersDistinct as Record<string, readonly string[] | undefined>,
    remoteAddress: request.socket?.remoteAddress,
    method: request.method,
    url: request.url,
    protocol: (request.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http',
  };
}

/**
 * Request facts from a Fetch API `Request` (GraphQL Yoga, graphql-http's fetch handler, edge
 * runtimes). The Fetch `Headers` object joins a repeated header into one comma-separated value, so
 * a duplicated credential arrives as one malformed value and is refused as such.
 *
 * @param remoteAddress The socket peer's address, which `Request` does not carry; Yoga on Node
 *   gives it as `serverContext.req.socket.remoteAddress`.
 */
export function fromFetchRequest(
  request: Request,
  remoteAddress: string | undefined,
): IncomingRequestFacts {
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
