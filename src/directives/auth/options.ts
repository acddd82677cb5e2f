import type { JSONWebKeySet } from 'jose';
import type { ReplayCache } from '../../replay/replay-cache.js';
import type { FetchFunction } from '../../tokens/fetch-json.js';
import type { OidcDiscoveryOptions } from '../../tokens/oidc-discovery.js';
import { isLoopbackHttp } from '../../tokens/oidc-discovery.js';
import type { RemoteKeySetOptions } from '../../tokens/remote-key-set.js';
import type { VerifiedTokenCacheOptions } from '../../tokens/verified-token-cache.js';
import { hasMethod, isList, isObject } from '../../shape-checks.js';
import { resolveBaseOptions, type BaseDirectiveOptions, type ResolvedBaseOptions } from '../base-options.js';

/** Where an issuer's verification keys come from. */
export type IssuerKeys =
  /** OpenID Connect discovery from the issuer: `<issuer>/.well-known/openid-configuration` → `jwks_uri`. */
  | { readonly discovery: true }
  /** A JWKS URL, fetched and refreshed. */
  | { readonly jwksUri: string }
  /** Keys given in process (public JWKs), never fetched. */
  | { readonly jwks: JSONWebKeySet };

/** One trusted issuer of access tokens and how its tokens are checked. */
export interface AccessTokenIssuer {
  /** The `iss` its tokens carry, compared exactly. */
  readonly issuer: string;
  /** Accepted `aud` values: a token must name at least one (RFC 9068 §4). */
  readonly audience: string | readonly string[];
  /**
   * Where its keys come from.
   * @default { discovery: true }
   */
  readonly keys?: IssuerKeys;
  /**
   * Signature algorithms accepted from this issuer, pinned. Symmetric (`HS*`) algorithms and
   * `none` are refused here: a resource server should never hold an issuer's signing secret.
   * @default ['RS256', 'PS256', 'ES256', 'EdDSA']
   */
  readonly algorithms?: readonly string[];
  /**
   * Required `typ` header, e.g. `'at+jwt'` (RFC 9068). Set it when the issuer sends it: it keeps
   * ID tokens and other JWTs from passing as access tokens.
   * @default not checked
   */
  readonly tokenType?: string;
  /**
   * Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds; at most 60.
   * @default 5
   */
  readonly clockToleranceSeconds?: number;
  /**
   * Claims that must be present besides `iss`, `aud`, `exp` and `sub` (always required).
   * @default []
   */
  readonly requiredClaims?: readonly string[];
  /** Fetch timing and resilience of a remote key set. */
  readonly keySet?: Omit<RemoteKeySetOptions, 'clock' | 'fetch'>;
  /** Timing of OpenID Connect discovery. */
  readonly discovery?: Omit<OidcDiscoveryOptions, 'clock' | 'fetch'>;
}

/** Options of sender-constrained (DPoP, RFC 9449) tokens. */
export interface DpopOptions {
  /** Remembers proof `jti`s so each proof is used once (Redis when several instances run). */
  readonly replayCache: ReplayCache;
  /**
   * The origin clients address, e.g. `https://api.example.com`, to which a proof's `htu` must
   * point. Without it, the origin is rebuilt from the request (`Host`, and `X-Forwarded-Proto` /
   * `X-Forwarded-Host` from trusted proxies only).
   * @default rebuilt from the request
   */
  readonly publicOrigin?: string;
  /**
   * How old a proof (`iat`) may be, in seconds.
   * @default 60
   */
  readonly proofMaxAgeSeconds?: number;
  /**
   * Clock skew tolerated on a proof's `iat`, in seconds; at most 60.
   * @default 5
   */
  readonly clockToleranceSeconds?: number;
  /**
   * Signature algorithms accepted for proofs (asymmetric only).
   * @default ['ES256', 'PS256', 'RS256', 'EdDSA']
   */
  readonly algorithms?: readonly string[];
}

/** Options of {@link authDirective}. */
export interface AuthOptions extends BaseDirectiveOptions {
  /** The issuers whose access tokens are accepted; a token is matched to one by its `iss`. */
  readonly issuers: readonly AccessTokenIssuer[];
  /**
   * The longest token accepted, in characters, checked before any parsing.
   * @default 8192
   */
  readonly maxTokenLength?: number;
  /**
   * Verified tokens remembered across requests (keyed by a hash of the token, never past `exp`),
   * so a client's repeated calls cost no signature check. `false` turns it off.
   * @default { maxEntries: 10000, maxAgeMs: 300000 }
   */
  readonly tokenCache?: VerifiedTokenCacheOptions | false;
  /** Enables `Authorization: DPoP` tokens and `@auth(dpop: true)`. */
  readonly dpop?: DpopOptions;
  /** The fetch used for discovery and key sets. @default globalThis.fetch */
  readonly fetch?: FetchFunction;
}

/** {@link AccessTokenIssuer} with defaults applied. */
export interface ResolvedIssuer {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly keys: IssuerKeys;
  readonly algorithms: readonly string[];
  readonly tokenType: string | undefined;
  readonly clockToleranceSeconds: number;
  readonly requiredClaims: readonly string[];
  readonly keySet: Omit<RemoteKeySetOptions, 'clock' | 'fetch'>;
  readonly discovery: Omit<OidcDiscoveryOptions, 'clock' | 'fetch'>;
}

/** {@link DpopOptions} with defaults applied. */
export interface ResolvedDpopOptions {
  readonly replayCache: ReplayCache;
  readonly publicOrigin: string | undefined;
  readonly proofMaxAgeSeconds: number;
  readonly clockToleranceSeconds: number;
  readonly algorithms: readonly string[];
}

