import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CostModel } from './cost-model.js';
import { SelectionWalk, TooComplexError, maxNesting } from './selections.js';
import type { OperationCost } from './static-cost.js';
import { VariableKeyedCache } from './variable-keyed-cache.js';

type Cost = { readonly field: number; readonly type: number };

/**
 * The cost of an executed operation, from its result (the IBM specification's "query response
 * analysis"): the same weights as {@link staticOperationCost}, counted over what the response
 * holds. A list counts its items actually returned; a field absent from the response (skipped,
 * or never reached under a null parent) counts nothing; a field present but null counts its own
 * weight and no object. An object of an abstract type counts as its `__typename` when the
 * response holds it, else as the costliest of its possible types. `data` null or absent: nothing.
 *
 * What depends on the operation alone (the fields collected for each type and selection, each
 * field's own weight) is worked out once per operation node and the values of the variables it
 * read, and cached as a plan; each result then costs one pass over its values, which skips an
 * object whose cost the plan fixes (non-null fields without lists below it). The result is taken
 * to keep the schema's non-null rules, as every executor's does: a hand-made one that leaves out a
 * non-null field of such an object is charged for it.
 */
export function actualOperationCost(
  model: CostModel,
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode | undefined>>,
  variables: Readonly<Record<string, unknown>>,
  data: unknown,
): OperationCost {
  if (data === null || typeof data !== 'object') return { fieldCost: 0, typeCost: 0 };
  const plan = actualCostPlan(model, schema, operation, fragments, variables);
  if (plan === undefined) return { fieldCost: 0, typeCost: 0 };
  if (plan === tooComplex) return { fieldCost: Number.POSITIVE_INFINITY, typeCost: Number.POSITIVE_INFINITY };
  const tally = new Tally();
  addObject(plan, data as Record<string, unknown>, tally);
  return { fieldCost: tally.field, typeCost: tally.type };
}

/** What an object of one type costs under one selection: its type weight, and its fields'. */
interface ObjectPlan {
  readonly typeWeight: number;
  readonly fields: FieldPlan[];
  /**
   * What the object costs whatever its values, when that is known from the plan: every field it
   * reads is non-null and fixed itself (no list, no abstract type). graphql-js never leaves such a
   * field out of a present object: it nulls the object instead.
   */
  fixed?: Cost;
}

/** A field of an object plan: counted when the response holds `responseName`. */
interface FieldPlan {
  readonly responseName: string;
  /** The field's own weight for one call, its arguments' and directives' included. */
  readonly own: number;
  readonly value: ValuePlan;
  /** The field's type is non-null: present whenever its object is. */
  readonly nonNull: boolean;
}

/** How a field's value costs, by the shape of its type. */
type ValuePlan =
  | { readonly kind: 'leaf'; readonly cost: Cost }
  | { readonly kind: 'list'; readonly item: ValuePlan }
  | { readonly kind: 'object'; readonly object: ObjectPlan }
  | { readonly kind: 'abstract'; readonly byName: ReadonlyMap<string, ObjectPlan>; readonly possible: readonly ObjectPlan[] };

const tooComplex = Symbol('too complex');
const plans = new VariableKeyedCache<ObjectPlan | typeof tooComplex | undefined>();

function actualCostPlan(
  model: CostModel,
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode | undefined>>,
  variables: Readonly<Record<string, unknown>>,
): ObjectPlan | typeof tooComplex | undefined {
  const cached = plans.get(model, schema, operation, variables);
  if (cached !== undefined) return cached;
  const root = schema.getRootType(operation.operation);
  if (root === undefined || root === null) return undefined;
  const walk = new PlanWalk(model, schema, fragments, variables);
  let plan: ObjectPlan | typeof tooComplex;
  try {
    plan = walk.objectPlan(root, [operation.selectionSet], 0);
  } catch (error) {
    if (!(error instanceof TooComplexError)) throw error;
    plan = tooComplex;
  }
  plans.set(model, schema, operation, variables, walk.variablesRead, plan);
  return plan;
}

/**
 * Works out the plan of every type and selection the operation can reach, every possible type of
 * an abstract one included, as the static walk does (and within the same bounds).
 */
class PlanWalk extends SelectionWalk {
  readonly #objects = new Map<string, ObjectPlan>();

