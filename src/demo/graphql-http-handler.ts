import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';

/** Options of {@link createGraphQLHttpHandler}. */
export interface GraphQLHttpHandlerOptions<TContext extends BaseContext> {
  readonly apollo: ApolloServer<TContext>;
  /** Builds the GraphQL context of a request. */
  readonly context: (request: IncomingMessage) => Promise<TContext>;
  /** The largest request body accepted, in bytes; larger gets HTTP 413. */
  readonly maxBodyBytes: number;
  /**
   * When the request's body must have fully arrived (`Date.now()` milliseconds); a body still
   * arriving then gets HTTP 408 and the connection is closed. @default no deadline
   */
  readonly bodyDeadline?: (request: IncomingMessage) => number;
  /** Told of a body that missed its deadline, and awaited before the 408 is sent. */
  readonly onBodyTimeout?: (request: IncomingMessage) => Promise<void>;
}

/** Answers one HTTP request with JSON. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function requestError(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

/**
 * Apollo Server on plain `node:http`, through Apollo's documented integration entry point
 * (`executeHTTPGraphQLRequest`): reads the body with a size limit, parses JSON, and streams
 * Apollo's answer back. Apollo keeps CSRF prevention, GET handling and status codes.
 */
export function createGraphQLHttpHandler<TContext extends BaseContext>(
  options: GraphQLHttpHandlerOptions<TContext>,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { apollo, context, maxBodyBytes } = options;
  return async (request, response) => {
    const body = await readBody(request, maxBodyBytes, options.bodyDeadline?.(request));
    if (body === aborted) return;
    if (body === tooLarge) {
      response.setHeader('connection', 'close');
      requestError(response, 413, `The request body is larger than ${maxBodyBytes} bytes.`);
      return;
    }
    if (body === tooSlow) {
      await options.onBodyTimeout?.(request);
      // Whatever else is still trickling in is not read: the connection closes after the answer.
      response.setHeader('connection', 'close');
      response.once('finish', () => request.socket.destroy());
      requestError(response, 408, 'The request body did not arrive in time.');
      return;
    }
    let parsedBody: unknown = undefined;
    if (body.length > 0) {
      const type = (request.headers['content-type'] ?? '').toLowerCase();
      if (type.startsWith('application/json') || type.startsWith('application/graphql-response+json')) {
        try {
          parsedBody = JSON.parse(body.toString('utf8'));
        } catch {
          requestError(response, 400, 'The request body is not valid JSON.');
          return;
        }
      } else {
        parsedBody = body.toString('utf8');
      }
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const result: HTTPGraphQLResponse = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: (request.method ?? 'GET').toUpperCase(),
        headers,
        search: documentIdInSearch(query === -1 ? '' : url.slice(query)),
        body: documentIdInBody(parsedBody),
      },
      context: () => context(request),
    });
    for (const [name, value] of result.headers) response.setHeader(name, value);
    response.setHeader('cache-control', 'no-store');
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };
}

const tooLarge = Symbol('too large');
const tooSlow = Symbol('too slow');
const aborted = Symbol('aborted');

/**
 * The whole body; `tooLarge` past `limit` bytes; `tooSlow` when it has not fully arrived by
 * `deadline`; `aborted` when the client went away first (nothing left to answer).
 */
function readBody(
  request: IncomingMessage,
  limit: number,
  deadline: number | undefined,
): Promise<Buffer | typeof tooLarge | typeof tooSlow | typeof aborted> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = deadline === undefined ? undefined : setTimeout(() => settle(tooSlow), Math.max(0, deadline - Date.now()));
    const settle = (outcome: Buffer | typeof tooLarge | typeof tooSlow | typeof aborted) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      chunks.length = 0;
      resolve(outcome);
    };
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        request.resume();
        settle(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => settle(Buffer.concat(chunks)));
    request.on('close', () => settle(aborted));
    request.on('error', (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * GraphQL over HTTP's `documentId` as Apollo Server reads a document id: Apollo keeps only `query`,
 * `variables`, `operationName` and `extensions`, so the id moves to `extensions.persistedQuery`
 * (which the trusted documents read, and which the demo's Apollo never treats as its own persisted
 * queries). A request that names an id both ways keeps both, for the trusted documents to refuse.
 */
function documentIdInBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('documentId' in body)) return body;
  const { documentId, extensions, ...rest } = body as Record<string, unknown>;
  const given = extensions !== null && typeof extensions === 'object' ? (extensions as Record<string, unknown>) : {};
  if ('persistedQuery' in given) {
    // Two ids: the same one is one id; two different ones name no document.
    const sent = (given['persistedQuery'] as { sha256Hash?: unknown } | null)?.sha256Hash;
    return sent === documentIdHash(documentId)
      ? { ...rest, extensions: given }
      : { ...rest, extensions: { ...given, persistedQuery: { version: 1, sha256Hash: 'conflicting document ids' } } };
  }
  return { ...rest, extensions: { ...given, persistedQuery: { version: 1, sha256Hash: documentIdHash(documentId) } } };
}

function documentIdInSearch(search: string): string {
  const parameters = new URLSearchParams(search);
  const documentId = parameters.get('documentId');
  if (documentId === null) return search;
  parameters.delete('documentId');
  let extensions: Record<string, unknown> = {};
  try {
    const given: unknown = JSON.parse(parameters.get('extensions') ?? '{}');
    if (given !== null && typeof given === 'object' && !Array.isArray(given)) extensions = given as Record<string, unknown>;
  } catch {
    return search; // Apollo answers the malformed extensions itself
  }
  parameters.set('extensions', JSON.stringify({ ...extensions, persistedQuery: { version: 1, sha256Hash: documentIdHash(documentId) } }));
  return `?${parameters.toString()}`;
}

/** `sha256:<hex>` as the bare hash Apollo's form carries; anything else as sent (refused later). */
function documentIdHash(documentId: unknown): unknown {
  return typeof documentId === 'string' && documentId.startsWith('sha256:') ? documentId.slice(7) : documentId;
}
