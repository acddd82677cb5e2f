import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { joseRejectionReason } from '../../tokens/jose-rejection-reason.js';
import { KeySetUnavailableError } from '../../tokens/key-set-unavailable-error.js';
import { oidcJwksUriResolver } from '../../tokens/oidc-discovery.js';
import { RemoteKeySet } from '../../tokens/remote-key-set.js';
import { VerifiedTokenCache } from '../../tokens/verified-token-cache.js';
import type { ResolvedAuthOptions, ResolvedIssuer } from './options.js';
import { scopesOf } from './scopes.js';
import type { VerifiedAccessToken } from '../../context/proven-credentials.js';

/** The access token was refused. `reason` is for the security log, never for the client. */
export class AccessTokenRejectedError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`access token rejected: ${reason}`);
    this.name = 'AccessTokenRejectedError';
    this.reason = reason;
  }
}

/**
 * Verifies access tokens with jose, per the issuer the token names: signature with the issuer's
 * keys and pinned algorithms, `iss` exactly, `aud`, `exp` (required: jose checks it only when
 * present), `sub`, `nbf`, `typ` when configured, bounded clock tolerance. Verified tokens are
 * remembered (hash of the token, never past `exp`) and answered synchronously on a repeat.
 *
 * Throws (or rejects with) {@link AccessTokenRejectedError} for a bad token and
 * {@link KeySetUnavailableError} when the keys cannot be obtained.
 */
export class AccessTokenVerifier {
  readonly #issuers: ReadonlyMap<string, { readonly policy: ResolvedIssuer; readonly getKey: JWTVerifyGetKey }>;
  readonly #cache: VerifiedTokenCache<VerifiedAccessToken> | undefined;
  readonly #clock: () => number;

  constructor(options: ResolvedAuthOptions) {
    this.#clock = options.clock;
    this.#cache = options.tokenCache === false ? undefined : new VerifiedTokenCache({ clock: options.clock, ...options.tokenCache });
    const issuers = new Map<string, { policy: ResolvedIssuer; getKey: JWTVerifyGetKey }>();
    for (const policy of options.issuers) {
      issuers.set(policy.issuer, { policy, getKey: keyResolver(policy, options) });
    }
    this.#issuers = issuers;
  }

  /** Hits and misses of the verified-token cache. */
  get cacheStats(): { readonly hits: number; readonly misses: number; readonly size: number } | undefined {
    return this.#cache?.stats;
  }

  /** Verifies `token` (already checked to be a compact JWS of bounded length). */
  verify(token: string): VerifiedAccessToken | Promise<VerifiedAccessToken> {
    const cached = this.#cache?.get(token);
    if (cached !== undefined) return cached;
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new AccessTokenRejectedError('malformed');
    }
    const issuer = typeof unverified.iss === 'string' ? this.#issuers.get(unverified.iss) : undefined;
    if (issuer === undefined) throw new AccessTokenRejectedError('untrusted_issuer');
    return this.#verifyWith(token, issuer.policy, issuer.getKey);
  }

  async #verifyWith(token: string, policy: ResolvedIssuer, getKey: JWTVerifyGetKey): Promise<VerifiedAccessToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: policy.issuer,
        audience: [...policy.audience],
        algorithms: [...policy.algorithms],
        requiredClaims: [...policy.requiredClaims],
        clockTolerance: policy.clockToleranceSeconds,
        currentDate: new Date(this.#clock()),
        ...(policy.tokenType === undefined ? {} : { typ: policy.tokenType }),
      }));
    } catch (error) {
      if (error instanceof KeySetUnavailableError) throw error;
      // A key set the issuer broke (two keys for one kid, not a key set) cannot decide anything.
      if (error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JWKSInvalid) {
        throw new KeySetUnavailableError('the issuer key set is unusable', { cause: error });
      }
      throw new AccessTokenRejectedError(joseRejectionReason(error));
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
      throw new AccessTokenRejectedError('bad_sub');
    }
    const cnf = payload['cnf'];
    const jkt = cnf !== null && typeof cnf === 'object' ? (cnf as Record<string, unknown>)['jkt'] : undefined;
    if (jkt !== undefined && typeof jkt !== 'string') throw new AccessTokenRejectedError('bad_cnf');
    const clientId = payload['client_id'];
    const verified: VerifiedAccessToken = Object.freeze({
      issuer: policy.issuer,
      subject: payload.sub,
      scopes: scopesOf(payload),
      expiresAt: (payload.exp as number) * 1000,
      confirmationThumbprint: jkt,
      clientId: typeof clientId === 'string' ? clientId : undefined,
      claims: Object.freeze({ ...payload }),
    });
    this.#cache?.set(token, verified, verified.expiresAt);
    return verified;
  }
}

function keyResolver(policy: ResolvedIssuer, options: ResolvedAuthOptions): JWTVerifyGetKey {
  const { keys } = policy;
  if ('jwks' in keys) return createLocalJWKSet(keys.jwks);
  const common = { clock: options.clock, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const url = 'jwksUri' in keys ? new URL(keys.jwksUri) : oidcJwksUriResolver(policy.issuer, { ...policy.discovery, ...common });
  const keySet = new RemoteKeySet(url, {
    ...policy.keySet,
    ...common,
    onFetch: (outcome) => {
      if (!outcome.ok) options.onDependencyError(outcome.error);
      policy.keySet.onFetch?.(outcome);
    },
  });
  return keySet.getKey;
}
