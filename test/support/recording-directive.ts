import { type ProtectionDirective, UnauthenticatedError } from '../../src/index.js';
import { protectFields } from '../../src/directives/protect-fields.js';
import { type FieldCheck } from '../../src/directives/protection.js';

/**
 * A protection directive for testing the shared mechanics: `@<name>(deny: Boolean)` records
 * every check it makes, in order, and refuses with UNAUTHENTICATED when `deny` is true.
 */
export function recordingDirective(
  name: string,
  rank: number,
  log: string[],
  behaviour: { throws?: boolean; async?: boolean; perRequest?: boolean; decide?: () => boolean } = {},
): ProtectionDirective {
  return {
    name,
    typeDefs: `directive @${name}(deny: Boolean = false) on FIELD_DEFINITION | OBJECT | INTERFACE`,
    transformer: (schema) =>
      protectFields(schema, name, (usage, coordinate) => {
        const check: FieldCheck = () => {
          log.push(`${name}:${usage.origin}->${coordinate}`);
          if (behaviour.throws) throw new Error('secret-in-dependency-error');
          const denied = usage.args['deny'] === true || (behaviour.decide !== undefined && !behaviour.decide());
          const outcome = denied ? new UnauthenticatedError() : undefined;
          return behaviour.async ? Promise.resolve(outcome) : outcome;
        };
        return { directive: name, rank, origin: usage.origin, check, perRequest: behaviour.perRequest === true };
      }),
  };
}
