import { jwtVerify, type JWTPayload } from 'jose';
import { joseRejectionReason } from '../../tokens/jose-rejection-reason.js';
import { KeySetUnavailableError } from '../../tokens/key-set-unavailable-error.js';
import { isLoopbackHttp } from '../../tokens/oidc-discovery.js';
import type { FetchFunction } from '../../tokens/fetch-json.js';
import { RemoteKeySet, type RemoteKeySetOptions } from '../../tokens/remote-key-set.js';
import { singleUseKey } from '../../tokens/single-use-key.js';
import { AttestationRejectedError, type AttestationVerifier, type VerifiedAttestation } from './attestation-verifier.js';

/** Firebase App Check's public key set. */
export const firebaseAppCheckJwksUri = 'https://firebaseappcheck.googleapis.com/v1/jwks';

/** Options of {@link firebaseAppCheckVerifier}. */
export interface FirebaseAppCheckVerifierOptions {
  /** The Firebase project number (digits), as in `iss` and `aud`. */
  readonly projectNumber: string;
  /** App ids (`sub`) allowed to call, e.g. `1:123456789:ios:abcdef`. */
  readonly appIds: readonly string[];
  /**
   * The header carrying App Check tokens.
   * @default 'x-firebase-appcheck'
   */
  readonly header?: string;
  /**
   * Where App Check's keys are fetched (tests serve their own).
   * @default https://firebaseappcheck.googleapis.com/v1/jwks
   */
  readonly jwksUri?: string;
  /** Fetch timing and resilience of the key set. */
  readonly keySet?: Omit<RemoteKeySetOptions, 'clock' | 'fetch'>;
  /** Clock skew tolerated on `exp`, in seconds. @default 0 */
  readonly clockToleranceSeconds?: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: FetchFunction;
}

/**
 * Firebase App Check tokens, verified as Firebase documents it: RS256 only, keys from the App
 * Check JWKS, `iss` = `https://firebaseappcheck.googleapis.com/<project number>`, `aud` containing
 * `projects/<project number>`, `exp` required, `sub` (the app id) in the allow-list. App Check
 * carries no token binding and no device id.
 */
export function firebaseAppCheckVerifier(options: FirebaseAppCheckVerifierOptions): AttestationVerifier {
  if (!/^\d{1,20}$/.test(options.projectNumber)) {
    throw new TypeError('firebaseAppCheckVerifier: projectNumber must be the project number (digits)');
  }
  const appIds = new Set(options.appIds);
  if (appIds.size === 0) throw new TypeError('firebaseAppCheckVerifier: appIds must list at least one app id');
  const clock = options.clock ?? Date.now;
  const jwksUri = new URL(options.jwksUri ?? firebaseAppCheckJwksUri);
  if (jwksUri.protocol !== 'https:' && !isLoopbackHttp(jwksUri)) {
    throw new TypeError('firebaseAppCheckVerifier: jwksUri must be https (plain http only on loopback)');
  }
  const keySet = new RemoteKeySet(jwksUri, {
    ...options.keySet,
    clock,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const issuer = `https://firebaseappcheck.googleapis.com/${options.projectNumber}`;
  const audience = `projects/${options.projectNumber}`;
  return {
    name: 'firebase-app-check',
    header: (options.header ?? 'x-firebase-appcheck').toLowerCase(),
    bindingHeaders: [],
    async verify(token: string): Promise<VerifiedAttestation> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySet.getKey, {
          algorithms: ['RS256'],
          issuer,
          audience,
          typ: 'JWT',
          requiredClaims: ['exp', 'sub'],
          clockTolerance: options.clockToleranceSeconds ?? 0,
          currentDate: new Date(clock()),
        }));
      } catch (error) {
        if (error instanceof KeySetUnavailableError) throw error;
        throw new AttestationRejectedError(joseRejectionReason(error));
      }
      if (typeof payload.sub !== 'string' || !appIds.has(payload.sub)) throw new AttestationRejectedError('app_not_allowed');
      return {
        provider: 'firebase-app-check',
        appId: payload.sub,
        deviceId: undefined,
        binding: undefined,
        tokenId: typeof payload.jti === 'string' ? `jti:${payload.jti}` : `jws:${singleUseKey(token)}`,
        expiresAt: (payload.exp as number) * 1000,
        acceptedUntil: ((payload.exp as number) + (options.clockToleranceSeconds ?? 0) + 1) * 1000,
        claims: Object.freeze({ ...payload }),
      };
    },
  };
}
