import type { SecurityContext } from '../context/security-context.js';
import type { CheckOutcome } from './protection.js';

/**
 * Lets the request's app attestation stand in for another proof (a captcha) on one call. A waiver
 * is never weaker than `@requiresAttestation` on the same field, and it spends the attestation:
 * one waiver, one call.
 */
export interface AttestationWaiver {
  /**
   * Resolves `undefined` when the request carries a valid attestation that matches any binding it
   * carries (a token bound to an `Authorization` value needs that value on the request), was never
   * consumed (in this request or any other, through the shared replay cache), and has now been
   * consumed for this call. Otherwise resolves the refusal. Never rejects.
   */
  waive(security: SecurityContext): CheckOutcome | Promise<CheckOutcome>;
}
