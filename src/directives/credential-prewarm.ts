import {
  getNamedType,
  isCompositeType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getSecurityContext } from '../context/security-context.js';
import { isPromiseLike } from '../context/request-memo.js';
import { getProtectedFieldState } from './protect-fields.js';
import type { CredentialPreparer } from './protection.js';

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;

/**
 * Selections looked at per root field before the analysis gives up. Giving up only means some
 * credential is verified when its field is reached rather than ahead of time: enforcement is in
 * the fields' own resolvers and never depends on this analysis.
 */
const selectionBudget = 10_000;

const cache = new WeakMap<GraphQLSchema, WeakMap<FieldNode, readonly CredentialPreparer[]>>();

/**
 * Wraps a root field's resolver so that, before it runs, every credential that a protected field
 * anywhere below it will read has been verified. graphql-js calls the resolvers of a list's items
 * one after another without yielding; with the answers already in the request memo, each of a
 * thousand protected items is checked synchronously instead of waiting on a promise of its own.
 */
export function withCredentialPrewarm(resolve: Resolver): Resolver {
  return function prewarmedResolve(source, args, context, info) {
    const security = getSecurityContext(context);
    if (security === undefined) return resolve(source, args, context, info);
    let pending: PromiseLike<unknown>[] | undefined;
    for (const prepare of preparersFor(info)) {
      let started: unknown;
      try {
        started = prepare(security);
      } catch {
        continue; // the field's own check will meet the same failure and refuse
      }
      if (isPromiseLike(started)) (pending ??= []).push(started);
    }
    if (pending === undefined) return resolve(source, args, context, info);
    return Promise.allSettled(pending).then(() => resolve(source, args, context, info));
  };
}

/**
 * The credential preparers of every protected field that the selection under this root field may
 * reach, including through fragments, inline fragments and every implementation of an abstract
 * type. Cached per document node, so a repeated (cached) document costs a map lookup.
 */
export function preparersFor(info: GraphQLResolveInfo): readonly CredentialPreparer[] {
  const key = info.fieldNodes[0];
  if (key === undefined) return [];
  let bySchema = cache.get(info.schema);
  if (bySchema === undefined) {
    bySchema = new WeakMap();
    cache.set(info.schema, bySchema);
  }
  let preparers = bySchema.get(key);
  if (preparers === undefined) {
    preparers = collectPreparers(info, (from) => {
      for (const node of info.fieldNodes) from.field(info.parentType, node);
    });
    bySchema.set(key, preparers);
  }
  return preparers;
}

const operationCache = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, readonly CredentialPreparer[]>>();

/**
 * The credential preparers of every protected field the whole operation of `info` may reach, every
 * root field included: for a protection that decides once for the operation (its cost budget) and
 * must know every credential the request proves before it picks an identity.
 */
export function preparersForOperation(info: GraphQLResolveInfo): readonly CredentialPreparer[] {
  let bySchema = operationCache.get(info.schema);
  if (bySchema === undefined) {
    bySchema = new WeakMap();
    operationCache.set(info.schema, bySchema);
  }
  let preparers = bySchema.get(info.operation);
  if (preparers === undefined) {
    const root = info.schema.getRootType(info.operation.operation);
    preparers = root ? collectPreparers(info, (from) => from.selections(root, info.operation.selectionSet)) : [];
    bySchema.set(info.operation, preparers);
  }
  return preparers;
}

/** Where a walk for preparers starts: some field nodes, or a selection set. */
interface PreparerWalk {
  field(parent: GraphQLCompositeType, node: FieldNode): void;
  selections(parent: GraphQLCompositeType, selectionSet: SelectionSetNode): void;
}

function collectPreparers(info: GraphQLResolveInfo, start: (from: PreparerWalk) => void): readonly CredentialPreparer[] {
  const { schema, fragments } = info;
  const found = new Set<CredentialPreparer>();
  const visited = new Map<SelectionSetNode, Set<string>>();
  let budget = selectionBudget;

  const visitField = (parent: GraphQLCompositeType, node: FieldNode): void => {
    const name = node.name.value;
    if (name.startsWith('__')) return;
    const objects = isObjectType(parent) ? [parent] : schema.getPossibleTypes(parent);
    for (const object of objects) {
      const field = object.getFields()[name];
      if (field === undefined) continue;
      for (const protection of getProtectedFieldState(field)?.protections ?? []) {
        if (protection.prepare) found.add(protection.prepare);
      }
      const named = getNamedType(field.type);
      if (node.selectionSet && isCompositeType(named)) visitSelections(named, node.selectionSet);
    }
  };

  const visitSelections = (parent: GraphQLCompositeType, selectionSet: SelectionSetNode): void => {
    let seenTypes = visited.get(selectionSet);
    if (seenTypes === undefined) {
      seenTypes = new Set();
      visited.set(selectionSet, seenTypes);
    }
    if (seenTypes.has(parent.name)) return;
    seenTypes.add(parent.name);
    for (const selection of selectionSet.selections) {
      if (--budget < 0) return;
      if (selection.kind === Kind.FIELD) {
        visitField(parent, selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (isCompositeType(narrowed)) visitSelections(narrowed, selection.selectionSet);
      } else {
        const fragment = fragments[selection.name.value];
        if (fragment === undefined) continue;
        const narrowed = schema.getType(fragment.typeCondition.name.value);
        if (isCompositeType(narrowed)) visitSelections(narrowed, fragment.selectionSet);
      }
    }
  };

  start({ field: visitField, selections: visitSelections });
  return Array.from(found);
}
