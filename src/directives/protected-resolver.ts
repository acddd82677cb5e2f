import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { getSecurityContext, type SecurityContext } from '../context/security-context.js';
import { isPromiseLike } from '../context/request-memo.js';
import { ProtectionUnavailableError, RampartError } from '../errors.js';
import type { CheckOutcome, FieldCheck, FieldProtection } from './protection.js';

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;
type Decision = CheckOutcome | Promise<CheckOutcome>;

/**
 * Wraps a field's resolver with its protections, in rank order. This is the one wrapper every
 * directive uses. On the hot path (credentials already verified) it runs synchronously, and when
 * every protection of the field decides per request (API key, token, attestation: not rate
 * limits or captchas), the decision is remembered for the request, so the thousandth item of a
 * list costs one comparison. Whatever goes wrong in a check refuses the field: a thrown error or
 * a non-refusal value becomes `PROTECTION_UNAVAILABLE`, never a pass.
 */
export function createProtectedResolver(
  resolve: Resolver,
  protections: readonly FieldProtection[],
): Resolver {
  const checks: readonly FieldCheck[] = protections.map((protection) => protection.check);
  const count = checks.length;
  const decidedPerRequest = protections.every((protection) => protection.perRequest === true);
  // The last request this field decided synchronously, and its decision (undefined: allowed).
  let lastSecurity: SecurityContext | undefined;
  let lastDecision: CheckOutcome;

  const decide = (
    from: number,
    security: SecurityContext,
    args: Record<string, unknown>,
    info: GraphQLResolveInfo,
  ): Decision => {
    for (let index = from; index < count; index++) {
      let outcome: CheckOutcome | Promise<CheckOutcome>;
      try {
        outcome = (checks[index] as FieldCheck)(security, args, info);
      } catch {
        return checkFailed();
      }
      if (outcome === undefined) continue;
      if (isPromiseLike(outcome)) {
        const next = index + 1;
        return Promise.resolve(outcome).then(
          (settled) => (settled === undefined ? decide(next, security, args, info) : asRefusal(settled)),
          checkFailed,
        );
      }
      return asRefusal(outcome);
    }
    return undefined;
  };

  return function protectedResolve(source, args, context, info) {
    // The hot path: the same request as the previous call (lastSecurity was checked when stored).
    if (lastSecurity !== undefined && (context as { rampart?: unknown } | null)?.rampart === lastSecurity) {
      return lastDecision === undefined ? resolve(source, args, context, info) : lastDecision;
    }
    const security = getSecurityContext(context);
    if (security === undefined) return missingContext();
    const decision = decide(0, security, args, info);
    if (decision instanceof Promise) {
      return decision.then((settled) => (settled === undefined ? resolve(source, args, context, info) : settled));
    }
    if (decidedPerRequest) {
      lastSecurity = security;
      lastDecision = decision;
    }
    return decision === undefined ? resolve(source, args, context, info) : decision;
  };
}

function asRefusal(outcome: unknown): RampartError {
  return outcome instanceof RampartError ? outcome : checkFailed();
}

function checkFailed(): RampartError {
  return new ProtectionUnavailableError(undefined, 'check_failed');
}

function missingContext(): RampartError {
  return new ProtectionUnavailableError(
    'A protection this field needs is not set up on this server.',
    'security_context_missing',
  );
}
