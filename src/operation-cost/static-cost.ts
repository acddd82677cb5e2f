import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CostModel, ListSizeRule } from './cost-model.js';
import { SelectionWalk, TooComplexError, maxNesting } from './selections.js';
import { VariableKeyedCache } from './variable-keyed-cache.js';

/** An operation's cost in the IBM specification's two measures. */
export interface OperationCost {
  /** The weighted count of resolver calls: a field's weight once per call, its arguments' and directives' with it. */
  readonly fieldCost: number;
  /** The weighted count of values in the response: every object (the root included), scalars and enums at their types' weights. */
  readonly typeCost: number;
}

/** {@link OperationCost} before execution, with what the per-list maximum checks. */
export interface StaticOperationCost extends OperationCost {
  /** The largest list size a slicing argument of the operation asks for (0 when none asks). */
  readonly largestSlice: number;
}

/**
 * The operation's slicing arguments are not usable: none or several where exactly one is required,
 * or a size that is negative. The message is for the client (it names the field and arguments).
 */
export class ListSizeArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListSizeArgumentError';
  }
}

type Cost = { field: number; type: number };
type Sized = { readonly sizes: ReadonlyMap<string, number>; readonly key: string };

const tooComplex: StaticOperationCost = Object.freeze({
  fieldCost: Number.POSITIVE_INFINITY,
  typeCost: Number.POSITIVE_INFINITY,
  largestSlice: 0,
});

/** Products of a size and a cost: a list of zero items costs nothing, even of an unbounded subtree. */
export function times(size: number, cost: number): number {
  return size === 0 || cost === 0 ? 0 : size * cost;
}

/**
 * The static cost of an operation for its (coerced) variables, an upper bound of what executing it
 * can cost, under the IBM GraphQL Cost Directives specification: each field's own weight (plus
 * its arguments' and directives', never below zero) once per call, its children once per list
 * item; lists sized by their slicing arguments (the largest given, or the schema's default when
 * the query gives none), `assumedSize`, a parent's `sizedFields`, else the model's default list
 * size; nested lists multiplying; an abstract type costing the most of its possible types.
 * Fields are collected as the executor collects them (aliases each count, merged fields once,
 * `@skip`/`@include` with literals or variables honoured, fragments on non-matching types left
 * out). `__typename` and introspection fields cost nothing.
 *
 * An operation too large to walk costs infinitely much. Cached per operation node for the values
 * of the variables the computation read (a cursor variable does not defeat the cache).
 *
 * @throws {ListSizeArgumentError} when a field's slicing arguments are not usable.
 */
export function staticOperationCost(
  model: CostModel,
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode | undefined>>,
  variables: Readonly<Record<string, unknown>>,
): StaticOperationCost {
  const cached = cache.get(model, schema, operation, variables);
  if (cached !== undefined) {
    if (cached instanceof ListSizeArgumentError) throw cached;
    return cached;
  }
  const walk = new StaticWalk(model, schema, fragments, variables);
  let outcome: StaticOperationCost | ListSizeArgumentError;
  try {
    outcome = walk.operation(operation);
  } catch (error) {
    if (error instanceof TooComplexError) outcome = tooComplex;
    else if (error instanceof ListSizeArgumentError) outcome = error;
    else throw error;
  }
  cache.set(model, schema, operation, variables, walk.variablesRead, outcome);
  if (outcome instanceof ListSizeArgumentError) throw outcome;
  return outcome;
}

const cache = new VariableKeyedCache<StaticOperationCost | ListSizeArgumentError>();

class StaticWalk extends SelectionWalk {
  #largestSlice = 0;
  #nesting = 0;
  readonly #memo = new Map<string, Cost>();

