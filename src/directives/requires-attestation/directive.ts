import { isPromiseLike } from '../../context/request-memo.js';
import type { SecurityContext } from '../../context/security-context.js';
import { AttestationInvalidError, ProtectionUnavailableError } from '../../errors.js';
import { protectionRegistry } from '../../protection-registry.js';
import type { AttestationProbe, AttestationWaiver } from '../attestation-interfaces.js';
import { fieldProtection } from '../base-options.js';
import { defineProtectionDirective } from '../protect-fields.js';
import type { CheckOutcome, FieldProtection, ProtectionDirective } from '../protection.js';
import { reportingVerification } from '../reporting-verification.js';
import type { AttestationVerifier } from './attestation-verifier.js';
import { resolveRequiresAttestationOptions, type RequiresAttestationOptions } from './options.js';
import { bindingHashOf } from './token-binding.js';
import { createAttestationProtocol, judgeBinding, type AttestationVerification, type BindingRule } from './verify.js';

/** The SDL of `@requiresAttestation` under the given name. */
export function requiresAttestationTypeDefs(name = 'requiresAttestation'): string {
  return `"""
The call must come from a genuine, untampered app instance: a valid, short-lived attestation
token (Approov-Token or X-Firebase-AppCheck). Threat: scripts replaying what the genuine app
sends, with API keys, user agents and even user tokens copied from it.
"""
directive @${name}(
  """The token must be bound to this request's Authorization header (Approov pay claim)."""
  bindToAuthorization: Boolean = false
  """Single use: the token passes once within its lifetime (sensitive operations)."""
  consume: Boolean = false
) on FIELD_DEFINITION | OBJECT | INTERFACE
`;
}

function bindingOfRequest({ security, verifier }: { security: SecurityContext; verifier: AttestationVerifier }): string | undefined {
  return bindingHashOf(verifier.bindingHeaders.map((header) => security.header(header)));
}

/** What {@link requiresAttestationDirective} returns. */
export interface RequiresAttestationDirective extends ProtectionDirective {
  /**
   * The request's attestation standing in for another proof on one call (`@captcha`'s
   * `skipIfAttested`, or a host's own condition): as strict as the directive, and it spends the
   * attestation. `undefined` without a `replayCache`, which spending needs.
   */
  readonly waiver: AttestationWaiver | undefined;
  /**
   * Whether the request is attested, by the directive's rule (a valid token, a bound token matching
   * the request's `Authorization`), without spending it: for the cost budget's tiers.
   */
  readonly probe: AttestationProbe;
}

/**
 * `@requiresAttestation(bindToAuthorization: Boolean, consume: Boolean)`: the call must come from
 * a genuine app instance, proven by a short-lived token from an attestation service (Approov,
 * Firebase App Check). Threat mitigated: scripts that replay the genuine app's traffic with its
 * API key, user agent or user token. With `bindToAuthorization`, a token lifted from one session
 * cannot be replayed with another user's token; with `consume`, not at all.
 *
 * No token: `ATTESTATION_REQUIRED`; anything wrong: `ATTESTATION_INVALID`; a verifier dependency
 * or the replay cache down: `PROTECTION_UNAVAILABLE`. Verified once per request, cached across
 * requests.
 *
 * @example
 * ```ts
 * const attestation = requiresAttestationDirective({
 *   verifiers: [approovVerifier({ secret: process.env.APPROOV_SECRET })],
 *   replayCache: new RedisReplayCache(redis),
 * });
 * // type Mutation { placeOrder: Order! @requiresAttestation(bindToAuthorization: true, consume: true) }
 * ```
 */
