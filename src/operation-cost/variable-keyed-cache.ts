import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { CostModel } from './cost-model.js';

interface Entry<T> {
  readonly schema: GraphQLSchema;
  readonly read: ReadonlyArray<readonly [string, string]>;
  readonly value: T;
}

const maxEntriesPerOperation = 32;
const maxCachedVariableLength = 2048;

/**
 * What a cost computation answered for an operation node (a cached document's) and the values of
 * just the variables it read, per cost model and schema: a cursor variable the computation never
 * read does not defeat the cache. Held weakly by model and operation; at most 32 variants per
 * operation (the oldest goes first); a variable whose value is longer than 2 KiB as JSON is never
 * cached.
 */
export class VariableKeyedCache<T> {
  readonly #byModel = new WeakMap<CostModel, WeakMap<OperationDefinitionNode, Entry<T>[]>>();

  /** The cached value whose read variables have the values they have in `variables`. */
  get(
    model: CostModel,
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>>,
  ): T | undefined {
    const entries = this.#byModel.get(model)?.get(operation);
    if (entries === undefined) return undefined;
    for (const entry of entries) {
      if (entry.schema === schema && entry.read.every(([name, value]) => canonical(variables, name) === value)) return entry.value;
    }
    return undefined;
  }

  /** Remembers `value`, computed having read the variables named in `read`. */
  set(
    model: CostModel,
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>>,
    read: Iterable<string>,
    value: T,
  ): void {
    const values = [...read].map((name) => [name, canonical(variables, name)] as const);
    if (!values.every(([, text]) => text.length <= maxCachedVariableLength)) return;
    let byOperation = this.#byModel.get(model);
    if (byOperation === undefined) {
      byOperation = new WeakMap();
      this.#byModel.set(model, byOperation);
    }
    let entries = byOperation.get(operation);
    if (entries === undefined) {
      entries = [];
      byOperation.set(operation, entries);
    }
    if (entries.length >= maxEntriesPerOperation) entries.shift();
    entries.push({ schema, read: values, value });
  }
}

function canonical(variables: Readonly<Record<string, unknown>>, name: string): string {
  if (!Object.prototype.hasOwnProperty.call(variables, name)) return '-';
  const value = variables[name];
  // JSON.stringify answers undefined (not a string) for a variable set to undefined.
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
