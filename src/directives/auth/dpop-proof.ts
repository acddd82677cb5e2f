import { hash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { compactJws } from '../../tokens/compact-jws.js';
import { joseRejectionReason } from '../../tokens/jose-rejection-reason.js';
import type { ResolvedDpopOptions } from './options.js';

/** The DPoP proof was refused. `reason` is for the security log, never for the client. */
export class DpopProofRejectedError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`DPoP proof rejected: ${reason}`);
    this.name = 'DpopProofRejectedError';
    this.reason = reason;
  }
}

/** What a proof is checked against: the request it came with and the token it accompanies. */
export interface DpopProofInput {
  /** Every `DPoP` header value received. */
  readonly proofs: readonly string[];
  /** The access token, as presented. */
  readonly accessToken: string;
  /** The token's `cnf.jkt`. */
  readonly boundThumbprint: string;
  /** The request method, upper case. */
  readonly method: string;
  /** The request URI without query and fragment, e.g. `https://api.example.com/graphql`. */
  readonly url: string;
  /** Now, in milliseconds. */
  readonly now: number;
}

const maxProofLength = 4096;

/**
 * A verified proof's single-use part: its `jti` (under the key's thumbprint), to be recorded in the
 * replay cache by {@link spendDpopProof} once the request has earned it.
 */
export interface DpopProofUse {
  /** The replay-cache key: a hash of the key thumbprint and `jti`. */
  readonly replayKey: string;
  /** Until when the proof would be accepted, in milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * Checks a DPoP proof as RFC 9449 §4.3 lists: exactly one `DPoP` header; a JWT with `typ`
 * `dpop+jwt`, an asymmetric `alg`, and a public `jwk` (no private members) that verifies its
 * signature; `htm` and `htu` matching this request; `iat` within the allowed window; `ath` the
 * hash of the access token; the key's thumbprint equal to the token's `cnf.jkt`. It records
 * nothing: verifying ahead of execution must never spend the proof, so the `jti` check is
 * {@link spendDpopProof}'s, when the field's own check reaches it.
 *
 * Rejects with {@link DpopProofRejectedError}.
 */
export async function verifyDpopProof(input: DpopProofInput, options: ResolvedDpopOptions): Promise<DpopProofUse> {
  if (input.proofs.length !== 1) {
    throw new DpopProofRejectedError(input.proofs.length === 0 ? 'missing' : 'several_proofs');
  }
  const proof = (input.proofs[0] as string).trim();
  if (proof.length > maxProofLength || !compactJws.test(proof)) throw new DpopProofRejectedError('malformed');

  let header;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new DpopProofRejectedError('malformed');
  }
  const jwk = header.jwk as (JWK & Record<string, unknown>) | undefined;
  if (jwk === undefined || typeof jwk !== 'object') throw new DpopProofRejectedError('no_jwk');
  if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'].some((member) => member in jwk)) {
    throw new DpopProofRejectedError('private_key_in_jwk');
  }

  let payload;
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...options.algorithms],
      requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'],
      maxTokenAge: options.proofMaxAgeSeconds,
      clockTolerance: options.clockToleranceSeconds,
      currentDate: new Date(input.now),
    }));
  } catch (error) {
    const reason = joseRejectionReason(error);
    throw new DpopProofRejectedError(reason === 'expired' ? 'stale_iat' : reason);
  }

  const { jti, htm, htu, ath, iat } = payload as Record<string, unknown>;
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 256) throw new DpopProofRejectedError('bad_jti');
  if (htm !== input.method) throw new DpopProofRejectedError('htm_mismatch');
  if (typeof htu !== 'string' || !sameResource(htu, input.url)) throw new DpopProofRejectedError('htu_mismatch');
  const expectedAth = hash('sha256', Buffer.from(input.accessToken, 'ascii'), 'base64url');
  if (ath !== expectedAth) throw new DpopProofRejectedError('ath_mismatch');
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  if (thumbprint !== input.boundThumbprint) throw new DpopProofRejectedError('jkt_mismatch');

  // jose compares whole seconds and accepts through the end of the last one: remember a second more.
  const expiresAt = ((iat as number) + options.proofMaxAgeSeconds + options.clockToleranceSeconds + 1) * 1000;
  const key = hash('sha256', `${thumbprint}\u0000${jti}`, 'base64url');
  return { replayKey: `dpop:${key}`, expiresAt };
}

/**
 * Records a verified proof's `jti` in the replay cache: resolves `true` the first time, `false`
 * for a replay. A cache failure throws or rejects as is (the caller refuses with
 * `PROTECTION_UNAVAILABLE`).
 */
export function spendDpopProof(use: DpopProofUse, options: ResolvedDpopOptions): boolean | Promise<boolean> {
  return options.replayCache.firstUse(use.replayKey, use.expiresAt);
}

/**
 * Compares a proof's `htu` with the request URI after syntax-based normalisation (RFC 3986 §6.2.2
 * and §6.2.3: scheme and host case, default port, dot segments), ignoring neither path nor host.
 * A query or fragment in `htu` does not match: RFC 9449 says the value is without them.
 */
function sameResource(htu: string, requestUrl: string): boolean {
  let claimed: URL;
  let actual: URL;
  try {
    claimed = new URL(htu);
    actual = new URL(requestUrl);
  } catch {
    return false;
  }
  if (claimed.search !== '' || claimed.hash !== '' || claimed.username !== '' || claimed.password !== '') return false;
  return claimed.origin === actual.origin && claimed.pathname === actual.pathname;
}