export function requiresAttestationDirective(options: RequiresAttestationOptions): RequiresAttestationDirective {
  const resolved = resolveRequiresAttestationOptions(options);
  const { name, replayCache } = resolved;
  const protocol = createAttestationProtocol(resolved);
  const verify = reportingVerification('attestation', protocol.verify);

  const verificationKey = {};
  const bindingKey = {};
  const spentKey = {};
  const verification = (security: SecurityContext) => security.memo.get(verificationKey, verify, security);
  // The request's binding hash, once per request (only a bound token's rule asks for it).
  const requestBinding = (security: SecurityContext, verifier: AttestationVerifier): string | undefined =>
    security.memo.get(bindingKey, bindingOfRequest, { security, verifier }) as string | undefined;
  const verifiedCheck =
    (rule: BindingRule) =>
    (security: SecurityContext): CheckOutcome | Promise<CheckOutcome> => {
      const outcome = security.memo.get(verificationKey, verify, security);
      if (outcome instanceof Promise) return outcome.then((settled) => judgeBinding(settled, rule, security, requestBinding));
      return judgeBinding(outcome, rule, security, requestBinding);
    };
  // Single use means one call: the first call of a request spends the token (once, through the
  // replay cache); any further call in the same request, an alias included, is a replay.
  const spendingCheck = (security: SecurityContext): CheckOutcome | Promise<CheckOutcome> => {
    if (!security.memo.claim(spentKey)) return new AttestationInvalidError(undefined, 'replayed_in_request');
    return security.memo.apply(verificationKey, verify, security, protocol.spend);
  };
  const waiverCheck = verifiedCheck('ifBound');
  const checkFailed = () => new ProtectionUnavailableError(undefined, 'check_failed');
  const waiver: AttestationWaiver | undefined = replayCache && {
    waive(security) {
      try {
        const verified = waiverCheck(security);
        if (!isPromiseLike(verified)) return verified ?? spendingCheck(security);
        return Promise.resolve(verified).then((refusal) => refusal ?? spendingCheck(security), checkFailed);
      } catch {
        return checkFailed();
      }
    },
  };

  // Attested for a cost budget: a verified token, bound if it carries a binding, and not spent by
  // an earlier request (a consumed order attestation replayed on listings is not an attested app).
  const probeKey = {};
  const unspent = (outcome: AttestationVerification): boolean | Promise<boolean> => {
    if (!outcome.ok) return false;
    const spent = protocol.spent(outcome);
    return isPromiseLike(spent) ? Promise.resolve(spent).then((answer) => !answer) : !spent;
  };
  const probeOf = (security: SecurityContext): boolean | Promise<boolean> => {
    const judged = (refusal: CheckOutcome): boolean | Promise<boolean> => {
      if (refusal !== undefined) return false;
      const outcome = verification(security);
      return isPromiseLike(outcome) ? Promise.resolve(outcome).then(unspent) : unspent(outcome);
    };
    try {
      const verified = waiverCheck(security);
      return isPromiseLike(verified)
        ? Promise.resolve(verified)
            .then(judged)
            .catch(() => false)
        : judged(verified);
    } catch {
      return false;
    }
  };
  const probe: AttestationProbe = {
    attested: (security) => security.memo.get(probeKey, probeOf, security),
  };

  const directive = defineProtectionDirective(name, requiresAttestationTypeDefs(name), (usage, coordinate) => {
    const spends = usage.args['consume'] === true;
    if (spends && usage.onType) {
      // Every field of the type would spend the request's one attestation: all but the first refused.
      throw new TypeError(`@${name} on ${usage.origin}: consume: true belongs on a field, not on a type or interface`);
    }
    if (spends && replayCache === undefined) {
      throw new TypeError(`@${name} on ${usage.origin}: consume: true needs the directive's replayCache option`);
    }
    const { rank, spendsAt } = protectionRegistry.requiresAttestation;
    const protections: FieldProtection[] = [
      fieldProtection(resolved, usage, coordinate, rank, {
        check: verifiedCheck(usage.args['bindToAuthorization'] === true ? 'required' : 'ignored'),
        prepare: verification,
        perRequest: true,
      }),
    ];
    if (spends) protections.push(fieldProtection(resolved, usage, coordinate, spendsAt, { check: spendingCheck }));
    return protections;
  });
  return { ...directive, waiver, probe };
}
