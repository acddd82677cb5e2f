import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CostModel } from '../../src/operation-cost/cost-model.js';
import { SelectionWalk, TooComplexError } from '../../src/operation-cost/selections.js';
import type { OperationCost } from '../../src/operation-cost/static-cost.js';

type Cost = { field: number; type: number };

/**
 * The actual cost as a straightforward walk over the result (graphql-rampart's first
 * implementation, before the plan cache): the reference the cached plan is checked against.
 *
 * The cost of an executed operation, from its result (the IBM specification's "query response
 * analysis"): the same weights as {@link staticOperationCost}, counted over what the response
 * holds. A list counts its items actually returned; a field absent from the response (skipped,
 * or never reached under a null parent) counts nothing; a field present but null counts its own
 * weight and no object. An object of an abstract type counts as its `__typename` when the
 * response holds it, else as the costliest of its possible types. `data` null or absent: nothing.
 */
export function referenceActualCost(
  model: CostModel,
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode | undefined>>,
  variables: Readonly<Record<string, unknown>>,
  data: unknown,
): OperationCost {
  const root = schema.getRootType(operation.operation);
  if (root === undefined || root === null || data === null || typeof data !== 'object') return { fieldCost: 0, typeCost: 0 };
  const walk = new ActualWalk(model, schema, fragments, variables);
  try {
    const cost = walk.objectCost(root, [operation.selectionSet], data as Record<string, unknown>);
    return { fieldCost: cost.field, typeCost: cost.type };
  } catch (error) {
    if (error instanceof TooComplexError) return { fieldCost: Number.POSITIVE_INFINITY, typeCost: Number.POSITIVE_INFINITY };
    throw error;
  }
}

class ActualWalk extends SelectionWalk {
  objectCost(type: GraphQLObjectType, sets: readonly SelectionSetNode[], value: Record<string, unknown>): Cost {
    const total: Cost = { field: 0, type: this.model.typeWeight(type) };
    for (const [responseName, nodes] of this.collectFields(type, sets)) {
      if (!Object.prototype.hasOwnProperty.call(value, responseName)) continue;
      const node = nodes[0] as FieldNode;
      if (node.name.value.startsWith('__')) continue;
      const field = type.getFields()[node.name.value];
      if (field === undefined) continue;
      total.field += this.fieldOwnCost(type, field, nodes);
      const named = getNamedType(field.type);
      const childSets = isCompositeType(named) ? nodes.flatMap((usage) => (usage.selectionSet ? [usage.selectionSet] : [])) : [];
      const child = this.valueCost(field.type, childSets, value[responseName]);
      total.field += child.field;
      total.type += child.type;
    }
    return total;
  }

  valueCost(type: GraphQLOutputType, sets: readonly SelectionSetNode[], value: unknown): Cost {
    if (value === null || value === undefined) return { field: 0, type: 0 };
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const total: Cost = { field: 0, type: 0 };
      for (const item of Array.isArray(value) ? value : [value]) {
        const cost = this.valueCost(nullable.ofType, sets, item);
        total.field += cost.field;
        total.type += cost.type;
      }
      return total;
    }
    const named = getNamedType(nullable);
    if (!isCompositeType(named)) return { field: 0, type: this.model.typeWeight(named) };
    if (typeof value !== 'object') return { field: 0, type: 0 };
    const object = value as Record<string, unknown>;
    const concrete = this.#concreteType(named, object);
    if (concrete !== undefined) return this.objectCost(concrete, sets, object);
    if (!isAbstractType(named)) return { field: 0, type: 0 };
    const cost: Cost = { field: 0, type: 0 };
    for (const possible of this.schema.getPossibleTypes(named)) {
      const candidate = this.objectCost(possible, sets, object);
      cost.field = Math.max(cost.field, candidate.field);
      cost.type = Math.max(cost.type, candidate.type);
    }
    return cost;
  }

  /** The object's type: the field's when concrete, else the response's `__typename` when it names a possible type. */
  #concreteType(type: GraphQLCompositeType, value: Record<string, unknown>): GraphQLObjectType | undefined {
    if (!isAbstractType(type)) return type;
    const name = value['__typename'];
    if (typeof name !== 'string') return undefined;
    const named = this.schema.getType(name);
    return isObjectType(named) && this.schema.isSubType(type, named) ? named : undefined;
  }
}
