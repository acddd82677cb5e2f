import { randomUUID } from 'node:crypto';
import { compileProxyTrust, normaliseAddress, resolveClientIp, type ProxyTrust } from './client-ip.js';
import type { ProtectionObserver } from './protection-observer.js';
import type { ProvenCredentials } from './proven-credentials.js';
import { decodedQueryForms, parseQueryParameterNames } from './query-parameters.js';
import { isPromiseLike, RequestMemo } from './request-memo.js';

/**
 * What a host server knows about an HTTP request, in a server-neutral shape. Build it with
 * {@link fromNodeRequest} or {@link fromFetchRequest}, or by hand for other servers.
 */
export interface IncomingRequestFacts {
  /**
   * Header values by lower-case name. A header received twice must have two values, so that a
   * duplicated credential header can be refused rather than silently merged.
   */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The socket peer's address. */
  readonly remoteAddress: string | undefined;
  /** The HTTP method, upper case. */
  readonly method?: string | undefined;
  /** The request target as received: a path with its query (`/graphql?x=1`) or an absolute URL. */
  readonly url?: string | undefined;
  /** The scheme of the connection to this server. @default 'http' */
  readonly protocol?: 'http' | 'https' | undefined;
}

/** Options of {@link securityContextFactory}. */
export interface SecurityContextOptions {
  /**
   * Proxies allowed to report the client address through `X-Forwarded-For`: IP addresses, CIDR
   * ranges and the presets `loopback`, `linklocal`, `uniquelocal`. The header is walked from the
   * right and only hops appended by these proxies are believed.
   * @default [] (the socket peer is the client; `X-Forwarded-For` is ignored)
   */
  readonly trustedProxies?: readonly string[];
  /**
   * Produces the request id used in security events.
   * @default crypto.randomUUID
   */
  readonly requestId?: (request: IncomingRequestFacts) => string;
  /** Receives every protection decision and verification, for security logs and metrics. */
  readonly observer?: ProtectionObserver;
}

const noValues: readonly string[] = Object.freeze([]);
/**
 * What {@link SecurityContext.executed} answers when every callback finished synchronously: the
 * server adapters compare its answer with this one to merge the response extensions without
 * waiting for a promise (internal: not part of the package entry).
 */
export const executedSynchronously: Promise<void> = Promise.resolve();
const nothing = (): void => undefined;

/**
 * The protection layer's view of one request: headers, client address, and the memo that makes
 * every credential verified at most once per request. Hosts put it on the GraphQL context as
 * `rampart` (see {@link securityContextFactory}).
 */
export class SecurityContext {
  /** Identifies the request in security events. */
  readonly requestId: string;
  /** The client address, resolved through trusted proxies only; `'unknown'` when not known. */
  readonly clientIp: string;
  /** The HTTP method, upper case (`'POST'` when the host did not say). */
  readonly method: string;
  /** The request target as received. Never log it whole: it may carry a secret in its query. */
  readonly url: string;
  /**
   * The scheme the client used: from the last `X-Forwarded-Proto` value when the socket peer is a
   * trusted proxy, otherwise the connection's own.
   */
  readonly protocol: 'http' | 'https';
  /**
   * The host the client addressed: from the last `X-Forwarded-Host` value when the socket peer is
   * a trusted proxy, otherwise the `Host` header; `undefined` when absent or malformed.
   */
  readonly host: string | undefined;
  /**
   * The socket peer is one of the trusted proxies: the request arrived through the proxy, which
   * carries many clients' requests on its connections.
   */
  readonly viaTrustedProxy: boolean;
  /** Verifications done for this request, each at most once. */
  readonly memo = new RequestMemo();
  /** What the request's credentials were proven to be so far. */
  readonly proven: ProvenCredentials = {};
  /** Where decisions and verifications are reported, when the host set one. */
  readonly observer: ProtectionObserver | undefined;
  readonly #headers: IncomingRequestFacts['headers'];
  #queryNames: ReadonlySet<string> | undefined;
  #queryForms: readonly string[] | undefined;
  #extensions: Record<string, unknown> | undefined;
  #afterExecution: Array<(result: ExecutedResult) => void | Promise<void>> | undefined;
  #executed: Promise<void> | undefined;

  constructor(
    request: IncomingRequestFacts,
    clientIp: string,
    requestId: string,
    forwarded: { readonly protocol: 'http' | 'https'; readonly host: string | undefined; readonly viaTrustedProxy?: boolean } = {
      protocol: request.protocol ?? 'http',
      host: validHost(lastValue(request.headers['host'])),
    },
    observer?: ProtectionObserver,
  ) {
    this.observer = observer;
    this.#headers = request.headers;
    this.clientIp = clientIp;
    this.requestId = requestId;
    this.method = (request.method ?? 'POST').toUpperCase();
    this.url = request.url ?? '/';
    this.protocol = forwarded.protocol;
    this.host = forwarded.host;
    this.viaTrustedProxy = forwarded.viaTrustedProxy ?? false;
  }

