import { isPromiseLike } from '../../context/request-memo.js';
import type { SecurityContext } from '../../context/security-context.js';
import { CaptchaFailedError, CaptchaRequiredError } from '../../errors.js';
import { protectionRegistry } from '../../protection-registry.js';
import type { AttestationWaiver } from '../attestation-interfaces.js';
import { fieldProtection } from '../base-options.js';
import { defineProtectionDirective } from '../protect-fields.js';
import type { CheckOutcome, FieldCheck, ProtectionDirective } from '../protection.js';
import { reportingVerification } from '../reporting-verification.js';
import { resolveCaptchaOptions, type CaptchaOptions } from './options.js';
import { createCaptchaProtocol, type CaptchaRequirement, type CaptchaVerification } from './verify.js';

/** The SDL of `@captcha` under the given name. */
export function captchaTypeDefs(name = 'captcha'): string {
  return `"""
The call must carry a fresh, single-use human-verification token (reCAPTCHA v3, hCaptcha or
Turnstile) made for this action, in the X-Captcha-Token header. Threat: scripted form submission
(fake sign-ups, review spam). Solved by farms and machine learning, so never the only layer.
"""
directive @${name}(
  """The action the token must have been made for (compared with the provider's verdict)."""
  action: String!
  """The lowest score accepted (reCAPTCHA v3, hCaptcha Enterprise). Default: the directive's option."""
  minScore: Float
  """A valid app attestation on the same request stands in for the captcha."""
  skipIfAttested: Boolean = false
) on FIELD_DEFINITION
`;
}

/** What {@link captchaDirective} returns. */
export type CaptchaDirective = ProtectionDirective;

/**
 * `@captcha(action: String!, minScore: Float, skipIfAttested: Boolean)`: the call must carry a
 * fresh, single-use human-verification token for this action. Threat mitigated: scripted form
 * submission (fake sign-ups, review spam). Captchas cost conversions and are solved by farms, so
 * use them where they earn their friction, and let attested apps skip them.
 *
 * The token is read from a header (never the URL), refused when replayed before any provider call,
 * verified with the provider's documented siteverify protocol once per request, and checked beyond
 * `success`: action, hostname allow-list, challenge age, score. A token buys exactly one protected
 * call: the first call of a `@captcha` field in a request spends it, and any further call in that
 * request (an alias, another field, a list item) is `CAPTCHA_FAILED` (replayed). No token:
 * `CAPTCHA_REQUIRED`; anything wrong: `CAPTCHA_FAILED`; provider down, slow or answering garbage:
 * `PROTECTION_UNAVAILABLE`. Checked last, after rate limits, so a throttled call burns no token.
 *
 * @example
 * ```ts
 * const captcha = captchaDirective({
 *   verifier: recaptchaV3Verifier({ secret: process.env.RECAPTCHA_SECRET }),
 *   replayCache: new RedisReplayCache(redis),
 *   hostnames: ['shop.example.com'],
 *   attestation,
 * });
 * // signUp(...): User @captcha(action: "signup", skipIfAttested: true)
 * ```
 */
export function captchaDirective(options: CaptchaOptions): CaptchaDirective {
  const resolved = resolveCaptchaOptions(options);
  const { name, waiver } = resolved;
  const protocol = createCaptchaProtocol(resolved);
  const verify = reportingVerification('captcha', protocol.verify);
  const verificationKey = {};
  const spentKey = {};

  const checkFor = (requirement: CaptchaRequirement, skipIfAttested: boolean): FieldCheck => {
    // Single use means one call: the first call of any @captcha field in the request spends the
    // token (the provider is asked once); every further call is a replay.
    const spend = (security: SecurityContext, verification: CaptchaVerification): CheckOutcome => {
      // No token: nothing to spend, every call asks for one.
      if (!verification.ok && verification.error instanceof CaptchaRequiredError) return verification.error;
      if (!security.memo.claim(spentKey)) return new CaptchaFailedError(undefined, 'replayed');
      return protocol.judge(verification, requirement);
    };
    const decide = (security: SecurityContext): CheckOutcome | Promise<CheckOutcome> =>
      security.memo.apply(verificationKey, verify, security, (verification: CaptchaVerification) => spend(security, verification));
    return skipIfAttested ? waivedBy(waiver as AttestationWaiver, decide) : decide;
  };

  return defineProtectionDirective(name, captchaTypeDefs(name), (usage, coordinate) => {
    const where = `@${name} on ${usage.origin}`;
    const action = usage.args['action'];
    if (typeof action !== 'string' || !/^[A-Za-z0-9_/]{1,100}$/.test(action)) {
      throw new TypeError(`${where}: action must be 1 to 100 characters of A-Z a-z 0-9 _ /`);
    }
    const minScore = usage.args['minScore'];
    if (minScore !== undefined && minScore !== null && !(typeof minScore === 'number' && minScore >= 0 && minScore <= 1)) {
      throw new TypeError(`${where}: minScore must be from 0 to 1`);
    }
    const skipIfAttested = usage.args['skipIfAttested'] === true;
    if (skipIfAttested && waiver === undefined) {
      throw new TypeError(
        `${where}: skipIfAttested needs the directive's attestation option, an attestation directive with a replayCache (a waiver spends the attestation)`,
      );
    }
    return fieldProtection(resolved, usage, coordinate, protectionRegistry.captcha.rank, {
      check: checkFor({ action, minScore: typeof minScore === 'number' ? minScore : undefined }, skipIfAttested),
    });
  });
}

/**
 * A check that the request's attestation waives through `waiver`, else `decide`s. An attestation
 * that is missing, invalid, bound elsewhere, already spent or unverifiable waives nothing: the
 * captcha is then required as on any other field.
 */
function waivedBy(waiver: AttestationWaiver, decide: FieldCheck): FieldCheck {
  return (security, args, info) => {
    let waived: CheckOutcome | Promise<CheckOutcome>;
    try {
      waived = waiver.waive(security);
    } catch {
      return decide(security, args, info);
    }
    if (!isPromiseLike(waived)) return waived === undefined ? undefined : decide(security, args, info);
    return Promise.resolve(waived).then(
      (refusal) => (refusal === undefined ? undefined : decide(security, args, info)),
      () => decide(security, args, info),
    );
  };
}
