import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import {
  applyProtections,
  publicDirective,
  requiresApiKeyDirective,
  type ApiKeyStore,
} from '../index.js';
import { catalogResolvers } from './catalog/resolvers.js';

/** schema/catalog.graphql, the demo's SDL (its directives are the library's). */
export const catalogSdl: string = readFileSync(
  new URL('../../schema/catalog.graphql', import.meta.url),
  'utf8',
);

/** What the demo's protections need. */
export interface DemoProtections {
  readonly apiKeyStore: ApiKeyStore;
  /** Told when the key store fails (the error only, never a key). */
  readonly onStoreError?: (error: unknown) => void;
}

/**
 * The demo catalog schema with its protections applied, as any server using the library would
 * build it: the directives' SDL plus the catalog's, the resolvers, then `applyProtections`.
 */
export function buildDemoSchema(protections: DemoProtections): GraphQLSchema {
  const apiKey = requiresApiKeyDirective({
    store: protections.apiKeyStore,
    ...(protections.onStoreError ? { onStoreError: protections.onStoreError } : {}),
  });
  const open = publicDirective();
  const directives = [apiKey, open];
  const schema = makeExecutableSchema({
    typeDefs: [...directives.map((directive) => directive.typeDefs), catalogSdl],
    resolvers: catalogResolvers,
  });
  return applyProtections(schema, directives);
}
