import type { SecurityContext } from '../../context/security-context.js';
import { isPromiseLike } from '../../context/request-memo.js';
import { CaptchaFailedError, CaptchaRequiredError, ProtectionUnavailableError, type RampartError } from '../../errors.js';
import type { ReplayCache } from '../../replay/replay-cache.js';
import { singleUseKey } from '../../tokens/single-use-key.js';
import { assertDirectiveName } from '../directive-name.js';
import { notifyListener } from '../notify-listener.js';
import { protectFields } from '../protect-fields.js';
import { reportingVerification } from '../reporting-verification.js';
import {
  isReportOnly,
  protectionRank,
  type CheckOutcome,
  type FieldCheck,
  type ProtectionDirective,
  type ReportOnlySetting,
} from '../protection.js';
import type { AttestationWaiver } from '../attestation-waiver.js';
import type { CaptchaVerdict, CaptchaVerifier } from './captcha-verifier.js';

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

/** Options of {@link captchaDirective}. */
export interface CaptchaOptions {
  /** The provider: `recaptchaV3Verifier`, `hcaptchaVerifier`, `turnstileVerifier`, or the development one. */
  readonly verifier: CaptchaVerifier;
  /** Remembers used tokens (a hash of each) so that a token passes once, before any provider call. */
  readonly replayCache: ReplayCache;
  /** Site hostnames (or app package names) where tokens may have been solved. */
  readonly hostnames: readonly string[];
  /**
   * The directive's name in SDL.
   * @default 'captcha'
   */
  readonly name?: string;
  /**
   * The request header carrying the token.
   * @default 'X-Captcha-Token'
   */
  readonly header?: string;
  /**
   * The lowest score accepted where the directive gives no `minScore`.
   * @default 0.5
   */
  readonly minScore?: number;
  /**
   * The oldest challenge accepted (`challenge_ts`), in seconds.
   * @default 120
   */
  readonly maxAgeSeconds?: number;
  /**
   * The longest token accepted, in characters; longer ones are refused before any provider call.
   * @default 4096
   */
  readonly maxTokenLength?: number;
  /**
   * Provider calls in flight at once; more are refused with `PROTECTION_UNAVAILABLE` at once, so
   * that a slow provider cannot pile up requests.
   * @default 32
   */
  readonly maxConcurrentVerifications?: number;
  /**
   * What waives the captcha on `skipIfAttested` fields: the `@requiresAttestation` directive (its
   * `waiver`). A waiver is as strict as that directive and spends the attestation, one per call.
   */
  readonly attestation?: { readonly waiver: AttestationWaiver | undefined };
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** Told when the provider or the replay cache fails (the error only, never the token or secret). */
  readonly onDependencyError?: (error: unknown) => void;
  /**
   * Report-only mode, for rolling the protection out: `true` for every field, or a list of
   * `Type.field` coordinates. Refusals are reported to the observer as `would_refuse` and the
   * call goes through. Never the default.
   * @default false
   */
  readonly reportOnly?: ReportOnlySetting;
}

type Verification = { readonly ok: true; readonly verdict: CaptchaVerdict } | { readonly ok: false; readonly error: RampartError };

