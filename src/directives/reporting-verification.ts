import type { VerificationEvent } from '../context/protection-observer.js';
import { isPromiseLike } from '../context/request-memo.js';
import type { SecurityContext } from '../context/security-context.js';
import type { RampartError } from '../errors.js';
import { notifyListener } from './notify-listener.js';

type Verification = { readonly ok: true } | { readonly ok: false; readonly error: RampartError };

/**
 * Wraps a directive's per-request verification so that, when the request's observer listens, each
 * run is reported with its duration and outcome (for latency histograms). Costs nothing without a
 * listener; memoised answers never reach it, since the memo does not call it again.
 */
export function reportingVerification<V extends Verification>(
  kind: VerificationEvent['kind'],
  verify: (security: SecurityContext) => V | Promise<V>,
): (security: SecurityContext) => V | Promise<V> {
  return (security) => {
    const listener = security.observer?.onVerification;
    if (listener === undefined) return verify(security);
    const started = performance.now();
    const result = verify(security);
    if (!isPromiseLike(result)) return reported(listener, kind, started, result);
    return Promise.resolve(result).then((verification) => reported(listener, kind, started, verification));
  };
}

function reported<V extends Verification>(
  listener: (event: VerificationEvent) => void,
  kind: VerificationEvent['kind'],
  started: number,
  verification: V,
): V {
  const outcome = verification.ok ? 'verified' : verification.error.code === 'PROTECTION_UNAVAILABLE' ? 'unavailable' : 'refused';
  notifyListener(listener, { kind, outcome, durationMs: performance.now() - started });
  return verification;
}
