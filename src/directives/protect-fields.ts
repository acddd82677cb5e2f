import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  isObjectType,
  type GraphQLField,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { findDirectiveUsages, type DirectiveUsage } from './find-directive-usages.js';
import { createProtectedResolver } from './protected-resolver.js';
import type { FieldProtection, ProtectionDirective } from './protection.js';

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;

/** The field extension under which a protected field keeps its protections. */
export const protectionExtension = 'graphql-rampart';

/** What a protected field records in its extensions, so that later directives compose with it. */
export interface ProtectedFieldState {
  /** Every protection of the field, in check order. */
  readonly protections: readonly FieldProtection[];
  /** The field's own resolver, before any protection wrapped it. */
  readonly resolve: Resolver | undefined;
  /** The field's own subscribe function, before any protection wrapped it. */
  readonly subscribe: Resolver | undefined;
}

/**
 * Builds the protections one directive usage gives one field (`coordinate` is `Type.field`):
 * usually one; several when a directive acts at two points of the check order (a verification
 * early, a consumption late).
 */
export type ProtectionBuilder = (usage: DirectiveUsage, coordinate: string) => FieldProtection | readonly FieldProtection[];

/**
 * The shared mechanics of every protection directive: finds each object field that the directive
 * reaches (on the field, its type, an interface or an interface field), adds the protection that
 * `build` makes for each usage, and wraps the field's resolver once, whatever the number of
 * directives. Fields the directive does not reach are returned untouched.
 */
export function protectFields(schema: GraphQLSchema, directiveName: string, build: ProtectionBuilder): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName, originalSchema) => {
      const type = originalSchema.getType(typeName);
      if (!isObjectType(type)) return fieldConfig;
      const usages = findDirectiveUsages(originalSchema, type, fieldName, fieldConfig, directiveName);
      if (usages.length === 0) return fieldConfig;
      const coordinate = `${typeName}.${fieldName}`;
      return addFieldProtections(
        fieldConfig,
        usages.flatMap((usage) => build(usage, coordinate)),
      );
    },
  });
}

/**
 * Adds the protection `build` makes to every root field (Query, Mutation, Subscription), whatever
 * directives they carry: for a protection of the whole operation (its cost), decided on the first
 * root field a request resolves.
 */
export function protectRootFields(schema: GraphQLSchema, build: (coordinate: string) => FieldProtection): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.ROOT_FIELD]: (fieldConfig, fieldName, typeName) => addFieldProtections(fieldConfig, [build(`${typeName}.${fieldName}`)]),
  });
}

/**
 * A protection directive in graphql-tools' schema-directive shape, from its name, SDL and what it
 * attaches to each field it reaches.
 */
export function defineProtectionDirective(name: string, typeDefs: string, build: ProtectionBuilder): ProtectionDirective {
  return { name, typeDefs, transformer: (schema) => protectFields(schema, name, build) };
}

/** The protection state of a field, when any protection reaches it. */
export function getProtectedFieldState(
  field: GraphQLField<unknown, unknown> | GraphQLFieldConfig<unknown, unknown>,
): ProtectedFieldState | undefined {
  return (field.extensions as Record<string, unknown> | undefined | null)?.[protectionExtension] as ProtectedFieldState | undefined;
}

function addFieldProtections(
  fieldConfig: GraphQLFieldConfig<unknown, unknown>,
  added: readonly FieldProtection[],
): GraphQLFieldConfig<unknown, unknown> {
  const previous = getProtectedFieldState(fieldConfig);
  const resolve = previous ? previous.resolve : (fieldConfig.resolve as Resolver | undefined);
  const subscribe = previous ? previous.subscribe : (fieldConfig.subscribe as Resolver | undefined);
  // A stable sort keeps usages of one rank in the order they were found (broadest first).
  const protections = [...(previous?.protections ?? []), ...added].sort((a, b) => a.rank - b.rank);
  const state: ProtectedFieldState = { protections, resolve, subscribe };
  // A subscription is checked when it starts (its subscribe function); its events are not checked
  // again one by one (a rate limit would count every event). Hosts bound a subscription's
  // lifetime to its credentials' (close it at the token's exp).
  return {
    ...fieldConfig,
    ...(subscribe
      ? { subscribe: createProtectedResolver(subscribe, protections) }
      : { resolve: createProtectedResolver(resolve ?? defaultFieldResolver, protections) }),
    extensions: { ...fieldConfig.extensions, [protectionExtension]: state },
  };
}
