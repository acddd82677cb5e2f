import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { getSecurityContext, type SecurityContext } from '../context/security-context.js';
import { isPromiseLike } from '../context/request-memo.js';
import { ProtectionUnavailableError, RampartError } from '../errors.js';
import type { CheckOutcome, FieldCheck, FieldProtection } from './protection.js';

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;

/**
 * Wraps a field's resolver with its protections, in rank order. This is the one wrapper every
 * directive uses. On the hot path (credentials already verified) it runs synchronously: a context
 * lookup and one call per check, no promise. Whatever goes wrong in a check refuses the field:
 * a thrown error or a non-refusal value becomes `PROTECTION_UNAVAILABLE`, never a pass.
 */
export function createProtectedResolver(
  resolve: Resolver,
  protections: readonly FieldProtection[],
): Resolver {
  const checks: readonly FieldCheck[] = protections.map((protection) => protection.check);
  const count = checks.length;

  const run = (
    from: number,
    security: SecurityContext,
    source: unknown,
    args: Record<string, unknown>,
    context: unknown,
    info: GraphQLResolveInfo,
  ): unknown => {
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
          (settled) =>
            settled === undefined
              ? run(next, security, source, args, context, info)
              : asRefusal(settled),
          checkFailed,
        );
      }
      return asRefusal(outcome);
    }
    return resolve(source, args, context, info);
  };

  return function protectedResolve(source, args, context, info) {
    const security = getSecurityContext(context);
    if (security === undefined) return missingContext();
    return run(0, security, source, args, context, info);
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
