import { jwtVerify, type JWTPayload } from 'jose';
import { joseRejectionReason } from '../../tokens/jose-rejection-reason.js';
import { singleUseKey } from '../../tokens/single-use-key.js';
import { AttestationRejectedError, type AttestationVerifier, type VerifiedAttestation } from './attestation-verifier.js';

/** Options of {@link approovVerifier}. */
export interface ApproovVerifierOptions {
  /**
   * The Approov account secret, as Approov gives it: base64 (or base64url) text, or its bytes.
   * At least 16 bytes.
   */
  readonly secret: string | Uint8Array;
  /**
   * The header carrying Approov tokens.
   * @default 'approov-token'
   */
  readonly header?: string;
  /**
   * Clock skew tolerated on `exp`, in seconds (Approov tokens live minutes).
   * @default 0
   */
  readonly clockToleranceSeconds?: number;
  /**
   * Headers whose values the `pay` claim binds, concatenated in this order.
   * @default ['authorization']
   */
  readonly bindingHeaders?: readonly string[];
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/**
 * Approov tokens: HS256 JWTs signed with the account secret, `exp` required (jose checks it only
 * when present, so it is required explicitly), optional `did` (device id) and `pay` (token
 * binding: base64 SHA-256 of the bound header). Only HS256 is accepted: a token signed any other
 * way, or with `alg: none`, is refused before any key use.
 */
export function approovVerifier(options: ApproovVerifierOptions): AttestationVerifier {
  const secret = decodeSecret(options.secret);
  const clockToleranceSeconds = options.clockToleranceSeconds ?? 0;
  if (!(clockToleranceSeconds >= 0 && clockToleranceSeconds <= 60)) {
    throw new TypeError('approovVerifier: clockToleranceSeconds must be from 0 to 60');
  }
  const clock = options.clock ?? Date.now;
  const bindingHeaders = (options.bindingHeaders ?? ['authorization']).map((name) => name.toLowerCase());
  if (bindingHeaders.length === 0) throw new TypeError('approovVerifier: bindingHeaders must name at least one header');
  return {
    name: 'approov',
    header: (options.header ?? 'approov-token').toLowerCase(),
    bindingHeaders,
    async verify(token: string): Promise<VerifiedAttestation> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, secret, {
          algorithms: ['HS256'],
          requiredClaims: ['exp'],
          clockTolerance: clockToleranceSeconds,
          currentDate: new Date(clock()),
        }));
      } catch (error) {
        throw new AttestationRejectedError(joseRejectionReason(error));
      }
      const { did, pay } = payload as Record<string, unknown>;
      if (did !== undefined && (typeof did !== 'string' || did.length > 256)) throw new AttestationRejectedError('bad_did');
      if (pay !== undefined && typeof pay !== 'string') throw new AttestationRejectedError('bad_pay');
      return {
        provider: 'approov',
        appId: undefined,
        deviceId: did,
        binding: pay,
        tokenId: typeof payload.jti === 'string' ? `jti:${payload.jti}` : `jws:${singleUseKey(token)}`,
        expiresAt: (payload.exp as number) * 1000,
        acceptedUntil: ((payload.exp as number) + clockToleranceSeconds + 1) * 1000,
        claims: Object.freeze({ ...payload }),
      };
    },
  };
}

function decodeSecret(secret: string | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (typeof secret === 'string') {
    const text = secret.trim();
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new TypeError('approovVerifier: secret must be base64 or base64url');
    bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  } else {
    bytes = secret;
  }
  if (bytes.length < 16) throw new TypeError('approovVerifier: secret must be at least 16 bytes');
  return new Uint8Array(bytes);
}
