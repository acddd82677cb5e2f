import { getDirective } from '@graphql-tools/utils';
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/** The names under which a schema writes the IBM cost directives. */
export interface CostDirectiveNames {
  /** `@cost(weight: String!)`. @default 'cost' */
  readonly cost: string;
  /** `@listSize(assumedSize, slicingArguments, sizedFields, requireOneSlicingArgument)`. @default 'listSize' */
  readonly listSize: string;
}

/** What `@listSize` says about one field, its arguments checked. */
export interface ListSizeRule {
  /** The list's size when no slicing argument gives one. */
  readonly assumedSize: number | undefined;
  /** Slicing arguments as paths (`['first']`, `['input', 'pagination', 'first']`). */
  readonly slicingArguments: readonly (readonly string[])[];
  /** Child fields whose size the slicing arguments give (a connection's `edges`), instead of the field's own. */
  readonly sizedFields: readonly string[];
  /** Exactly one slicing argument must be given (a schema default counts when the query gives none). */
  readonly requireOneSlicingArgument: boolean;
}

/**
 * The weights and list sizes a schema declares with `@cost` and `@listSize`, read once, by type and
 * field name (so that it serves every copy of the schema a transformer makes). What is not
 * declared takes the specification's defaults: 1 for composite types and fields returning them,
 * input objects included; 0 for scalars, enums and fields, arguments and input fields of those.
 */
export interface CostModel {
  /** The size assumed for a list that neither `@listSize` nor a parent's `sizedFields` sizes. */
  readonly defaultListSize: number;
  /** The weight of one value of an output type in the response (type cost). */
  typeWeight(type: GraphQLNamedType): number;
  /** The weight of one call of `Type.field` (field cost). */
  fieldWeight(typeName: string, field: GraphQLField<unknown, unknown>): number;
  /** The weight of an argument of `Type.field` or, for a directive's argument, of `@directive`. */
  argumentWeight(owner: string, argument: GraphQLArgument): number;
  /** The weight of an input object's field. */
  inputFieldWeight(typeName: string, field: GraphQLInputField): number;
  /** The `@listSize` of `Type.field`: its own, or the first of an interface field it implements. */
  listSize(typeName: string, fieldName: string): ListSizeRule | undefined;
}

/** Largest weight, in absolute value, that `@cost` accepts. */
const maxWeight = 1e9;
/** Largest `assumedSize`. */
const maxAssumedSize = 1e9;

const floatText = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Reads every `@cost` and `@listSize` of `schema` and checks it against the IBM specification:
 * `@cost` never on an interface field (an interface costs the most of its implementations),
 * weights that are serialized floats, slicing arguments that exist and are `Int` (or a list, whose
 * length counts), sized fields that are lists of the field's type, `@listSize` only on a list or
 * with `sizedFields`. Throws `TypeError` naming the schema coordinate of the first bad usage.
 */
export function readCostModel(schema: GraphQLSchema, names: CostDirectiveNames, defaultListSize: number): CostModel {
  const types = new Map<string, number>();
  const fields = new Map<string, number>();
  const args = new Map<string, number>();
  const inputFields = new Map<string, number>();
  const listSizes = new Map<string, ListSizeRule>();
  const weightOf = (node: Parameters<typeof getDirective>[1], where: string): number | undefined => {
    const usage = getDirective(schema, node, names.cost)?.[0];
    return usage === undefined ? undefined : parseWeight(usage['weight'], `@${names.cost} on ${where}`);
  };

  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isScalarType(type) || isEnumType(type)) {
      const weight = weightOf(type, type.name);
      if (weight !== undefined) types.set(type.name, weight);
    }
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const weight = weightOf(field, coordinate);
        if (weight !== undefined) {
          if (isInterfaceType(type)) {
            throw new TypeError(
              `@${names.cost} on ${coordinate}: the specification forbids @${names.cost} on an interface field; put it on the fields of the types that implement it`,
            );
          }
          fields.set(coordinate, weight);
        }
        for (const argument of field.args) {
          const argumentWeight = weightOf(argument, `${coordinate}(${argument.name}:)`);
          if (argumentWeight === undefined) continue;
          if (isInterfaceType(type)) {
            throw new TypeError(
              `@${names.cost} on ${coordinate}(${argument.name}:): the specification forbids @${names.cost} on an interface field; put it on the fields of the types that implement it`,
            );
          }
          args.set(`${coordinate}(${argument.name}:)`, argumentWeight);
        }
        const usage = getDirective(schema, field, names.listSize)?.[0];
        if (usage !== undefined) listSizes.set(coordinate, readListSize(usage, field, `@${names.listSize} on ${coordinate}`));
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const weight = weightOf(field, `${type.name}.${field.name}`);
        if (weight !== undefined) inputFields.set(`${type.name}.${field.name}`, weight);
      }
    }
  }
  for (const directive of schema.getDirectives()) {
    for (const argument of directive.args) {
      const weight = weightOf(argument, `@${directive.name}(${argument.name}:)`);
      if (weight !== undefined) args.set(`@${directive.name}(${argument.name}:)`, weight);
    }
  }
  // An object field without @listSize takes the first one written on an interface field it implements.
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const fieldName of Object.keys(type.getFields())) {
      if (listSizes.has(`${type.name}.${fieldName}`)) continue;
      const inherited = type
        .getInterfaces()
        .map((iface) => listSizes.get(`${iface.name}.${fieldName}`))
        .find((rule) => rule !== undefined);
      if (inherited) listSizes.set(`${type.name}.${fieldName}`, inherited);
    }
  }

  const compositeDefault = (type: GraphQLNamedType) => (isCompositeType(type) || isInputObjectType(type) ? 1 : 0);
  return {
    defaultListSize,
    typeWeight: (type) => types.get(type.name) ?? compositeDefault(type),
    fieldWeight: (typeName, field) => fields.get(`${typeName}.${field.name}`) ?? compositeDefault(getNamedType(field.type)),
    argumentWeight: (owner, argument) => args.get(`${owner}(${argument.name}:)`) ?? compositeDefault(getNamedType(argument.type)),
    inputFieldWeight: (typeName, field) => inputFields.get(`${typeName}.${field.name}`) ?? compositeDefault(getNamedType(field.type)),
    listSize: (typeName, fieldName) => listSizes.get(`${typeName}.${fieldName}`),
  };
}

