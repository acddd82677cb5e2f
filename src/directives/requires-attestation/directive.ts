import type { SecurityContext } from '../../context/security-context.js';
import { isPromiseLike } from '../../context/request-memo.js';
import {
  AttestationInvalidError,
  AttestationRequiredError,
  ProtectionUnavailableError,
  type RampartError,
} from '../../errors.js';
import type { ReplayCache } from '../../replay/replay-cache.js';
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from '../../tokens/verified-token-cache.js';
import { assertDirectiveName } from '../directive-name.js';
import { notifyListener } from '../notify-listener.js';
import { protectFields } from '../protect-fields.js';
import { reportingVerification } from '../reporting-verification.js';
import {
  isReportOnly,
  protectionRank,
  type CheckOutcome,
  type FieldProtection,
  type ProtectionDirective,
  type ReportOnlySetting,
} from '../protection.js';
import { compactJws } from '../../tokens/compact-jws.js';
import type { AttestationWaiver } from '../attestation-waiver.js';
import { AttestationRejectedError, type AttestationVerifier, type VerifiedAttestation } from './attestation-verifier.js';
import { bindingHashOf, bindingMatches } from './token-binding.js';

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

/** Options of {@link requiresAttestationDirective}. */
export interface RequiresAttestationOptions {
  /** The formats accepted; the first whose header the request carries verifies it. */
  readonly verifiers: readonly AttestationVerifier[];
  /** Remembers consumed tokens; required when a usage says `consume: true`. */
  readonly replayCache?: ReplayCache;
  /**
   * The directive's name in SDL.
   * @default 'requiresAttestation'
   */
  readonly name?: string;
  /**
   * The longest token accepted, in characters, checked before any parsing.
   * @default 4096
   */
  readonly maxTokenLength?: number;
  /**
   * Verified tokens remembered across requests (hash of the token, never past `exp`); `false`
   * turns it off. Consumption is always checked against the replay cache.
   * @default { maxEntries: 10000, maxAgeMs: 300000 }
   */
  readonly tokenCache?: VerifiedTokenCacheOptions | false;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** Told when a verifier's dependency or the replay cache fails (the error only). */
  readonly onDependencyError?: (error: unknown) => void;
  /**
   * Report-only mode, for rolling the protection out: `true` for every field, or a list of
   * `Type.field` coordinates. Refusals are reported to the observer as `would_refuse` and the
   * call goes through. Never the default.
   * @default false
   */
  readonly reportOnly?: ReportOnlySetting;
}

/** What a request's attestation proved, as resolvers and rate limits see it. */
export interface ProvenAttestation {
  readonly provider: string;
  readonly appId: string | undefined;
  /** The app instance (Approov `did`), a rate-limit identity. */
  readonly deviceId: string | undefined;
  readonly expiresAt: number;
}

