import { readCostModel } from '../../operation-cost/cost-model.js';
import { protectionRegistry } from '../../protection-registry.js';
import { protectRootFields } from '../protect-fields.js';
import { isReportOnly, type ProtectionDirective } from '../protection.js';
import { resolveCostOptions, type CostOptions } from './options.js';
import { createCostCheck } from './verify.js';

/** The SDL of `@cost` and `@listSize` (the IBM GraphQL Cost Directives) under the given names. */
export function costTypeDefs(name = 'cost', listSizeName = 'listSize'): string {
  return `"""
What one appearance of a field, argument, input field, or one value of a type, costs (IBM GraphQL
Cost Directives). Without it: 1 for objects and fields returning them, input objects included; 0
for scalars and enums. Threat: scraping and resource exhaustion by queries that read much.
"""
directive @${name}(
  """A number written as a string, such as "2.0"; it may be negative on arguments."""
  weight: String!
) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR

"""
How long the list a field returns can be (IBM GraphQL Cost Directives): a fixed size, or the value
of a slicing argument such as first; with sizedFields, the size of a child list (a connection's
edges). A list without it counts as the directive's defaultListSize.
"""
directive @${listSizeName}(
  """The list's size when no slicing argument gives one."""
  assumedSize: Int
  """Arguments (or paths into input objects) whose value is the list's size; the largest counts."""
  slicingArguments: [String!]
  """Child list fields whose size the slicing arguments give, instead of this field's own."""
  sizedFields: [String!]
  """Exactly one slicing argument must be given (a schema default counts when none is)."""
  requireOneSlicingArgument: Boolean = true
) on FIELD_DEFINITION
`;
}

/** What {@link costDirective} returns. */
export type CostDirective = ProtectionDirective;

/**
 * `@cost(weight)` and `@listSize(assumedSize, slicingArguments, sizedFields,
 * requireOneSlicingArgument)`: the IBM GraphQL Cost Directives, and budgets over time. Threat
 * mitigated: scraping and resource exhaustion, whatever the query's shape (aliases, fragments,
 * filters, cursors, one-by-one lookups): what counts is how much a caller reads.
 *
 * Before any resolver runs, on the first root field a request resolves (no server adapter
 * needed), the operation's cost is computed from the document and its variables; beyond
 * `maxCost` or `maxListSize` every root field is refused with `GRAPHQL_VALIDATION_FAILED`. Then
 * every budget whose tier matches the request (attested or not, by the `@requiresAttestation`
 * rule, nothing spent) is charged the cost, all or none: over budget, `RATE_LIMITED` with
 * `extensions.retryAfter` and `extensions.cost`; store down, `PROTECTION_UNAVAILABLE`. After
 * execution (`security.executed(result)`), the budgets are settled at the actual cost and
 * `extensions.cost` (requested, actual, throttle status) goes into `security.responseExtensions`.
 *
 * @example
 * ```ts
 * const attestation = requiresAttestationDirective({ verifiers });
 * const cost = costDirective({
 *   store: new RedisCostBudgetStore(redis, { clock: 'redis' }),
 *   attestation,
 *   budgets: [
 *     { name: 'unattested', tier: 'unattested', by: ['API_KEY', 'IP'], capacity: 250, restorePerSecond: 250 / 3600 },
 *     { name: 'attested', tier: 'attested', by: ['APP_INSTANCE'], capacity: 10_000, restorePerSecond: 10_000 / 3600 },
 *   ],
 * });
 * // products(first: Int = 20, after: String): ProductConnection!
 * //   @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
 * ```
 */
export function costDirective(options: CostOptions = {}): CostDirective {
  const resolved = resolveCostOptions(options);
  const { name, listSizeName } = resolved;
  const { rank } = protectionRegistry.cost;
  return {
    name,
    typeDefs: costTypeDefs(name, listSizeName),
    transformer: (schema) => {
      const model = readCostModel(schema, { cost: name, listSize: listSizeName }, resolved.defaultListSize);
      const check = createCostCheck(resolved, model);
      return protectRootFields(schema, (coordinate) => ({
        directive: name,
        rank,
        origin: 'the operation',
        reportOnly: isReportOnly(resolved.reportOnly, coordinate),
        check,
        meters: true,
      }));
    },
  };
}
