import type { JWTPayload } from 'jose';

/** What a verified attestation token says about the calling app instance. */
export interface VerifiedAttestation {
  /** Which format proved it: `approov`, `firebase-app-check`, or a custom verifier's name. */
  readonly provider: string;
  /** The app's identity, when the format carries one (App Check `sub`). */
  readonly appId: string | undefined;
  /** The device (app instance) identity, when the format carries one (Approov `did`). */
  readonly deviceId: string | undefined;
  /**
   * The token-binding hash the token carries (Approov `pay`: base64 SHA-256 of the bound header
   * values), or `undefined` when the format has none.
   */
  readonly binding: string | undefined;
  /**
   * A stable name for the token, for single-use checks: its `jti`, or a hash of its signing input
   * (so that respelling the signature does not make a new token).
   */
  readonly tokenId: string;
  /** `exp`, in milliseconds since the epoch. */
  readonly expiresAt: number;
  /** The last instant the token is accepted (`exp` plus the tolerated skew and a second). */
  readonly acceptedUntil: number;
  /** Every claim. */
  readonly claims: Readonly<JWTPayload>;
}

/** The attestation token was refused. `reason` is for the security log, never for the client. */
export class AttestationRejectedError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`attestation token rejected: ${reason}`);
    this.name = 'AttestationRejectedError';
    this.reason = reason;
  }
}

/**
 * Verifies one attestation format. Implementations answer a {@link VerifiedAttestation}, reject
 * with {@link AttestationRejectedError} for a bad token, and reject with anything else when they
 * cannot decide (a key set down), which refuses with `PROTECTION_UNAVAILABLE`.
 */
export interface AttestationVerifier {
  /** The format's name, e.g. `approov`. */
  readonly name: string;
  /** The request header carrying its tokens, lower case. */
  readonly header: string;
  /** Verifies a token (already length-checked and known to be a compact JWS). */
  verify(token: string): VerifiedAttestation | Promise<VerifiedAttestation>;
  /** Header names whose values the token's binding covers, in order, lower case. */
  readonly bindingHeaders: readonly string[];
}
