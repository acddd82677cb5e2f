import {
  buildSchema,
  getVariableValues,
  Kind,
  parse,
  validate,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { actualOperationCost } from '../../src/operation-cost/actual-cost.js';
import { readCostModel, type CostModel } from '../../src/operation-cost/cost-model.js';
import { staticOperationCost, type OperationCost, type StaticOperationCost } from '../../src/operation-cost/static-cost.js';

/** The IBM specification's definitions of the two directives (§9.1, §9.2). */
export const costDirectivesSdl = `
directive @cost(weight: String!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
`;

/** A schema with the cost directives declared, and its cost model. */
export interface CostSchema {
  readonly schema: GraphQLSchema;
  readonly model: CostModel;
}

export function costSchema(sdl: string, defaultListSize = 100): CostSchema {
  const schema = buildSchema(costDirectivesSdl + sdl);
  return { schema, model: readCostModel(schema, { cost: 'cost', listSize: 'listSize' }, defaultListSize) };
}

/** A document's operation, fragments and coerced variables, as the executor would hold them (the document must validate). */
export function prepared(schema: GraphQLSchema, source: string, variables: Record<string, unknown> = {}, validated = true) {
  const document = parse(source);
  if (validated) {
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`invalid test document: ${errors.map((error) => error.message).join('; ')}`);
  }
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operation === undefined) throw new Error('no operation');
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) throw new Error(`bad test variables: ${coerced.errors.map((error) => error.message).join('; ')}`);
  return { operation, fragments, variables: coerced.coerced };
}

/** The static cost of `source` with `variables`. */
export function costOf(
  { schema, model }: CostSchema,
  source: string,
  variables: Record<string, unknown> = {},
  validated = true,
): StaticOperationCost {
  const { operation, fragments, variables: coerced } = prepared(schema, source, variables, validated);
  return staticOperationCost(model, schema, operation, fragments, coerced);
}

/** The actual cost of `source` having returned `data`. */
export function actualCostOf(
  { schema, model }: CostSchema,
  source: string,
  data: unknown,
  variables: Record<string, unknown> = {},
): OperationCost {
  const { operation, fragments, variables: coerced } = prepared(schema, source, variables);
  return actualOperationCost(model, schema, operation, fragments, coerced, data);
}

/** `[fieldCost, typeCost]`, for compact expectations. */
export function measures(cost: OperationCost): [number, number] {
  return [cost.fieldCost, cost.typeCost];
}
