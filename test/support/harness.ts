import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import type { IResolvers } from '@graphql-tools/utils';
import {
  applyProtections,
  type IncomingRequestFacts,
  type ProtectionDirective,
  securityContextFactory,
  type SecurityContextOptions,
} from '../../src/index.js';

/** Builds an executable schema from the directives' SDL and `sdl`, then protects it. */
export function protectedSchema(
  sdl: string,
  directives: readonly ProtectionDirective[],
  resolvers: IResolvers = {},
  options: { secureByDefault?: boolean } = {},
): GraphQLSchema {
  const schema = makeExecutableSchema({
    typeDefs: [...directives.map((directive) => directive.typeDefs), sdl],
    resolvers,
  });
  return applyProtections(schema, directives, options);
}

/** A request as the protection layer sees it. */
export interface TestRequest {
  readonly headers?: Record<string, string | readonly string[]>;
  readonly remoteAddress?: string;
  readonly url?: string;
  readonly method?: string;
}

/** The request facts of a test request, header names lower-cased. */
export function requestFacts(request: TestRequest = {}): IncomingRequestFacts {
  const headers: Record<string, readonly string[]> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    headers[name.toLowerCase()] = typeof value === 'string' ? [value] : value;
  }
  return {
    headers,
    remoteAddress: request.remoteAddress ?? '127.0.0.1',
    url: request.url ?? '/graphql',
    method: request.method ?? 'POST',
  };
}

/** Executes `source` against `schema` with a fresh security context for `request`. */
export async function run(
  schema: GraphQLSchema,
  source: string,
  request: TestRequest = {},
  contextOptions: SecurityContextOptions = {},
  variableValues?: Record<string, unknown>,
): Promise<ExecutionResult> {
  const rampart = securityContextFactory(contextOptions)(requestFacts(request));
  return graphql({ schema, source, contextValue: { rampart }, variableValues });
}

/** `[path, code]` of every error, for exact assertions: of a result in process, or as a server sent it. */
export function errorCodes(result: ExecutionResult | FormattedExecutionResult): Array<[string, unknown]> {
  return (result.errors ?? []).map((error) => [(error.path ?? []).join('.'), error.extensions?.['code']]);
}
