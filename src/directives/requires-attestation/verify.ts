import type { ProvenAttestation } from '../../context/proven-credentials.js';
import { isPromiseLike } from '../../context/request-memo.js';
import type { SecurityContext } from '../../context/security-context.js';
import { AttestationInvalidError, AttestationRequiredError, ProtectionUnavailableError, type RampartError } from '../../errors.js';
import { compactJws } from '../../tokens/compact-jws.js';
import { VerifiedTokenCache } from '../../tokens/verified-token-cache.js';
import { notifyListener } from '../notify-listener.js';
import type { CheckOutcome } from '../protection.js';
import { AttestationRejectedError, type AttestationVerifier, type VerifiedAttestation } from './attestation-verifier.js';
import type { ResolvedRequiresAttestationOptions } from './options.js';
import { bindingMatches } from './token-binding.js';

/** The outcome of verifying a request's attestation token once. */
export type AttestationVerification =
  | { readonly ok: true; readonly attestation: VerifiedAttestation; readonly verifier: AttestationVerifier }
  | { readonly ok: false; readonly error: RampartError };

/**
 * How a usage treats the token's binding: `required` (`bindToAuthorization`: the token must be
 * bound to this request), `ifBound` (a bound token must match this request, an unbound one passes:
 * the waiver's rule), `ignored` (a plain usage).
 */
export type BindingRule = 'required' | 'ifBound' | 'ignored';

/** The attestation protocol: verifying a token once, judging its binding, spending it. */
export interface AttestationProtocol {
  /**
   * Verifies the request's token: picks the first format whose header the request carries, refuses
   * a duplicated, empty, oversized or non-JWS token before any parsing, and answers a verified
   * token from the cross-request cache. On success, records `security.proven.attestation`.
   */
  readonly verify: (security: SecurityContext) => AttestationVerification | Promise<AttestationVerification>;
  /** Spends a verified token in the replay cache: refused as `replayed` when it was spent before. */
  readonly spend: (outcome: AttestationVerification) => CheckOutcome | Promise<CheckOutcome>;
  /**
   * Whether a verified token was spent before (by a `consume: true` field of an earlier request),
   * without spending it. `false` when nothing can spend tokens (no replay cache); `true` when the
   * cache cannot tell (no `seen`) or fails: a probe must not count a spent token as attested.
   */
  readonly spent: (outcome: AttestationVerification & { readonly ok: true }) => boolean | Promise<boolean>;
}

/** The replay cache key a consumed attestation is remembered under. */
function spentAttestationKey(attestation: VerifiedAttestation): string {
  return `attestation:${attestation.provider}:${attestation.tokenId}`;
}

/** Builds the attestation protocol for the directive's options. */
export function createAttestationProtocol(options: ResolvedRequiresAttestationOptions): AttestationProtocol {
  const { verifiers, maxTokenLength, replayCache } = options;
  const cache =
    options.tokenCache === false ? undefined : new VerifiedTokenCache<VerifiedAttestation>({ clock: options.clock, ...options.tokenCache });
  const report = (error: unknown) => notifyListener(options.onDependencyError, error);
  const invalid = (reason: string): AttestationVerification => ({ ok: false, error: new AttestationInvalidError(undefined, reason) });
  const unavailable = (error: unknown): AttestationVerification => {
    report(error);
    return { ok: false, error: new ProtectionUnavailableError(undefined, 'attestation_dependency_unavailable') };
  };
  const rejected = (error: unknown) => (error instanceof AttestationRejectedError ? invalid(error.reason) : unavailable(error));
  // What a verified token proves, made once per verified token: a token answered from the
  // verified-token cache is the same object on every request.
  const accepted = new WeakMap<
    VerifiedAttestation,
    { readonly proven: ProvenAttestation; readonly verification: AttestationVerification & { readonly ok: true } }
  >();
  const accept = (security: SecurityContext, verifier: AttestationVerifier, attestation: VerifiedAttestation): AttestationVerification => {
    let known = accepted.get(attestation);
    if (known === undefined || known.verification.verifier !== verifier) {
      known = {
        proven: Object.freeze<ProvenAttestation>({
          provider: attestation.provider,
          appId: attestation.appId,
          deviceId: attestation.deviceId,
          expiresAt: attestation.expiresAt,
        }),
        verification: { ok: true, attestation, verifier },
      };
      accepted.set(attestation, known);
    }
    security.proven.attestation = known.proven;
    return known.verification;
  };
  const spendUnavailable = (error: unknown): RampartError => {
    report(error);
    return new ProtectionUnavailableError(undefined, 'attestation_replay_cache_unavailable');
  };

  return {
    verify(security) {
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
      const token = (values[0] ?? '').trim();
      if (token.length === 0) return { ok: false, error: new AttestationRequiredError(undefined, 'empty') };
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
        return rejected(error);
      }
      return Promise.resolve(verified).then((attestation) => {
        cache?.set(cacheKey, attestation, attestation.expiresAt);
        return accept(security, verifier, attestation);
      }, rejected);
    },

    spend(outcome) {
      if (!outcome.ok) return outcome.error;
      if (replayCache === undefined) return new ProtectionUnavailableError(undefined, 'attestation_replay_cache_missing');
      const { attestation } = outcome;
      let first: boolean | Promise<boolean>;
      try {
        first = replayCache.firstUse(spentAttestationKey(attestation), attestation.acceptedUntil);
      } catch (error) {
        return spendUnavailable(error);
      }
      return Promise.resolve(first).then(
        (isFirst) => (isFirst ? undefined : new AttestationInvalidError(undefined, 'replayed')),
        spendUnavailable,
      );
    },

    spent(outcome) {
      if (replayCache === undefined) return false;
      if (replayCache.seen === undefined) return true;
      let seen: boolean | Promise<boolean>;
      try {
        seen = replayCache.seen(spentAttestationKey(outcome.attestation));
      } catch (error) {
        report(error);
        return true;
      }
      return isPromiseLike(seen)
        ? Promise.resolve(seen).then(
            (answer) => answer,
            (error: unknown) => {
              report(error);
              return true;
            },
          )
        : seen;
    },
  };
}

/**
 * Judges a verified token's binding under `rule`, against the request's binding hash
 * (`expected(security, verifier)`, asked only when the rule needs it: `undefined` when a bound
 * header is missing or sent twice).
 */
export function judgeBinding(
  outcome: AttestationVerification,
  rule: BindingRule,
  security: SecurityContext,
  expected: (security: SecurityContext, verifier: AttestationVerifier) => string | undefined,
): CheckOutcome {
  if (!outcome.ok) return outcome.error;
  if (rule === 'ignored') return undefined;
  const { binding } = outcome.attestation;
  if (binding === undefined && rule === 'ifBound') return undefined;
  if (outcome.verifier.bindingHeaders.length === 0) return new AttestationInvalidError(undefined, 'binding_unsupported');
  if (binding === undefined) return new AttestationInvalidError(undefined, 'binding_missing');
  const hash = expected(security, outcome.verifier);
  return bindingMatches(binding, hash)
    ? undefined
    : new AttestationInvalidError(undefined, hash === undefined ? 'bound_header_missing' : 'binding_mismatch');
}
