/** What a captcha provider said about one token, normalised across providers. */
export interface CaptchaVerdict {
  /** The provider's `success`. */
  readonly success: boolean;
  /** reCAPTCHA v3's score (0.0 bot … 1.0 human), when the provider gives one. */
  readonly score: number | undefined;
  /** The action the token was made for, when the provider reports one. */
  readonly action: string | undefined;
  /** The site hostname (or app package name) where the challenge was solved. */
  readonly hostname: string | undefined;
  /** When the challenge was solved, in milliseconds since the epoch. */
  readonly challengeAt: number | undefined;
  /** The provider's `error-codes`. */
  readonly errorCodes: readonly string[];
}

/** Which verdict fields a provider must report for a successful token to be checked at all. */
export interface CaptchaFieldsReported {
  readonly score: boolean;
  readonly action: boolean;
}

/**
 * A captcha provider's verification (siteverify). Resolves with the provider's verdict; rejects
 * with {@link CaptchaProviderUnavailableError} when the provider cannot be reached, times out, or
 * answers anything but a well-formed verdict.
 */
export interface CaptchaVerifier {
  /** The provider's name, e.g. `recaptcha-v3`. */
  readonly name: string;
  /** The fields its verdicts carry (a successful verdict lacking one is refused). */
  readonly reports: CaptchaFieldsReported;
  verify(token: string, remoteIp: string | undefined): Promise<CaptchaVerdict>;
}

/** The provider could not give a verdict; the field fails closed with `PROTECTION_UNAVAILABLE`. */
export class CaptchaProviderUnavailableError extends Error {
  /** `network`: no answer (refused, reset, timed out); `answer`: an answer that is not a verdict. */
  readonly kind: 'network' | 'answer';
  constructor(kind: 'network' | 'answer', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaptchaProviderUnavailableError';
    this.kind = kind;
  }
}
