import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { unwrapResolverError } from '@apollo/server/errors';
import Database from 'better-sqlite3';
import type { GraphQLFormattedError } from 'graphql';
import {
  fromNodeRequest,
  isRampartError,
  SecurityContext,
  securityContextFactory,
  SqliteApiKeyStore,
} from '../index.js';
import { openDataDirectory } from '../cli/data-directory.js';
import { createDemoContext, type DemoContext } from './catalog/context.js';
import { openCatalogDatabase, type CatalogDatabase } from './catalog/database.js';
import type { DemoConfig } from './config.js';
import { createGraphQLHttpHandler, sendJson } from './graphql-http-handler.js';
import { buildDemoSchema } from './schema.js';

/** The GraphQL context of a demo request: the catalog's, plus the protection layer's. */
export type DemoRequestContext = DemoContext & BaseContext & { readonly rampart: SecurityContext };

/** A running (or ready to run) demo server. */
export interface DemoServer {
  readonly httpServer: Server;
  readonly catalog: CatalogDatabase;
  /** Starts listening; resolves with the GraphQL endpoint's URL. */
  start(): Promise<URL>;
  /** Stops accepting, lets in-flight requests finish, then closes the databases. */
  stop(): Promise<void>;
}

/** Codes whose messages were written for clients; anything else is masked. */
const clientFacingCodes = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Keeps refusals and client errors as they are and masks everything unexpected (a bug, a driver
 * error) as "Internal server error", so no SQL, path or secret reaches a client.
 */
export function formatDemoError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const code = formatted.extensions?.['code'];
  if (isRampartError(original) || (typeof code === 'string' && clientFacingCodes.has(code))) {
    return formatted;
  }
  const masked: GraphQLFormattedError = {
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
  return {
    ...masked,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
}

/** Builds the demo: stores in `DATA_DIR`, the protected schema, Apollo Server on `node:http`. */
export function createDemoServer(config: DemoConfig, log: (line: string) => void = console.error): DemoServer {
  const directory = openDataDirectory(config.dataDir);
  const keysDatabase = new Database(directory.keysDatabase);
  keysDatabase.pragma('journal_mode = WAL');
  keysDatabase.pragma('busy_timeout = 5000');
  const apiKeyStore = new SqliteApiKeyStore(keysDatabase);
  const catalog = openCatalogDatabase(directory.catalogDatabase);
  const schema = buildDemoSchema({
    apiKeyStore,
    onStoreError: (error) => log(`api key store error: ${(error as Error).name}`),
  });
  const securityContext = securityContextFactory({ trustedProxies: config.trustedProxies });

  const httpServer = createServer();
  const apollo = new ApolloServer<DemoRequestContext>({
    schema,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    formatError: formatDemoError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 10_000 }),
      ApolloServerPluginLandingPageDisabled(),
    ],
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => log(`apollo: ${String(message)}`),
      error: (message) => log(`apollo: ${String(message)}`),
    },
  });

  const context = async (request: IncomingMessage): Promise<DemoRequestContext> => {
    const rampart = securityContext(fromNodeRequest(request));
    return { ...createDemoContext(catalog, undefined), rampart };
  };
  const graphqlHandler = createGraphQLHttpHandler({ apollo, context, maxBodyBytes: config.maxBodyBytes });

  httpServer.on('request', (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/graphql') {
      if (request.method !== 'GET' && request.method !== 'POST') {
        sendJson(response, 405, { error: 'Use GET or POST.' }, { allow: 'GET, POST' });
        return;
      }
      graphqlHandler(request, response).catch(() => {
        if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'Internal server error' }] });
        else response.destroy();
      });
      return;
    }
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      sendJson(response, 200, { status: 'ok' });
      return;
    }
    sendJson(response, 404, { error: 'Not found. The GraphQL endpoint is POST /graphql.' });
  });

  let stopped: Promise<void> | undefined;
  return {
    httpServer,
    catalog,
    async start() {
      await apollo.start();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      const host = config.host === undefined || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      return new URL(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}/graphql`);
    },
    stop() {
      stopped ??= (async () => {
        await apollo.stop();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        catalog.close();
        keysDatabase.close();
      })();
      return stopped;
    },
  };
}
