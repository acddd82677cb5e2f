import { randomUUID } from 'node:crypto';
import { CaptchaProviderUnavailableError, type CaptchaVerifier } from './captcha-verifier.js';
import { postSiteverify, resolveSiteverify, type SiteverifyOptions } from './siteverify.js';

/** Google reCAPTCHA v3: scores, actions, hostnames. */
export function recaptchaV3Verifier(options: SiteverifyOptions): CaptchaVerifier {
  const resolved = resolveSiteverify(options, 'recaptchaV3Verifier', 'https://www.google.com/recaptcha/api/siteverify');
  return {
    name: 'recaptcha-v3',
    reports: { score: true, action: true },
    verify: (token, remoteIp) =>
      postSiteverify(resolved.endpoint, { secret: resolved.secret, response: token, remoteip: remoteIp }, resolved),
  };
}

/** Options of {@link hcaptchaVerifier}. */
export interface HcaptchaVerifierOptions extends SiteverifyOptions {
  /** The site key the token must have been made with (sent as `sitekey`, as hCaptcha recommends). */
  readonly sitekey?: string;
}

/** hCaptcha: hostnames; scores only on Enterprise, so `minScore` needs an Enterprise verdict. */
export function hcaptchaVerifier(options: HcaptchaVerifierOptions): CaptchaVerifier {
  const resolved = resolveSiteverify(options, 'hcaptchaVerifier', 'https://api.hcaptcha.com/siteverify');
  return {
    name: 'hcaptcha',
    reports: { score: false, action: false },
    verify: (token, remoteIp) =>
      postSiteverify(
        resolved.endpoint,
        { secret: resolved.secret, response: token, remoteip: remoteIp, sitekey: options.sitekey },
        resolved,
      ),
  };
}

/**
 * Cloudflare Turnstile: actions, hostnames. A verification that fails on the network is retried
 * once with the same `idempotency_key`, so that Turnstile answers the retry as the first call
 * (its tokens are single use).
 */
export function turnstileVerifier(options: SiteverifyOptions): CaptchaVerifier {
  const resolved = resolveSiteverify(options, 'turnstileVerifier', 'https://challenges.cloudflare.com/turnstile/v0/siteverify');
  return {
    name: 'turnstile',
    reports: { score: false, action: true },
    async verify(token, remoteIp) {
      const form = { secret: resolved.secret, response: token, remoteip: remoteIp, idempotency_key: randomUUID() };
      try {
        return await postSiteverify(resolved.endpoint, form, resolved);
      } catch (error) {
        if (!(error instanceof CaptchaProviderUnavailableError) || error.kind !== 'network') throw error;
        return postSiteverify(resolved.endpoint, form, resolved);
      }
    },
  };
}
