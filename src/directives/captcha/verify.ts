import type { SecurityContext } from '../../context/security-context.js';
import { foldParameterName } from '../../context/query-parameters.js';
import { CaptchaFailedError, CaptchaRequiredError, ProtectionUnavailableError, type RampartError } from '../../errors.js';
import { singleUseKey } from '../../tokens/single-use-key.js';
import { notifyListener } from '../notify-listener.js';
import type { CheckOutcome } from '../protection.js';
import type { CaptchaVerdict } from './captcha-verifier.js';
import type { ResolvedCaptchaOptions } from './options.js';

/** The outcome of verifying a request's captcha token once: the provider's verdict, or a refusal. */
export type CaptchaVerification =
  { readonly ok: true; readonly verdict: CaptchaVerdict } | { readonly ok: false; readonly error: RampartError };

/** What one `@captcha` usage demands of the verdict. */
export interface CaptchaRequirement {
  readonly action: string;
  /** The usage's own lowest score, or `undefined` for the option's. */
  readonly minScore: number | undefined;
}

const tokenPattern = /^[\x21-\x7e]+$/;
/** Where widgets and clients put tokens in URLs; such a request is refused. */
const captchaQueryParameters = [
  'captcha',
  'captcha_token',
  'captcha-token',
  'g-recaptcha-response',
  'h-captcha-response',
  'cf-turnstile-response',
];

/**
 * The captcha protocol. `verify` reads the request's token (header only, never the URL), refuses a
 * duplicated, empty, oversized or malformed one, records it in the replay cache before any
 * provider call (a replay is refused locally), and asks the provider (at most
 * `maxConcurrentVerifications` at once). `judge` checks the verdict beyond `success` for one usage:
 * action, hostname, challenge age, score.
 */
export function createCaptchaProtocol(options: ResolvedCaptchaOptions): {
  readonly verify: (security: SecurityContext) => CaptchaVerification | Promise<CaptchaVerification>;
  readonly judge: (verification: CaptchaVerification, requirement: CaptchaRequirement) => CheckOutcome;
} {
  const { verifier, replayCache, hostnames, header, headerLabel, maxAgeMs, maxTokenLength, clock } = options;
  const refusedQueryParameters = new Set([header, ...captchaQueryParameters].map(foldParameterName));
  let inFlight = 0;

  const failed = (reason: string): CaptchaVerification => ({ ok: false, error: new CaptchaFailedError(undefined, reason) });
  const unavailable = (error: unknown, reason: string): CaptchaVerification => {
    notifyListener(options.onDependencyError, error);
    return { ok: false, error: new ProtectionUnavailableError(undefined, reason) };
  };
  const required = (reason: string, message?: string): CaptchaVerification => ({
    ok: false,
    error: new CaptchaRequiredError(message, reason),
  });

  const callProvider = async (token: string, remoteIp: string | undefined): Promise<CaptchaVerification> => {
    if (inFlight >= options.maxConcurrentVerifications) {
      return unavailable(new Error('too many captcha verifications in flight'), 'captcha_provider_saturated');
    }
    inFlight++;
    try {
      return { ok: true, verdict: await verifier.verify(token, remoteIp) };
    } catch (error) {
      return unavailable(error, 'captcha_provider_unavailable');
    } finally {
      inFlight--;
    }
  };

  const verify = (security: SecurityContext): CaptchaVerification | Promise<CaptchaVerification> => {
    for (const parameter of security.queryParameterNames) {
      if (refusedQueryParameters.has(foldParameterName(parameter))) {
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
    let first: boolean | Promise<boolean>;
    try {
      first = replayCache.firstUse(`captcha:${singleUseKey(token)}`, clock() + maxAgeMs + 60_000);
    } catch (error) {
      return unavailable(error, 'captcha_replay_cache_unavailable');
    }
    const remoteIp = security.clientIp === 'unknown' ? undefined : security.clientIp;
    return Promise.resolve(first).then(
      (isFirst) => (isFirst ? callProvider(token, remoteIp) : failed('replayed')),
      (error: unknown) => unavailable(error, 'captcha_replay_cache_unavailable'),
    );
  };

  const judge = (verification: CaptchaVerification, requirement: CaptchaRequirement): CheckOutcome => {
    if (!verification.ok) return verification.error;
    const { verdict } = verification;
    if (!verdict.success) {
      return new CaptchaFailedError(undefined, verdict.errorCodes.includes('timeout-or-duplicate') ? 'replayed_at_provider' : 'rejected');
    }
    if (verifier.reports.action && verdict.action === undefined) return new CaptchaFailedError(undefined, 'no_action');
    if (verdict.action !== undefined && verdict.action !== requirement.action) return new CaptchaFailedError(undefined, 'wrong_action');
    if (verdict.hostname === undefined || !hostnames.has(verdict.hostname.toLowerCase()))
      return new CaptchaFailedError(undefined, 'wrong_hostname');
    if (verdict.challengeAt === undefined) return new CaptchaFailedError(undefined, 'no_challenge_ts');
    const age = clock() - verdict.challengeAt;
    if (age > maxAgeMs || age < -60_000) return new CaptchaFailedError(undefined, 'stale_challenge');
    const threshold = requirement.minScore ?? (verifier.reports.score ? options.minScore : undefined);
    if (threshold !== undefined) {
      if (verdict.score === undefined) return new CaptchaFailedError(undefined, 'no_score');
      if (verdict.score < threshold) return new CaptchaFailedError(undefined, 'low_score');
    }
    return undefined;
  };

  return { verify, judge };
}