/** {@link AuthOptions} with defaults applied. */
export interface ResolvedAuthOptions extends ResolvedBaseOptions {
  readonly issuers: readonly ResolvedIssuer[];
  readonly maxTokenLength: number;
  readonly tokenCache: VerifiedTokenCacheOptions | false;
  readonly dpop: ResolvedDpopOptions | undefined;
  readonly fetch: FetchFunction | undefined;
}

const asymmetric = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

/** Applies defaults without touching the caller's object; throws `TypeError` for bad options. */
export function resolveAuthOptions(options: AuthOptions): ResolvedAuthOptions {
  if (!isObject(options) || !isList(options.issuers) || options.issuers.length === 0) {
    throw new TypeError('authDirective: issuers must list at least one trusted issuer');
  }
  const base = resolveBaseOptions(options, 'auth');
  const issuers = options.issuers.map(resolveIssuer);
  const seen = new Set<string>();
  for (const { issuer } of issuers) {
    if (seen.has(issuer)) throw new TypeError(`authDirective: issuer ${issuer} is listed twice`);
    seen.add(issuer);
  }
  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 256 || maxTokenLength > 65_536) {
    throw new TypeError('authDirective: maxTokenLength must be an integer from 256 to 65536');
  }
  return {
    ...base,
    issuers,
    maxTokenLength,
    tokenCache: options.tokenCache ?? {},
    dpop: options.dpop === undefined ? undefined : resolveDpop(options.dpop),
    fetch: options.fetch,
  };
}

function resolveIssuer(given: AccessTokenIssuer): ResolvedIssuer {
  // Checked as a plain-JavaScript caller may list it: null, or without its iss or audience.
  const issuer = given as Partial<AccessTokenIssuer> | null;
  const where = `authDirective: issuer ${String(issuer?.issuer)}`;
  if (typeof issuer?.issuer !== 'string' || issuer.issuer.length === 0) {
    throw new TypeError('authDirective: every issuer needs its iss value (issuer)');
  }
  const audience = typeof issuer.audience === 'string' ? [issuer.audience] : [...(issuer.audience ?? [])];
  if (audience.length === 0 || audience.some((value) => typeof value !== 'string' || value.length === 0)) {
    throw new TypeError(`${where}: audience is required`);
  }
  const algorithms = [...(issuer.algorithms ?? ['RS256', 'PS256', 'ES256', 'EdDSA'])];
  const refused = algorithms.find((algorithm) => !asymmetric.has(algorithm));
  if (algorithms.length === 0 || refused !== undefined) {
    throw new TypeError(`${where}: algorithms must be asymmetric JWS algorithms (refused: ${refused ?? 'none given'})`);
  }
  const clockToleranceSeconds = issuer.clockToleranceSeconds ?? 5;
  if (!(clockToleranceSeconds >= 0 && clockToleranceSeconds <= 60)) {
    throw new TypeError(`${where}: clockToleranceSeconds must be from 0 to 60`);
  }
  const keys = issuer.keys ?? { discovery: true };
  if ('discovery' in keys || 'jwksUri' in keys) {
    const url = new URL('discovery' in keys ? issuer.issuer : keys.jwksUri);
    if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
      throw new TypeError(`${where}: keys must be fetched over https (plain http only on loopback)`);
    }
  } else if (!('jwks' in keys) || !Array.isArray((keys.jwks as Partial<JSONWebKeySet> | null)?.keys)) {
    throw new TypeError(`${where}: keys must be { discovery: true }, { jwksUri } or { jwks }`);
  }
  return {
    issuer: issuer.issuer,
    audience,
    keys,
    algorithms,
    tokenType: issuer.tokenType,
    clockToleranceSeconds,
    requiredClaims: [...new Set(['iss', 'aud', 'exp', 'sub', ...(issuer.requiredClaims ?? [])])],
    keySet: issuer.keySet ?? {},
    discovery: issuer.discovery ?? {},
  };
}

function resolveDpop(dpop: DpopOptions): ResolvedDpopOptions {
  if (!hasMethod(dpop.replayCache, 'firstUse')) {
    throw new TypeError('authDirective: dpop.replayCache must implement ReplayCache');
  }
  let publicOrigin: string | undefined;
  if (dpop.publicOrigin !== undefined) {
    const url = new URL(dpop.publicOrigin);
    if (url.origin === 'null' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      throw new TypeError('authDirective: dpop.publicOrigin must be an origin such as https://api.example.com');
    }
    publicOrigin = url.origin;
  }
  const proofMaxAgeSeconds = dpop.proofMaxAgeSeconds ?? 60;
  if (!(proofMaxAgeSeconds >= 1 && proofMaxAgeSeconds <= 600)) {
    throw new TypeError('authDirective: dpop.proofMaxAgeSeconds must be from 1 to 600');
  }
  const clockToleranceSeconds = dpop.clockToleranceSeconds ?? 5;
  if (!(clockToleranceSeconds >= 0 && clockToleranceSeconds <= 60)) {
    throw new TypeError('authDirective: dpop.clockToleranceSeconds must be from 0 to 60');
  }
  const algorithms = [...(dpop.algorithms ?? ['ES256', 'PS256', 'RS256', 'EdDSA'])];
  if (algorithms.length === 0 || algorithms.some((algorithm) => !asymmetric.has(algorithm))) {
    throw new TypeError('authDirective: dpop.algorithms must be asymmetric JWS algorithms');
  }
  return { replayCache: dpop.replayCache, publicOrigin, proofMaxAgeSeconds, clockToleranceSeconds, algorithms };
}
