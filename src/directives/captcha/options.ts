import type { ReplayCache } from '../../replay/replay-cache.js';
import { hasMethod, isObject } from '../../shape-checks.js';
import type { AttestationWaiver } from '../attestation-interfaces.js';
import { resolveBaseOptions, type BaseDirectiveOptions, type ResolvedBaseOptions } from '../base-options.js';
import type { CaptchaVerifier } from './captcha-verifier.js';

/** Options of {@link captchaDirective}. */
export interface CaptchaOptions extends BaseDirectiveOptions {
  /** The provider: `recaptchaV3Verifier`, `hcaptchaVerifier`, `turnstileVerifier`, or the development one. */
  readonly verifier: CaptchaVerifier;
  /** Remembers used tokens (a hash of each) so that a token passes once, before any provider call. */
  readonly replayCache: ReplayCache;
  /** Site hostnames (or app package names) where tokens may have been solved. */
  readonly hostnames: readonly string[];
  /**
   * The request header carrying the token.
   * @default 'X-Captcha-Token'
   */
  readonly header?: string | undefined;
  /**
   * The lowest score accepted where the directive gives no `minScore`.
   * @default 0.5
   */
  readonly minScore?: number | undefined;
  /**
   * The oldest challenge accepted (`challenge_ts`), in seconds.
   * @default 120
   */
  readonly maxAgeSeconds?: number | undefined;
  /**
   * The longest token accepted, in characters; longer ones are refused before any provider call.
   * @default 4096
   */
  readonly maxTokenLength?: number | undefined;
  /**
   * Provider calls in flight at once; more are refused with `PROTECTION_UNAVAILABLE` at once, so
   * that a slow provider cannot pile up requests.
   * @default 32
   */
  readonly maxConcurrentVerifications?: number | undefined;
  /**
   * What waives the captcha on `skipIfAttested` fields: the `@requiresAttestation` directive (its
   * `waiver`). A waiver is as strict as that directive and spends the attestation, one per call.
   * @default none (skipIfAttested fails the build)
   */
  readonly attestation?: { readonly waiver: AttestationWaiver | undefined } | undefined;
}

/** {@link CaptchaOptions} with defaults applied. */
export interface ResolvedCaptchaOptions extends ResolvedBaseOptions {
  readonly verifier: CaptchaVerifier;
  readonly replayCache: ReplayCache;
  /** Lower case. */
  readonly hostnames: ReadonlySet<string>;
  /** As configured, for messages. */
  readonly headerLabel: string;
  /** Lower case, for lookups. */
  readonly header: string;
  readonly minScore: number;
  readonly maxAgeMs: number;
  readonly maxTokenLength: number;
  readonly maxConcurrentVerifications: number;
  readonly waiver: AttestationWaiver | undefined;
}

/** Applies defaults without touching the caller's object; throws `TypeError` for bad options. */
export function resolveCaptchaOptions(options: CaptchaOptions): ResolvedCaptchaOptions {
  if (!isObject(options) || !hasMethod(options.verifier, 'verify')) {
    throw new TypeError('captchaDirective: verifier must implement CaptchaVerifier');
  }
  if (!hasMethod(options.replayCache, 'firstUse')) throw new TypeError('captchaDirective: replayCache is required');
  // Required, but a plain-JavaScript caller may leave it out: then the check below names it.
  const hostnames = new Set(((options.hostnames as readonly string[] | undefined) ?? []).map((hostname) => hostname.toLowerCase()));
  if (hostnames.size === 0) throw new TypeError('captchaDirective: hostnames must list where tokens may be solved');
  const base = resolveBaseOptions(options, 'captcha');
  const headerLabel = options.header ?? 'X-Captcha-Token';
  const minScore = options.minScore ?? 0.5;
  if (!(minScore >= 0 && minScore <= 1)) throw new TypeError('captchaDirective: minScore must be from 0 to 1');
  const maxAgeMs = (options.maxAgeSeconds ?? 120) * 1000;
  if (!(maxAgeMs > 0 && maxAgeMs <= 3_600_000)) throw new TypeError('captchaDirective: maxAgeSeconds must be from 1 to 3600');
  const maxConcurrentVerifications = options.maxConcurrentVerifications ?? 32;
  if (!Number.isInteger(maxConcurrentVerifications) || maxConcurrentVerifications < 1) {
    throw new TypeError('captchaDirective: maxConcurrentVerifications must be >= 1');
  }
  return {
    ...base,
    verifier: options.verifier,
    replayCache: options.replayCache,
    hostnames,
    headerLabel,
    header: headerLabel.toLowerCase(),
    minScore,
    maxAgeMs,
    maxTokenLength: options.maxTokenLength ?? 4096,
    maxConcurrentVerifications,
    waiver: options.attestation?.waiver,
  };
}
