import { getDirective } from '@graphql-tools/utils';
import type { GraphQLFieldConfig, GraphQLObjectType, GraphQLSchema } from 'graphql';

/** One place where a directive, written in SDL, reaches an object field. */
export interface DirectiveUsage {
  /** The directive's arguments, with SDL defaults applied. */
  readonly args: Readonly<Record<string, unknown>>;
  /**
   * Where the directive is written, for messages and rate-limit keys: `Query.products` (on the
   * field), `type Product`, `interface Node`, `Node.id` (on an interface field).
   */
  readonly origin: string;
  /** Written on an object type or an interface, so that it reaches every one of its fields. */
  readonly onType: boolean;
}

/**
 * Every usage of the directive `directiveName` that protects the field `fieldName` of the object
 * `type`, broadest first: on an interface the object implements, on the object type, on the
 * interface's field, on the field itself. Each usage must pass; none cancels another.
 */
export function findDirectiveUsages(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  fieldName: string,
  fieldConfig: GraphQLFieldConfig<unknown, unknown>,
  directiveName: string,
): DirectiveUsage[] {
  const usages: DirectiveUsage[] = [];
  const interfaces = type.getInterfaces();
  for (const iface of interfaces) {
    for (const args of getDirective(schema, iface, directiveName) ?? []) {
      usages.push({ args, origin: `interface ${iface.name}`, onType: true });
    }
  }
  for (const args of getDirective(schema, type, directiveName) ?? []) {
    usages.push({ args, origin: `type ${type.name}`, onType: true });
  }
  for (const iface of interfaces) {
    const ifaceField = iface.getFields()[fieldName];
    if (ifaceField === undefined) continue;
    for (const args of getDirective(schema, ifaceField, directiveName) ?? []) {
      usages.push({ args, origin: `${iface.name}.${fieldName}`, onType: false });
    }
  }
  for (const args of getDirective(schema, fieldConfig, directiveName) ?? []) {
    usages.push({ args, origin: `${type.name}.${fieldName}`, onType: false });
  }
  return usages;
}
