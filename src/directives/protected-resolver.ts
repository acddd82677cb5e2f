import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { getSecurityContext, type SecurityContext } from '../context/security-context.js';
import { isPromiseLike } from '../context/request-memo.js';
import { ProtectionUnavailableError, RampartError } from '../errors.js';
import type { ProtectionDecisionEvent } from '../context/protection-observer.js';
import { notifyListener } from './notify-listener.js';
import type { CheckOutcome, FieldCheck, FieldProtection } from './protection.js';

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;
/** A remembered decision that let the call through. */
const allowed = Symbol('allowed');
type Decision = CheckOutcome | Promise<CheckOutcome>;

/**
 * Wraps a field's resolver with its protections, in rank order. This is the one wrapper every
 * directive uses. On the hot path (credentials already verified) it runs synchronously, and when
 * every protection of the field decides per request (API key, token, attestation: not rate
 * limits or captchas), the decision is remembered for the request, so the thousandth item of a
 * list costs one lookup. Whatever goes wrong in a check refuses the field: a thrown error or
 * a non-refusal value becomes `PROTECTION_UNAVAILABLE`, never a pass. A protection in report-only
 * mode is checked and reported (`would_refuse`) but lets the call through. Every fresh decision is
 * reported to the security context's observer.
 */
export function createProtectedResolver(resolve: Resolver, protections: readonly FieldProtection[]): Resolver {
  const checks: readonly FieldCheck[] = protections.map((protection) => protection.check);
  const count = checks.length;
  const decidedPerRequest = protections.every((protection) => protection.perRequest === true);
  // Each request's decision for this field, when every protection decides per request: kept in
  // the request's own memo (under this field's key), so one request's decision can never answer
  // another's and goes when the request goes.
  const decidedKey = {};

  const directives = protections.map((protection) => protection.directive);
  const reportOnly = protections.map((protection) => protection.reportOnly === true);

  const decide = (from: number, security: SecurityContext, args: Record<string, unknown>, info: GraphQLResolveInfo): Decision => {
    for (let index = from; index < count; index++) {
      let outcome: CheckOutcome | Promise<CheckOutcome>;
      try {
        outcome = (checks[index] as FieldCheck)(security, args, info);
      } catch {
        outcome = checkFailed();
      }
      if (outcome === undefined) continue;
      if (isPromiseLike(outcome)) {
        const at = index;
        return Promise.resolve(outcome).then(
          (settled) =>
            settled === undefined ? decide(at + 1, security, args, info) : refuse(at, asRefusal(settled), security, args, info),
          () => refuse(at, checkFailed(), security, args, info),
        );
      }
      return refuse(index, asRefusal(outcome), security, args, info);
    }
    if (security.observer?.onDecision) report(security, info, 'allowed', directives, undefined);
    return undefined;
  };

  // A refusal by the check at `index`: final, or in report-only mode recorded and passed over.
  const refuse = (
    index: number,
    refusal: RampartError,
    security: SecurityContext,
    args: Record<string, unknown>,
    info: GraphQLResolveInfo,
  ): Decision => {
    const directive = [directives[index] as string];
    if (reportOnly[index]) {
      report(security, info, 'would_refuse', directive, refusal);
      return decide(index + 1, security, args, info);
    }
    report(security, info, 'refused', directive, refusal);
    return refusal;
  };

  return function protectedResolve(source, args, context, info) {
    const security = getSecurityContext(context);
    if (security === undefined) return missingContext();
    // The hot path: this request already decided this field (a list's thousandth item).
    if (decidedPerRequest) {
      const known = security.memo.peek(decidedKey) as CheckOutcome | typeof allowed | undefined;
      if (known !== undefined) return known === allowed ? resolve(source, args, context, info) : known;
    }
    const decision = decide(0, security, args, info);
    if (decision instanceof Promise) {
      return decision.then((settled) => (settled === undefined ? resolve(source, args, context, info) : settled));
    }
    if (decidedPerRequest) void security.memo.get(decidedKey, remembered, decision ?? allowed); // settled: a value, never a promise
    return decision === undefined ? resolve(source, args, context, info) : decision;
  };
}

function remembered<T>(value: T): T {
  return value;
}

function report(
  security: SecurityContext,
  info: GraphQLResolveInfo,
  outcome: ProtectionDecisionEvent['outcome'],
  directives: readonly string[],
  refusal: RampartError | undefined,
): void {
  const listener = security.observer?.onDecision;
  if (listener === undefined) return;
  const { proven } = security;
  notifyListener(listener, {
    time: Date.now(),
    outcome,
    directives,
    code: refusal?.code,
    reason: refusal?.reason,
    coordinate: `${info.parentType.name}.${info.fieldName}`,
    requestId: security.requestId,
    clientIp: security.clientIp,
    apiKeyId: proven.apiKey?.id,
    userSubject: proven.user?.subject,
    appId: proven.attestation?.appId,
    deviceId: proven.attestation?.deviceId,
  });
}

function asRefusal(outcome: unknown): RampartError {
  return outcome instanceof RampartError ? outcome : checkFailed();
}

function checkFailed(): RampartError {
  return new ProtectionUnavailableError(undefined, 'check_failed');
}

function missingContext(): RampartError {
  return new ProtectionUnavailableError('A protection this field needs is not set up on this server.', 'security_context_missing');
}