type Verification =
  | { readonly ok: true; readonly attestation: VerifiedAttestation; readonly verifier: AttestationVerifier }
  | { readonly ok: false; readonly error: RampartError };

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
export function requiresAttestationDirective(options: RequiresAttestationOptions): ProtectionDirective & {
  /**
   * The request's attestation standing in for another proof on one call (`@captcha`'s
   * `skipIfAttested`, or a host's own condition): as strict as the directive, and it spends the
   * attestation. `undefined` without a `replayCache`, which spending needs.
   */
  readonly waiver: AttestationWaiver | undefined;
} {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.verifiers) || options.verifiers.length === 0) {
    throw new TypeError('requiresAttestationDirective: verifiers must list at least one attestation format');
  }
  const name = options.name ?? 'requiresAttestation';
  assertDirectiveName(name, 'requiresAttestationDirective');
  const maxTokenLength = options.maxTokenLength ?? 4096;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 256 || maxTokenLength > 65_536) {
    throw new TypeError('requiresAttestationDirective: maxTokenLength must be an integer from 256 to 65536');
  }
  const clock = options.clock ?? Date.now;
  const cache = options.tokenCache === false ? undefined : new VerifiedTokenCache<VerifiedAttestation>({ clock, ...options.tokenCache });
  const report = (error: unknown) => notifyListener(options.onDependencyError, error);
  const verifiers = [...options.verifiers];

  const invalid = (reason: string): Verification => ({
    ok: false,
    error: new AttestationInvalidError(undefined, reason),
  });
  const unavailable = (error: unknown): Verification => {
    report(error);
    return { ok: false, error: new ProtectionUnavailableError(undefined, 'attestation_dependency_unavailable') };
  };

  const accept = (security: SecurityContext, verifier: AttestationVerifier, attestation: VerifiedAttestation): Verification => {
    security.proven.attestation = Object.freeze({
      provider: attestation.provider,
      appId: attestation.appId,
      deviceId: attestation.deviceId,
      expiresAt: attestation.expiresAt,
    });
    return { ok: true, attestation, verifier };
  };

  const verify = reportingVerification('attestation', (security: SecurityContext): Verification | Promise<Verification> => {
    const verifier = verifiers.find((candidate) => security.headerValues(candidate.header).length > 0);
    if (verifier === undefined) {
      return {
        ok: false,
        error: new AttestationRequiredError(
          'This field requires an app attestation token (Approov-Token or X-Firebase-AppCheck). Call it from the genuine app.',
          'missing',
        ),
      };
    }
    const values = security.headerValues(verifier.header);
    if (values.length > 1) return invalid('duplicate_header');
    const token = (values[0] as string).trim();
    if (token.length === 0) {
      return { ok: false, error: new AttestationRequiredError(undefined, 'empty') };
    }
    if (token.length > maxTokenLength) return invalid('too_long');
    if (!compactJws.test(token)) return invalid('not_a_jws');
    // Keyed per format too: a token verified as one format never passes as another.
    const cacheKey = `${verifier.name}:${token}`;
    const cached = cache?.get(cacheKey);
    if (cached !== undefined) return accept(security, verifier, cached);
    let verified: VerifiedAttestation | Promise<VerifiedAttestation>;
    try {
      verified = verifier.verify(token);
    } catch (error) {
      return error instanceof AttestationRejectedError ? invalid(error.reason) : unavailable(error);
    }
    return Promise.resolve(verified).then(
      (attestation) => {
        cache?.set(cacheKey, attestation, attestation.expiresAt);
        return accept(security, verifier, attestation);
      },
      (error: unknown) => (error instanceof AttestationRejectedError ? invalid(error.reason) : unavailable(error)),
    );
  });

  const replayCache = options.replayCache;
  const consume = (outcome: Verification): CheckOutcome | Promise<CheckOutcome> => {
    if (!outcome.ok) return outcome.error;
    if (replayCache === undefined) return new ProtectionUnavailableError(undefined, 'attestation_replay_cache_missing');
    const { attestation } = outcome;
    let first: boolean | Promise<boolean>;
    try {
      first = replayCache.firstUse(`attestation:${attestation.provider}:${attestation.tokenId}`, attestation.acceptedUntil);
    } catch (error) {
      return unavailableOutcome(error);
    }
    return Promise.resolve(first).then(
      (isFirst) => (isFirst ? undefined : new AttestationInvalidError(undefined, 'replayed')),
      unavailableOutcome,
    );
  };
  const checkFailed = (): RampartError => new ProtectionUnavailableError(undefined, 'check_failed');
  const unavailableOutcome = (error: unknown): RampartError => {
    report(error);
    return new ProtectionUnavailableError(undefined, 'attestation_replay_cache_unavailable');
  };

  const verificationKey = {};
  const bindingKey = {};
  const consumptionKey = {};
  const verification = (security: SecurityContext) => security.memo.get(verificationKey, verify, security);
  const requestBinding = (security: SecurityContext, verifier: AttestationVerifier) =>
    security.memo.get(bindingKey, () => bindingHashOf(verifier.bindingHeaders.map((header) => security.header(header))), undefined);

  /**
   * How a usage treats the token's binding: `required` (bindToAuthorization: the token must be
   * bound to this request), `ifBound` (a bound token must match this request; an unbound one
   * passes), `ignored` (a plain usage).
   */
  type BindingRule = 'required' | 'ifBound' | 'ignored';
  const judge = (security: SecurityContext, rule: BindingRule) => (outcome: Verification): CheckOutcome => {
    if (!outcome.ok) return outcome.error;
    if (rule === 'ignored') return undefined;
    const { binding } = outcome.attestation;
    if (binding === undefined && rule === 'ifBound') return undefined;
    if (outcome.verifier.bindingHeaders.length === 0) return new AttestationInvalidError(undefined, 'binding_unsupported');
    if (binding === undefined) return new AttestationInvalidError(undefined, 'binding_missing');
    const expected = requestBinding(security, outcome.verifier) as string | undefined;
    return bindingMatches(binding, expected)
      ? undefined
      : new AttestationInvalidError(undefined, expected === undefined ? 'bound_header_missing' : 'binding_mismatch');
  };
  const verifiedCheck = (rule: BindingRule) => (security: SecurityContext) =>
    security.memo.apply(verificationKey, verify, security, judge(security, rule));
  // Single use means one call: the first call of a request consumes the token (once, through the
  // replay cache); any further call in the same request, an alias included, is a replay.
  const consumptionCheck = (security: SecurityContext): CheckOutcome | Promise<CheckOutcome> => {
    if (!security.memo.claim(consumptionKey)) return new AttestationInvalidError(undefined, 'replayed_in_request');
    return security.memo.apply(verificationKey, verify, security, consume);
  };
  const waiverCheck = verifiedCheck('ifBound');
  const waiver: AttestationWaiver | undefined = replayCache && {
    waive(security) {
      try {
        const verified = waiverCheck(security);
        if (!isPromiseLike(verified)) return verified ?? consumptionCheck(security);
        return Promise.resolve(verified).then((refusal) => refusal ?? consumptionCheck(security), () => checkFailed());
      } catch {
        return checkFailed();
      }
    },
  };

  return {
    name,
    typeDefs: requiresAttestationTypeDefs(name),
    waiver,
    transformer: (schema) =>
      protectFields(schema, name, (usage, coordinate) => {
        const reportOnly = isReportOnly(options.reportOnly, coordinate);
        const bind = usage.args['bindToAuthorization'] === true;
        const single = usage.args['consume'] === true;
        if (single && usage.onType) {
          // Every field of the type would spend the request's one attestation: all but the first refused.
          throw new TypeError(`@${name} on ${usage.origin}: consume: true belongs on a field, not on a type or interface`);
        }
        if (single && replayCache === undefined) {
          throw new TypeError(`@${name} on ${usage.origin}: consume: true needs the directive's replayCache option`);
        }
        const protections: FieldProtection[] = [
          {
            directive: name,
            rank: protectionRank.requiresAttestation,
            origin: usage.origin,
            check: verifiedCheck(bind ? 'required' : 'ignored'),
            prepare: verification,
            perRequest: true,
            reportOnly,
          },
        ];
        if (single) {
          protections.push({
            directive: name,
            rank: protectionRank.attestationConsumption,
            origin: usage.origin,
            check: consumptionCheck,
            reportOnly,
          });
        }
        return protections;
      }),
  };
}