  /** Every value of the header `name` (lower case), in the order received. */
  headerValues(name: string): readonly string[] {
    return headerList(this.#headers[name]);
  }

  /** The header's value when it was sent exactly once, otherwise `undefined`. */
  header(name: string): string | undefined {
    const value = this.#headers[name];
    if (typeof value === 'string') return value;
    return value !== undefined && value.length === 1 ? value[0] : undefined;
  }

  /** The `User-Agent` header, when sent once. */
  get userAgent(): string | undefined {
    return this.header('user-agent');
  }

  /**
   * Lower-cased names of the URL's query parameters, read every way a server on the path might
   * read them: split on `&` and `;`, percent-decoded (`+` as a space), trimmed, bracketed names
   * also by their parts (`auth[token]`: `auth[token]`, `auth`, `token`), and names hidden behind
   * encoded separators (`a=1%26api_key%3D…`) included. For refusing credentials sent in the URL.
   */
  get queryParameterNames(): ReadonlySet<string> {
    if (this.#queryNames === undefined) this.#queryNames = parseQueryParameterNames(this.url);
    return this.#queryNames;
  }

  /**
   * The URL's query string (after the first `?`, a `#` included) as written and as each round of
   * percent-decoding reads it: where a protection looks for its credential's value (an API key's
   * prefix, a JWT's shape) under any name. Empty without a query.
   */
  get queryForms(): readonly string[] {
    if (this.#queryForms === undefined) this.#queryForms = decodedQueryForms(this.url);
    return this.#queryForms;
  }

  /**
   * Entries a protection adds to the response's `extensions` (the cost budget's `cost`). Server
   * adapters merge them into the response after {@link SecurityContext.executed}.
   */
  get responseExtensions(): Readonly<Record<string, unknown>> {
    return this.#extensions ?? {};
  }

  /** Sets `extensions[name]` of this request's response (see {@link SecurityContext.responseExtensions}). */
  setResponseExtension(name: string, value: unknown): void {
    (this.#extensions ??= {})[name] = value;
  }

  /**
   * Registers work for when the operation has been executed, with its result: a cost budget
   * refunds what the operation did not read. Runs once, from {@link SecurityContext.executed}.
   */
  afterExecution(callback: (result: ExecutedResult) => void | Promise<void>): void {
    (this.#afterExecution ??= []).push(callback);
  }

  /**
   * Tells the protections the operation was executed, with its result; the server adapters call
   * it once per request, before they send the response. Runs every callback registered with
   * {@link SecurityContext.afterExecution} (once, whatever the number of calls); a callback that
   * throws or rejects changes nothing else.
   */
  executed(result: ExecutedResult): Promise<void> {
    if (this.#executed !== undefined) return this.#executed;
    // Bookkeeping after the fact never fails the response: a callback that throws or rejects is
    // passed over. Callbacks that answer synchronously cost no promise of their own.
    let pending: Promise<void>[] | undefined;
    for (const callback of this.#afterExecution ?? []) {
      let outcome: void | Promise<void>;
      try {
        outcome = callback(result);
      } catch {
        continue;
      }
      if (isPromiseLike(outcome)) (pending ??= []).push(Promise.resolve(outcome).then(nothing, nothing));
    }
    this.#executed = pending === undefined ? executedSynchronously : Promise.all(pending).then(nothing);
    return this.#executed;
  }
}

/** The result of an executed operation, as protections see it after execution. */
export interface ExecutedResult {
  readonly data?: unknown;
  readonly errors?: readonly unknown[] | undefined;
}

/**
 * Returns a function that builds the {@link SecurityContext} of each request. Call it once at
 * start-up and once per request, in the host's context function.
 *
 * @example
 * ```ts
 * const securityContext = securityContextFactory({ trustedProxies: ['10.0.0.0/8'] });
 * const context = async ({ req }) => ({ rampart: securityContext(fromNodeRequest(req)) });
 * ```
 */
export function securityContextFactory(options: SecurityContextOptions = {}): (request: IncomingRequestFacts) => SecurityContext {
  const trust: ProxyTrust = compileProxyTrust(options.trustedProxies ?? []);
  const requestId = options.requestId ?? (() => randomUUID());
  return (request) => {
    const clientIp = resolveClientIp(request.remoteAddress, trust.none ? noValues : headerList(request.headers['x-forwarded-for']), trust);
    const peer = trust.none || request.remoteAddress === undefined ? undefined : normaliseAddress(request.remoteAddress);
    const viaProxy = peer !== undefined && trust.trusts(peer);
    const forwardedProto = viaProxy ? lastValue(request.headers['x-forwarded-proto'])?.toLowerCase() : undefined;
    const forwardedHost = viaProxy ? validHost(lastValue(request.headers['x-forwarded-host'])) : undefined;
    return new SecurityContext(
      request,
      clientIp,
      requestId(request),
      {
        protocol: forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : (request.protocol ?? 'http'),
        host: forwardedHost ?? validHost(lastValue(request.headers['host'])),
        viaTrustedProxy: viaProxy,
      },
      options.observer,
    );
  };
}

function headerList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return noValues;
  return typeof value === 'string' ? [value] : value;
}

/** The last comma-separated value of the last occurrence of a header. */
function lastValue(value: string | readonly string[] | undefined): string | undefined {
  const list = headerList(value);
  const last = list[list.length - 1];
  if (last === undefined) return undefined;
  const comma = last.lastIndexOf(',');
  return (comma === -1 ? last : last.slice(comma + 1)).trim();
}

const hostPattern = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

function validHost(value: string | undefined): string | undefined {
  return value !== undefined && hostPattern.test(value) ? value.toLowerCase() : undefined;
}

/**
 * The {@link SecurityContext} the host put on the GraphQL context (as `rampart`), or `undefined`.
 */
export function getSecurityContext(graphqlContext: unknown): SecurityContext | undefined {
  if (graphqlContext === null || typeof graphqlContext !== 'object') return undefined;
  const candidate = (graphqlContext as { rampart?: unknown }).rampart;
  return candidate instanceof SecurityContext ? candidate : undefined;
}
