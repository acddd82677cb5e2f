import { fetchJson, type FetchFunction } from './fetch-json.js';
import { KeySetUnavailableError } from './key-set-unavailable-error.js';

/** Options of {@link oidcJwksUriResolver}. */
export interface OidcDiscoveryOptions {
  /** How long one discovery request may take, in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
  /** How long a discovered `jwks_uri` is reused before discovery runs again. @default 86400000 */
  readonly maxAgeMs?: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: FetchFunction;
}

/**
 * True for `http:` URLs whose host is a loopback address: the only plain-HTTP issuers accepted
 * (local development and tests). Everything else must be `https:`.
 */
export function isLoopbackHttp(url: URL): boolean {
  return (
    url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname))
  );
}

/**
 * Resolves an issuer's `jwks_uri` through OpenID Connect Discovery
 * (`<issuer>/.well-known/openid-configuration`), as OIDC Discovery §4 says: the document's
 * `issuer` must equal the configured issuer exactly, and `jwks_uri` must be https (or loopback
 * http when the issuer itself is). The answer is cached; a failed discovery keeps a previous
 * answer and otherwise throws {@link KeySetUnavailableError}.
 */
export function oidcJwksUriResolver(issuer: string, options: OidcDiscoveryOptions = {}): () => Promise<URL> {
  const issuerUrl = new URL(issuer);
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxAgeMs = options.maxAgeMs ?? 86_400_000;
  const clock = options.clock ?? Date.now;
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const discoveryUrl = new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  let known: { url: URL; at: number } | undefined;

  return async () => {
    if (known && clock() - known.at < maxAgeMs) return known.url;
    try {
      const document = await fetchJson(discoveryUrl, timeoutMs, fetchImpl);
      if (document === null || typeof document !== 'object') throw new Error('not a JSON object');
      const { issuer: announced, jwks_uri: jwksUri } = document as Record<string, unknown>;
      if (announced !== issuer) throw new Error('the discovery document names another issuer');
      if (typeof jwksUri !== 'string') throw new Error('the discovery document has no jwks_uri');
      const url = new URL(jwksUri);
      if (url.protocol !== 'https:' && !(isLoopbackHttp(url) && isLoopbackHttp(issuerUrl))) {
        throw new Error('jwks_uri must be https');
      }
      known = { url, at: clock() };
      return url;
    } catch (cause) {
      if (known) return known.url;
      throw new KeySetUnavailableError('OpenID Connect discovery failed', { cause });
    }
  };
}