  operation(operation: OperationDefinitionNode): StaticOperationCost {
    const root = this.schema.getRootType(operation.operation);
    if (root === undefined || root === null) return { fieldCost: 0, typeCost: 0, largestSlice: 0 };
    const cost = this.objectCost(root, [operation.selectionSet], undefined);
    return { fieldCost: cost.field, typeCost: cost.type, largestSlice: this.#largestSlice };
  }

  /** An object of `type` with these selections: its own type weight, its fields'. */
  objectCost(type: GraphQLObjectType, sets: readonly SelectionSetNode[], sized: Sized | undefined): Cost {
    const key = `${type.name}|${this.setsKey(sets)}|${sized?.key ?? ''}`;
    const known = this.#memo.get(key);
    if (known) return known;
    if (++this.#nesting > maxNesting) throw new TooComplexError();
    try {
      const total: Cost = { field: 0, type: this.model.typeWeight(type) };
      for (const nodes of this.collectFields(type, sets).values()) {
        const node = nodes[0] as FieldNode;
        if (node.name.value.startsWith('__')) continue; // __typename, __schema, __type
        const field = type.getFields()[node.name.value];
        if (field === undefined) continue;
        const cost = this.fieldCost(type, field, nodes, sized);
        total.field += cost.field;
        total.type += cost.type;
      }
      this.#memo.set(key, total);
      return total;
    } finally {
      this.#nesting--;
    }
  }

  fieldCost(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, nodes: readonly FieldNode[], sized: Sized | undefined): Cost {
    const node = nodes[0] as FieldNode;
    const own = this.fieldOwnCost(parent, field, nodes);
    const rule = this.model.listSize(parent.name, field.name);
    const ruleSize =
      rule === undefined ? undefined : (this.#slice(parent, field, node, rule) ?? rule.assumedSize ?? this.model.defaultListSize);
    const size = sized?.sizes.get(field.name) ?? ruleSize ?? this.model.defaultListSize;
    const multiplier = listMultiplier(field.type, size, this.model.defaultListSize);
    const childSized =
      rule !== undefined && rule.sizedFields.length > 0 && ruleSize !== undefined
        ? { sizes: new Map(rule.sizedFields.map((name) => [name, ruleSize])), key: `${rule.sizedFields.join(',')}=${ruleSize}` }
        : undefined;
    const named = getNamedType(field.type);
    let child: Cost;
    if (isCompositeType(named)) {
      const sets = nodes.flatMap((usage) => (usage.selectionSet ? [usage.selectionSet] : []));
      const possible = isObjectType(named) ? [named] : this.schema.getPossibleTypes(named);
      child = { field: 0, type: 0 };
      // An abstract type costs the most of its possible types, each measure on its own.
      for (const object of possible) {
        const cost = this.objectCost(object, sets, childSized);
        child.field = Math.max(child.field, cost.field);
        child.type = Math.max(child.type, cost.type);
      }
    } else {
      child = { field: 0, type: this.model.typeWeight(named) };
    }
    return { field: own + times(multiplier, child.field), type: times(multiplier, child.type) };
  }

  /**
   * The size the slicing arguments give: the largest of their values (a list argument counts its
   * length), the query's own when it gives any, otherwise the schema's defaults; `undefined` when
   * none has a value. Enforces `requireOneSlicingArgument`.
   */
  #slice(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, node: FieldNode, rule: ListSizeRule): number | undefined {
    if (rule.slicingArguments.length === 0) return undefined;
    const args = this.fieldArguments(field, node);
    const coordinate = `${parent.name}.${field.name}`;
    const given: number[] = [];
    const effective: number[] = [];
    for (const path of rule.slicingArguments) {
      let value: unknown = args;
      for (const step of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
      this.readVariablesOf(node, path[0] as string);
      if (value === undefined || value === null) continue;
      const size = Array.isArray(value) ? value.length : value;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
        throw new ListSizeArgumentError(`${coordinate}: ${path.join('.')} must be a whole number, 0 or more.`);
      }
      effective.push(size);
      if (this.#givenInQuery(node, path[0] as string)) given.push(size);
    }
    for (const size of given) this.#largestSlice = Math.max(this.#largestSlice, size);
    if (rule.requireOneSlicingArgument && (given.length > 0 ? given.length : effective.length) !== 1) {
      const names = rule.slicingArguments.map((path) => path.join('.'));
      throw new ListSizeArgumentError(
        names.length === 1 ? `${coordinate} needs a value for ${names[0]}.` : `${coordinate} needs exactly one of ${names.join(', ')}.`,
      );
    }
    return effective.length === 0 ? undefined : Math.max(...effective);
  }

  #givenInQuery(node: FieldNode, argumentName: string): boolean {
    const argument = node.arguments?.find((candidate) => candidate.name.value === argumentName);
    if (argument === undefined) return false;
    return argument.value.kind !== Kind.VARIABLE || this.provided(argument.value.name.value);
  }
}

/**
 * How many times a field's children count: 1 for a field that is not a list; the size for a list;
 * for a list of lists, the size times the default size for each further level.
 */
function listMultiplier(type: GraphQLOutputType, size: number, defaultListSize: number): number {
  let multiplier = 1;
  let current = getNullableType(type);
  let outer = true;
  while (isListType(current)) {
    multiplier = times(multiplier, outer ? size : defaultListSize);
    outer = false;
    current = getNullableType(current.ofType);
  }
  return multiplier;
}
