import { GraphQLError, Kind, type FragmentDefinitionNode, type ValidationRule } from 'graphql';
import { measureOperation, type OperationShape, type ShapeOptions } from './operation-shape.js';

/** Limits on an operation's shape, checked before execution. */
export interface OperationLimits {
  /** Deepest chain of fields. @default 10 */
  readonly maxDepth?: number;
  /** Aliased fields, `__typename` included. @default 30 */
  readonly maxAliases?: number;
  /** Fields at the root. @default 20 */
  readonly maxRootFields?: number;
  /** Directive usages. @default 20 */
  readonly maxDirectives?: number;
  /** Estimated cost (one per field, lists multiplied by their size). @default 5000 */
  readonly maxCost?: number;
  /** Arguments that bound a list's size. @default ['first', 'last', 'limit', 'count'] */
  readonly listSizeArguments?: readonly string[];
  /** Size assumed for a list whose size is not a literal. @default 100 */
  readonly defaultListSize?: number;
  /**
   * Lists nested in one another inside an introspection query (`__schema`, `__type`). The
   * standard introspection query (graphql-js `getIntrospectionQuery`, GraphiQL, GraphQL Code
   * Generator) nests 3 (`types { fields { args` ); each further level, such as the cycle
   * `fields { type { fields …`, multiplies the answer by the size of the schema. Introspection is
   * measured by this, its aliases and its directives; depth and cost, made for data, count it as
   * one field. A server that does not serve introspection refuses it anyway.
   * @default 3
   */
  readonly maxIntrospectionDepth?: number;
  /**
   * Leave `__schema`/`__type` fields out of every measure, the introspection depth included.
   * Not needed for tooling (the standard introspection query passes the defaults).
   * @default false
   */
  readonly ignoreIntrospection?: boolean;
  /** Say the limit in the refusal. Off by default: limits tell an attacker how far to go. @default false */
  readonly revealLimits?: boolean;
}

/** The largest token count a document may have: pass it to the parser (`parseOptions.maxTokens`). */
export const defaultMaxTokens = 2000;

type Measured = keyof Pick<OperationShape, 'depth' | 'aliases' | 'rootFields' | 'directives' | 'cost' | 'introspectionDepth'>;

/**
 * graphql-js validation rules that refuse operations built to be expensive, before anything
 * executes: too deep, too many aliases, root fields or directives, too costly, introspection nested
 * too deeply (the standard introspection query passes). Fragments are
 * expanded where spread (a fragment spread a thousand times counts a thousand times), cycles cannot
 * loop, a fragment merely named `__schema` is measured like any other, and `__typename` aliases
 * count. Refusals are `GRAPHQL_VALIDATION_FAILED` (HTTP 400 on Apollo Server) and, by default, do
 * not reveal the limits.
 *
 * @example
 * ```ts
 * new ApolloServer({ schema, validationRules: operationLimitRules({ maxDepth: 8 }), parseOptions: { maxTokens: 2000 } });
 * ```
 */
export function operationLimitRules(limits: OperationLimits = {}): ValidationRule[] {
  const shape: ShapeOptions = {
    listSizeArguments: limits.listSizeArguments ?? ['first', 'last', 'limit', 'count'],
    defaultListSize: positive(limits.defaultListSize ?? 100, 'defaultListSize'),
    ignoreIntrospection: limits.ignoreIntrospection ?? false,
  };
  const reveal = limits.revealLimits === true;
  const rule = (measured: Measured, max: number, refusal: string): ValidationRule => {
    positive(max, measured);
    return (context) => {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      return {
        OperationDefinition(operation) {
          const value = measureOperation(context.getSchema(), operation, fragments, shape)[measured];
          if (value > max) {
            context.reportError(new GraphQLError(reveal ? `${refusal} (limit ${max}).` : `${refusal}.`, { nodes: [operation] }));
          }
        },
      };
    };
  };
  return [
    rule('depth', limits.maxDepth ?? 10, 'The operation is nested too deeply'),
    rule('aliases', limits.maxAliases ?? 30, 'The operation uses too many aliases'),
    rule('rootFields', limits.maxRootFields ?? 20, 'The operation selects too many root fields'),
    rule('directives', limits.maxDirectives ?? 20, 'The operation uses too many directives'),
    rule('cost', limits.maxCost ?? 5000, 'The operation is too costly'),
    rule('introspectionDepth', limits.maxIntrospectionDepth ?? 3, 'The introspection query is nested too deeply'),
  ];
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`operationLimitRules: ${name} must be a positive integer`);
  return value;
}
