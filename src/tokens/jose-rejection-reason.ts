import { errors } from 'jose';

/**
 * A short, stable name for why jose refused a JWT (`expired`, `claim_aud_check_failed`,
 * `bad_signature`, …), for security logs. It never contains the token or a claim value.
 */
export function joseRejectionReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim_${error.claim}_${error.reason}`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown_key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JOSEError) return error.code.toLowerCase();
  return 'malformed';
}
