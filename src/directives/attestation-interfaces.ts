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

/**
 * Tells whether a request is attested, by the rule of `@requiresAttestation`, without spending
 * anything: for a protection whose answer depends on it (the cost budget of an attested app
 * instance is larger).
 */
export interface AttestationProbe {
  /**
   * `true` when the request carries a valid attestation that matches any binding it carries (a
   * token bound to an `Authorization` value needs that value on the request); then
   * `security.proven.attestation` holds the app instance. Memoised per request; never spends the
   * token; never rejects: a token that cannot be verified (its verifier's dependency down) counts
   * as no attestation.
   */
  attested(security: SecurityContext): boolean | Promise<boolean>;
}