  objectPlan(type: GraphQLObjectType, sets: readonly SelectionSetNode[], nesting: number): ObjectPlan {
    const key = `${type.name}|${this.setsKey(sets)}`;
    const known = this.#objects.get(key);
    if (known) return known;
    if (nesting > maxNesting) throw new TooComplexError();
    const plan: ObjectPlan = { typeWeight: this.model.typeWeight(type), fields: [] };
    this.#objects.set(key, plan);
    for (const [responseName, nodes] of this.collectFields(type, sets)) {
      const node = nodes[0] as FieldNode;
      if (node.name.value.startsWith('__')) continue;
      const field = type.getFields()[node.name.value];
      if (field === undefined) continue;
      const named = getNamedType(field.type);
      const childSets = isCompositeType(named) ? nodes.flatMap((usage) => (usage.selectionSet ? [usage.selectionSet] : [])) : [];
      const own = this.fieldOwnCost(type, field, nodes);
      const value = this.valuePlan(field.type, childSets, nesting + 1);
      // A field that adds nothing whatever its value (a scalar of weight 0, mostly) is not read.
      if (own !== 0 || !free(value)) plan.fields.push({ responseName, own, value, nonNull: isNonNullType(field.type) });
    }
    const fixed = fixedCost(plan);
    if (fixed !== undefined) plan.fixed = fixed;
    return plan;
  }

  valuePlan(type: GraphQLOutputType, sets: readonly SelectionSetNode[], nesting: number): ValuePlan {
    const nullable = getNullableType(type);
    if (isListType(nullable)) return { kind: 'list', item: this.valuePlan(nullable.ofType, sets, nesting) };
    const named = getNamedType(nullable);
    if (!isCompositeType(named)) return { kind: 'leaf', cost: Object.freeze({ field: 0, type: this.model.typeWeight(named) }) };
    if (!isAbstractType(named)) return { kind: 'object', object: this.objectPlan(named, sets, nesting) };
    const possible = this.schema.getPossibleTypes(named);
    const objects = possible.map((object) => this.objectPlan(object, sets, nesting));
    return {
      kind: 'abstract',
      byName: new Map(possible.map((object, index) => [object.name, objects[index] as ObjectPlan])),
      possible: objects,
    };
  }
}

/** What an object under this plan costs whatever the response holds below it, or `undefined`. */
function fixedCost(plan: ObjectPlan): Cost | undefined {
  let field = 0;
  let type = plan.typeWeight;
  for (const { own, value, nonNull } of plan.fields) {
    const below = !nonNull ? undefined : value.kind === 'leaf' ? value.cost : value.kind === 'object' ? value.object.fixed : undefined;
    if (below === undefined) return undefined;
    field += own + below.field;
    type += below.type;
  }
  return Object.freeze({ field, type });
}

/** Whether a value under this plan costs nothing, whatever the response holds. */
function free(plan: ValuePlan): boolean {
  switch (plan.kind) {
    case 'leaf':
      return plan.cost.field === 0 && plan.cost.type === 0;
    case 'list':
      return free(plan.item);
    case 'object':
      return plan.object.typeWeight === 0 && plan.object.fields.length === 0;
    case 'abstract':
      return plan.possible.every((object) => object.typeWeight === 0 && object.fields.length === 0);
  }
}

/** Field cost and type cost summed over a result, added to in place (no object per value). */
class Tally {
  field = 0;
  type = 0;
}

/**
 * Adds what an object costs under its plan. A field counts when the response holds a value for it:
 * graphql-js leaves a skipped or unreached field out of the result, never `undefined` in it (and
 * JSON drops an `undefined` one from what the client reads).
 */
function addObject(plan: ObjectPlan, value: Record<string, unknown>, tally: Tally): void {
  const { fixed } = plan;
  if (fixed !== undefined) {
    tally.field += fixed.field;
    tally.type += fixed.type;
    return;
  }
  tally.type += plan.typeWeight;
  for (const field of plan.fields) {
    const fieldValue = value[field.responseName];
    if (fieldValue === undefined) continue;
    tally.field += field.own;
    if (fieldValue !== null) addValue(field.value, fieldValue, tally);
  }
}

function addValue(plan: ValuePlan, value: unknown, tally: Tally): void {
  switch (plan.kind) {
    case 'leaf':
      tally.field += plan.cost.field;
      tally.type += plan.cost.type;
      return;
    case 'list':
      if (!Array.isArray(value)) {
        addValue(plan.item, value, tally);
        return;
      }
      for (const item of value as unknown[]) {
        if (item !== null && item !== undefined) addValue(plan.item, item, tally);
      }
      return;
    case 'object':
      if (typeof value === 'object') addObject(plan.object, value as Record<string, unknown>, tally);
      return;
    case 'abstract': {
      if (typeof value !== 'object') return;
      const object = value as Record<string, unknown>;
      // The object's type: the response's __typename when it names a possible type.
      const name = object['__typename'];
      const concrete = typeof name === 'string' ? plan.byName.get(name) : undefined;
      if (concrete !== undefined) {
        addObject(concrete, object, tally);
        return;
      }
      let field = 0;
      let type = 0;
      for (const possible of plan.possible) {
        const candidate = new Tally();
        addObject(possible, object, candidate);
        field = Math.max(field, candidate.field);
        type = Math.max(type, candidate.type);
      }
      tally.field += field;
      tally.type += type;
      return;
    }
  }
}