const tokenPattern = /^[\x21-\x7e]+$/;
/** Where widgets and clients put tokens in URLs; such a request is refused. */
const captchaQueryParameters = ['captcha', 'captcha_token', 'captcha-token', 'g-recaptcha-response', 'h-captcha-response', 'cf-turnstile-response'];

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
 * request (an alias, another field, a list item) is `CAPTCHA_FAILED` (replayed). No token: `CAPTCHA_REQUIRED`;
 * anything wrong: `CAPTCHA_FAILED`; provider down, slow or answering garbage:
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
export function captchaDirective(options: CaptchaOptions): ProtectionDirective {
  if (options === null || typeof options !== 'object' || typeof options.verifier?.verify !== 'function') {
    throw new TypeError('captchaDirective: verifier must implement CaptchaVerifier');
  }
  if (typeof options.replayCache?.firstUse !== 'function') throw new TypeError('captchaDirective: replayCache is required');
  const hostnames = new Set((options.hostnames ?? []).map((hostname) => hostname.toLowerCase()));
  if (hostnames.size === 0) throw new TypeError('captchaDirective: hostnames must list where tokens may be solved');
  const name = options.name ?? 'captcha';
  assertDirectiveName(name, 'captchaDirective');
  const headerLabel = options.header ?? 'X-Captcha-Token';
  const header = headerLabel.toLowerCase();
  const defaultMinScore = options.minScore ?? 0.5;
  if (!(defaultMinScore >= 0 && defaultMinScore <= 1)) throw new TypeError('captchaDirective: minScore must be from 0 to 1');
  const maxAgeMs = (options.maxAgeSeconds ?? 120) * 1000;
  if (!(maxAgeMs > 0 && maxAgeMs <= 3_600_000)) throw new TypeError('captchaDirective: maxAgeSeconds must be from 1 to 3600');
  const maxTokenLength = options.maxTokenLength ?? 4096;
  const maxConcurrent = options.maxConcurrentVerifications ?? 32;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new TypeError('captchaDirective: maxConcurrentVerifications must be >= 1');
  const clock = options.clock ?? Date.now;
  const { verifier, replayCache } = options;
  const refusedQueryParameters = new Set([header, ...captchaQueryParameters]);
  let inFlight = 0;

  const failed = (reason: string): Verification => ({ ok: false, error: new CaptchaFailedError(undefined, reason) });
  const unavailable = (error: unknown, reason: string): Verification => {
    notifyListener(options.onDependencyError, error);
    return { ok: false, error: new ProtectionUnavailableError(undefined, reason) };
  };
  const required = (reason: string, message?: string): Verification => ({ ok: false, error: new CaptchaRequiredError(message, reason) });

  const callProvider = async (token: string, remoteIp: string | undefined): Promise<Verification> => {
    if (inFlight >= maxConcurrent) return unavailable(new Error('too many captcha verifications in flight'), 'captcha_provider_saturated');
    inFlight++;
    try {
      const verdict = await verifier.verify(token, remoteIp);
      return { ok: true, verdict };
    } catch (error) {
      return unavailable(error, 'captcha_provider_unavailable');
    } finally {
      inFlight--;
    }
  };

  const verify = reportingVerification('captcha', (security: SecurityContext): Verification | Promise<Verification> => {
    for (const parameter of security.queryParameterNames) {
      if (refusedQueryParameters.has(parameter)) {
        return required('token_in_url', `Captcha tokens are accepted only in the ${headerLabel} header, never in the URL.`);
      }
    }
    const values = security.headerValues(header);
    if (values.length > 1) return failed('duplicate_header');
    const token = (values[0] ?? '').trim();
    if (token.length === 0) {
      return required('missing', `This field requires a human-verification (captcha) token in the ${headerLabel} header.`);
    }
    if (token.length > maxTokenLength || !tokenPattern.test(token)) return failed('malformed');
    const now = clock();
    let first: boolean | Promise<boolean>;
    try {
      first = replayCache.firstUse(`captcha:${singleUseKey(token)}`, now + maxAgeMs + 60_000);
    } catch (error) {
      return unavailable(error, 'captcha_replay_cache_unavailable');
    }
    const remoteIp = security.clientIp === 'unknown' ? undefined : security.clientIp;
    return Promise.resolve(first).then(
      (isFirst) => (isFirst ? callProvider(token, remoteIp) : failed('replayed')),
      (error: unknown) => unavailable(error, 'captcha_replay_cache_unavailable'),
    );
  });

  const judge = (verification: Verification, action: string, minScore: number | undefined): CheckOutcome => {
    if (!verification.ok) return verification.error;
    const { verdict } = verification;
    if (!verdict.success) {
      return new CaptchaFailedError(undefined, verdict.errorCodes.includes('timeout-or-duplicate') ? 'replayed_at_provider' : 'rejected');
    }
    if (verifier.reports.action && verdict.action === undefined) return new CaptchaFailedError(undefined, 'no_action');
    if (verdict.action !== undefined && verdict.action !== action) return new CaptchaFailedError(undefined, 'wrong_action');
    if (verdict.hostname === undefined || !hostnames.has(verdict.hostname.toLowerCase())) return new CaptchaFailedError(undefined, 'wrong_hostname');
    if (verdict.challengeAt === undefined) return new CaptchaFailedError(undefined, 'no_challenge_ts');
    const age = clock() - verdict.challengeAt;
    if (age > maxAgeMs || age < -60_000) return new CaptchaFailedError(undefined, 'stale_challenge');
    const threshold = minScore ?? (verifier.reports.score ? defaultMinScore : undefined);
    if (threshold !== undefined) {
      if (verdict.score === undefined) return new CaptchaFailedError(undefined, 'no_score');
      if (verdict.score < threshold) return new CaptchaFailedError(undefined, 'low_score');
    }
    return undefined;
  };

  const memoKey = {};
  const spentKey = {};
  const checkFor = (action: string, minScore: number | undefined, skipIfAttested: boolean): FieldCheck => {
    // Single use means one call: the first call of any @captcha field in the request spends the
    // token (the provider is asked once); every further call is a replay.
    const spend = (security: SecurityContext, verification: Verification): CheckOutcome => {
      // No token: nothing to spend, every call asks for one.
      if (!verification.ok && verification.error instanceof CaptchaRequiredError) return verification.error;
      if (!security.memo.claim(spentKey)) return new CaptchaFailedError(undefined, 'replayed');
      return judge(verification, action, minScore);
    };
    const decide = (security: SecurityContext): CheckOutcome | Promise<CheckOutcome> =>
      security.memo.apply(memoKey, verify, security, (verification: Verification) => spend(security, verification));
    if (!skipIfAttested) return decide;
    const waiver = options.attestation?.waiver as AttestationWaiver;
    // An attestation that is missing, invalid, bound elsewhere, already spent or unverifiable
    // waives nothing: the captcha is then required as on any other field.
    return (security) => {
      let waived: CheckOutcome | Promise<CheckOutcome>;
      try {
        waived = waiver.waive(security);
      } catch {
        return decide(security);
      }
      if (!isPromiseLike(waived)) return waived === undefined ? undefined : decide(security);
      return Promise.resolve(waived).then(
        (refusal) => (refusal === undefined ? undefined : decide(security)),
        () => decide(security),
      );
    };
  };

  return {
    name,
    typeDefs: captchaTypeDefs(name),
    transformer: (schema) =>
      protectFields(schema, name, (usage, coordinate) => {
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
        if (skipIfAttested && options.attestation?.waiver === undefined) {
          throw new TypeError(
            `${where}: skipIfAttested needs the directive's attestation option, an attestation directive with a replayCache (a waiver spends the attestation)`,
          );
        }
        return {
          directive: name,
          rank: protectionRank.captcha,
          origin: usage.origin,
          check: checkFor(action, typeof minScore === 'number' ? minScore : undefined, skipIfAttested),
          reportOnly: isReportOnly(options.reportOnly, coordinate),
        };
      }),
  };
}