function parseWeight(value: unknown, where: string): number {
  const weight = typeof value === 'string' && floatText.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(weight) || Math.abs(weight) > maxWeight) {
    throw new TypeError(`${where}: weight must be a number written as a string, such as "2.0" (at most ${maxWeight} either way)`);
  }
  return weight;
}

function readListSize(usage: Record<string, unknown>, field: GraphQLField<unknown, unknown>, where: string): ListSizeRule {
  const { assumedSize, slicingArguments, sizedFields, requireOneSlicingArgument } = usage;
  if (
    assumedSize !== undefined &&
    assumedSize !== null &&
    !(Number.isInteger(assumedSize) && (assumedSize as number) >= 0 && (assumedSize as number) <= maxAssumedSize)
  ) {
    throw new TypeError(`${where}: assumedSize must be an integer, 0 or more`);
  }
  const paths = ((slicingArguments ?? []) as unknown[]).map((path) => {
    if (typeof path !== 'string' || !/^[_A-Za-z]\w*(\.[_A-Za-z]\w*)*$/.test(path)) {
      throw new TypeError(`${where}: slicingArguments must be argument names or paths such as "first" or "input.first"`);
    }
    return path.split('.');
  });
  for (const path of paths) checkSlicingPath(field, path, where);
  const sized = ((sizedFields ?? []) as unknown[]).map((name) => {
    if (typeof name !== 'string') throw new TypeError(`${where}: sizedFields must be field names`);
    return name;
  });
  const returnsList = isListType(getNullableType(field.type));
  if (sized.length > 0) {
    if (returnsList) throw new TypeError(`${where}: sizedFields belongs on a field that returns an object (a connection), not a list`);
    const named = getNamedType(field.type);
    for (const name of sized) {
      const child = isObjectType(named) || isInterfaceType(named) ? named.getFields()[name] : undefined;
      if (child === undefined || !isListType(getNullableType(child.type))) {
        throw new TypeError(`${where}: sizedFields names ${name}, which is not a list field of ${named.name}`);
      }
    }
  } else if (!returnsList) {
    throw new TypeError(`${where}: the field returns no list; name the list fields it sizes in sizedFields`);
  }
  const requireOne = requireOneSlicingArgument !== false;
  if (typeof assumedSize === 'number' && paths.length > 0) {
    const defaulted = paths.some((path) => field.args.find((argument) => argument.name === path[0])?.defaultValue !== undefined);
    if (requireOne || defaulted) {
      throw new TypeError(
        `${where}: assumedSize goes with slicingArguments only when requireOneSlicingArgument is false and no slicing argument has a default`,
      );
    }
  }
  return {
    assumedSize: typeof assumedSize === 'number' ? assumedSize : undefined,
    slicingArguments: paths,
    sizedFields: sized,
    requireOneSlicingArgument: requireOne,
  };
}

function checkSlicingPath(field: GraphQLField<unknown, unknown>, path: readonly string[], where: string): void {
  const [first, ...rest] = path;
  const argument = field.args.find((candidate) => candidate.name === first);
  if (argument === undefined) throw new TypeError(`${where}: slicing argument ${path.join('.')} is not an argument of the field`);
  let type: GraphQLInputType = argument.type;
  for (const step of rest) {
    const object = getNullableType(type);
    const next = isInputObjectType(object) ? object.getFields()[step] : undefined;
    if (next === undefined) throw new TypeError(`${where}: slicing argument ${path.join('.')} names no input field ${step}`);
    type = next.type;
  }
  const end = getNullableType(type);
  if (!(isListType(end) || (isScalarType(end) && end.name === 'Int'))) {
    throw new TypeError(`${where}: slicing argument ${path.join('.')} must be an Int (or a list, whose length counts)`);
  }
}
