// Test support for the catalog's specifications: a seeded catalog of its own, on one back end,
// behind the demo's executable schema, with the protection directives declared but not enforced.
import { readFileSync } from 'node:fs';

import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql } from 'graphql';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { afterAll, beforeAll } from 'vitest';

import { createDemoContext } from '../../../src/demo/catalog/context.js';
import type { Viewer } from '../../../src/demo/catalog/context.js';
import type { CatalogDatabase } from '../../../src/demo/catalog/database.js';
import type { ScryptCost } from '../../../src/demo/catalog/password.js';
import { catalogResolvers } from '../../../src/demo/catalog/resolvers.js';
import type { CatalogBackend } from './backends.js';

/** A scrypt cost that takes about a millisecond, for tests that sign users up. */
export const TEST_PASSWORD_COST: ScryptCost = { N: 1024, r: 8, p: 1 };

/** The demo's executable schema, without the protection transformers. */
export function buildCatalogSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: [readFileSync('schema/directives.graphql', 'utf8'), readFileSync('schema/catalog.graphql', 'utf8')],
    resolvers: catalogResolvers,
  });
}

/** A seeded catalog and a way to run operations against it. */
export interface CatalogHarness {
  readonly db: CatalogDatabase;
  readonly schema: GraphQLSchema;
  /** Runs one operation with a fresh per-request context, as the server does. */
  run(source: string, variables?: Record<string, unknown>, viewer?: Viewer): Promise<ExecutionResult>;
  /** Signs a user up through the schema and returns them as a viewer. */
  signUp(email: string, password?: string): Promise<Viewer>;
}

const SIGN_UP = `mutation ($email: String!, $password: String!) {
  signUp(email: $email, password: $password) { id }
}`;

/**
 * A fresh harness over a seeded catalog of its own on `backend`, hashing passwords at
 * `passwordCost`. `releaseCatalogs` closes it.
 */
export async function createCatalogHarness(
  backend: CatalogBackend,
  passwordCost: ScryptCost = TEST_PASSWORD_COST,
): Promise<CatalogHarness> {
  const db = await backend.open({ passwordCost });
  const schema = buildCatalogSchema();
  const run: CatalogHarness['run'] = (source, variables, viewer) =>
    graphql({
      schema,
      source,
      variableValues: variables,
      contextValue: createDemoContext(db, viewer),
    });
  return {
    db,
    schema,
    run,
    async signUp(email, password = 'correct horse battery') {
      const result = await run(SIGN_UP, { email, password });
      const user = (result.data?.signUp ?? null) as { id: string } | null;
      if (user === null) throw new Error(`signUp failed: ${JSON.stringify(result.errors)}`);
      return { userId: user.id };
    },
  };
}

/**
 * The harness of a `describe` block: created on `backend` before its tests, closed after them.
 * Use its members inside tests and hooks only.
 */
export function useCatalogHarness(backend: CatalogBackend, passwordCost: ScryptCost = TEST_PASSWORD_COST): CatalogHarness {
  let current: CatalogHarness | undefined;
  beforeAll(async () => {
    current = await createCatalogHarness(backend, passwordCost);
  });
  afterAll(async () => {
    await current?.db.close();
  });
  const harness = (): CatalogHarness => {
    if (current === undefined) throw new Error('useCatalogHarness: used outside a test or hook');
    return current;
  };
  return {
    get db() {
      return harness().db;
    },
    get schema() {
      return harness().schema;
    },
    run: (source, variables, viewer) => harness().run(source, variables, viewer),
    signUp: (email, password) => harness().signUp(email, password),
  };
}

/** The `extensions.code`, message and path of each error, for exact assertions. */
export function errorsOf(result: ExecutionResult): { code: unknown; message: string; path: readonly (string | number)[] | undefined }[] {
  return (result.errors ?? []).map((error) => ({
    code: error.extensions['code'],
    message: error.message,
    path: error.path,
  }));
}
