import type { ReplayCache } from '../../replay/replay-cache.js';
import type { VerifiedTokenCacheOptions } from '../../tokens/verified-token-cache.js';
import { hasMethod, isList, isObject } from '../../shape-checks.js';
import { resolveBaseOptions, type BaseDirectiveOptions, type ResolvedBaseOptions } from '../base-options.js';
import type { AttestationVerifier } from './attestation-verifier.js';

/** Options of {@link requiresAttestationDirective}. */
export interface RequiresAttestationOptions extends BaseDirectiveOptions {
  /** The formats accepted; the first whose header the request carries verifies it. */
  readonly verifiers: readonly AttestationVerifier[];
  /**
   * Remembers consumed tokens (Redis when several instances run); required by `consume: true` and
   * by the waiver (`@captcha(skipIfAttested: true)`), which spend the token.
   * @default none
   */
  readonly replayCache?: ReplayCache | undefined;
  /**
   * The longest token accepted, in characters, checked before any parsing.
   * @default 4096
   */
  readonly maxTokenLength?: number | undefined;
  /**
   * Verified tokens remembered across requests (hash of the token, never past `exp`); `false`
   * turns it off. Consumption is always checked against the replay cache.
   * @default { maxEntries: 10000, maxAgeMs: 300000 }
   */
  readonly tokenCache?: VerifiedTokenCacheOptions | false | undefined;
}

/** {@link RequiresAttestationOptions} with defaults applied. */
export interface ResolvedRequiresAttestationOptions extends ResolvedBaseOptions {
  readonly verifiers: readonly AttestationVerifier[];
  readonly replayCache: ReplayCache | undefined;
  readonly maxTokenLength: number;
  readonly tokenCache: VerifiedTokenCacheOptions | false;
}

/** Applies defaults without touching the caller's object; throws `TypeError` for bad options. */
export function resolveRequiresAttestationOptions(options: RequiresAttestationOptions): ResolvedRequiresAttestationOptions {
  if (!isObject(options) || !isList(options.verifiers) || options.verifiers.length === 0) {
    throw new TypeError('requiresAttestationDirective: verifiers must list at least one attestation format');
  }
  const base = resolveBaseOptions(options, 'requiresAttestation');
  const maxTokenLength = options.maxTokenLength ?? 4096;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 256 || maxTokenLength > 65_536) {
    throw new TypeError('requiresAttestationDirective: maxTokenLength must be an integer from 256 to 65536');
  }
  if (options.replayCache !== undefined && !hasMethod(options.replayCache, 'firstUse')) {
    throw new TypeError('requiresAttestationDirective: replayCache must implement ReplayCache');
  }
  return {
    ...base,
    verifiers: [...options.verifiers],
    replayCache: options.replayCache,
    maxTokenLength,
    tokenCache: options.tokenCache ?? {},
  };
}
