import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import Database from 'better-sqlite3';
import type { GraphQLFormattedError } from 'graphql';
import { Redis, type Cluster } from 'ioredis';
import pg from 'pg';
import {
  createIpPolicy,
  createUserAgentPolicy,
  fromNodeRequest,
  guardConnections,
  InFlightLimit,
  isRampartError,
  MemoryBanStore,
  MemoryCostBudgetStore,
  MemoryRateLimitStore,
  MemoryReplayCache,
  PostgresApiKeyStore,
  RedisBanStore,
  RedisCostBudgetStore,
  RedisRateLimitStore,
  RedisReplayCache,
  SecurityContext,
  securityContextFactory,
  SqliteApiKeyStore,
  type ApiKeyStore,
  type ReplayCache,
  type RequiresApiKeyDirective,
} from '../index.js';
import { rampartApollo } from '../apollo.js';
import {
  PostgresTrustedDocumentStore,
  SqliteTrustedDocumentStore,
  trustedDocuments,
  type TrustedDocuments,
  type TrustedDocumentStore,
} from '../trusted-documents.js';
import { clientAppVersion, clientDocuments } from './client-documents.js';
import { openDataDirectory, preparePrivateDatabaseFile, type DevelopmentIssuer } from '../development.js';
import { createDemoContext, type DemoContext, type Viewer } from './catalog/context.js';
import type { CatalogDatabase } from './catalog/database.js';
import { openCatalogDatabase } from './catalog/open-catalog-database.js';
import type { DemoConfig } from './config.js';
import { serverTimeouts } from './client-limits.js';
import { createDevelopmentPage } from './development-page.js';
import { createGraphQLHttpHandler, sendJson } from './graphql-http-handler.js';
import { keyCreateCommand } from './key-hint.js';
import { createObservability, type Observability } from './observability.js';
import { connectRedisCluster } from './redis-cluster.js';
import { attestationVerifiersFor, captchaSettingsFor, tokenIssuerFor } from './protection-providers.js';
import { requestGate } from './request-gate.js';
import { buildDemoSchema } from './schema.js';

export { developmentAudience } from './protection-providers.js';

/** The GraphQL context of a demo request: the catalog's, plus the protection layer's. */
export type DemoRequestContext = DemoContext & BaseContext & { readonly rampart: SecurityContext };

/** A demo server, ready to start. */
export interface DemoServer {
  readonly httpServer: Server;
  readonly observability: Observability;
  /** Starts listening and builds the protected schema; resolves with the GraphQL endpoint's URL. */
  start(): Promise<URL>;
  /**
   * The one shutdown path: stops accepting connections, lets requests in flight finish (at most
   * `SHUTDOWN_GRACE_MS`, then their connections are closed), stops Apollo Server, then closes Redis
   * (QUIT, or a disconnect when it does not answer within a second), the PostgreSQL pools and the
   * SQLite databases, each within a bound. Idempotent. Rejects with {@link DemoShutdownError}
   * naming what did not close cleanly, after closing everything else.
   */
  stop(): Promise<void>;
}

/** What tests may change in a demo server beyond its configuration. */
export interface DemoServerOptions {
  /** The protections' clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/**
 * Headers whose presence proves a request was not a "simple" cross-site one (a browser sends them
 * only after a CORS preflight), so Apollo's CSRF prevention serves a GET that carries one: Apollo's
 * own two, and the demo's `X-API-Key`, so that a client sending its key on a GET without a
 * content-type (urql's default for queries) is served.
 */
export const csrfPreflightHeaders: readonly string[] = ['x-apollo-operation-name', 'apollo-require-preflight', 'x-api-key'];

/** Codes whose messages were written for clients; anything else is masked. */
const clientFacingCodes = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_REQUIRED',
  'PROTECTION_UNAVAILABLE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Keeps refusals and client errors as they are and masks everything unexpected (a bug, a driver
 * error) as "Internal server error", so no SQL, path or secret reaches a client. The parser's
 * token-limit message, which states the limit, becomes a plain "too large".
 */
export function formatDemoError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const code = formatted.extensions?.['code'];
  if (code === 'GRAPHQL_PARSE_FAILED' && /contains more tha[nt] \d+ tokens/.test(formatted.message)) {
    return { message: 'The operation is too large.', extensions: { code } };
  }
  if (isRampartError(original) || (typeof code === 'string' && clientFacingCodes.has(code))) return formatted;
  return {
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
}

/**
 * Builds the demo: stores in `DATA_DIR` (and Redis when configured), the protected schema, Apollo
 * Server on `node:http` (or `node:https` with a certificate), security events and metrics.
 *
 * @param write Where log lines go (stdout in `npm start`).
 */
export function createDemoServer(
  config: DemoConfig,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  options: DemoServerOptions = {},
): DemoServer {
  const observability = createObservability(write, config.logLevel);
  const { logger } = observability;
  const directory = openDataDirectory(config.dataDir);
  let keysDatabase: Database.Database | undefined;
  let documentsDatabase: Database.Database | undefined;
  let keysPool: pg.Pool | undefined;
  let catalog: CatalogDatabase | undefined;
  const redis =
    config.redisCluster !== undefined
      ? connectRedisCluster(config.redisCluster, observability)
      : config.redisUrl === undefined
        ? undefined
        : connectRedis(config.redisUrl, observability);
  const replayCache = (use: string): ReplayCache =>
    redis ? new RedisReplayCache(redis, { prefix: `${config.redisPrefix}replay:${use}:` }) : new MemoryReplayCache();
  const replayCaches = { dpop: replayCache('dpop'), attestation: replayCache('attestation'), captcha: replayCache('captcha') };
  // Windows and bans in Redis's time, so that instances whose clocks drift apart still share exact
  // limits and bans of one length (unless a test drives the clock).
  const redisClock = options.clock ? 'caller' : 'redis';
  const rateLimitStore = redis
    ? new RedisRateLimitStore(redis, { prefix: `${config.redisPrefix}rl:`, clock: redisClock })
    : new MemoryRateLimitStore();
  const costBudgetStore = redis
    ? new RedisCostBudgetStore(redis, { prefix: `${config.redisPrefix}cost:`, clock: redisClock })
    : new MemoryCostBudgetStore();
  const ipPolicy = createIpPolicy({
    deny: config.ipDenylist,
    bans: {
      store: redis ? new RedisBanStore(redis, { prefix: `${config.redisPrefix}ban:`, clock: redisClock }) : new MemoryBanStore(),
      violationStore: redis
        ? new RedisRateLimitStore(redis, { prefix: `${config.redisPrefix}violations:`, clock: redisClock })
        : new MemoryRateLimitStore(),
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const admit = requestGate({
    requireTls: config.requireTls,
    ipPolicy,
    userAgentPolicy: config.userAgentDenylist.length > 0 ? createUserAgentPolicy({ deny: config.userAgentDenylist }) : undefined,
  });
  // The security context of each request (built before Apollo, for the gate), the operation and
  // token limits, Retry-After, and the protections settled before each response.
  const { maxTokens, ...limits } = config.limits;
  const securityContext = securityContextFactory({ trustedProxies: config.trustedProxies, observer: observability.observer });
  const securityContextOf = (request: IncomingMessage) => securityContext(fromNodeRequest(request));
  const securityContexts = new WeakMap<IncomingMessage, SecurityContext>();
  const dependencyError = (error: unknown) => observability.dependencyError('protection', error);
  const hooks = { clock: options.clock, onKeySetFetch: (ok: boolean) => observability.keySetFetched(ok) };

  // Deadlines a real client never hits; a slow-loris client is cut off and counted toward a ban.
  const timeouts = serverTimeouts(config.requestHeadersTimeoutMs, config.requestBodyTimeoutMs);
  const httpServer: Server = config.tls
    ? createHttpsServer({
        cert: config.tls.cert,
        key: config.tls.key,
        minVersion: 'TLSv1.2',
        handshakeTimeout: config.requestHeadersTimeoutMs,
        ...timeouts,
      })
    : createHttpServer(timeouts);
  guardConnections(httpServer, {
    maxConnectionsPerClient: config.maxConnectionsPerClient,
    trustedProxies: config.trustedProxies,
    onConnectionRefused: (peer) => observability.connectionRefused('too_many_connections', peer),
    onSlowHeaders: (peer, countable) => {
      observability.connectionRefused('slow_headers', peer);
      if (countable) ipPolicy.recordViolation(peer).catch(dependencyError);
    },
  });
  const inFlight = new InFlightLimit(config.maxConnectionsPerClient);
  /** When each request's headers arrived, for its body deadline. */
  const arrivals = new WeakMap<IncomingMessage, number>();
  const scheme = config.tls ? 'https' : 'http';
  let handle: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  let stopping = false;
  // Created before the server listens, so that it tracks every connection; Apollo runs it first
  // in its stop(): stop listening, end idle connections, and destroy the rest after the grace.
  const drainHttpServer = ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs });
  let apolloStarted = false;
  let developmentIssuer: DevelopmentIssuer | undefined;
  let apollo: ApolloServer<DemoRequestContext> | undefined;

  const developmentPage = config.production ? undefined : createDevelopmentPage({ keyCommand: keyCreateCommand(config) });

  httpServer.on('request', (request: IncomingMessage, response: ServerResponse) => {
    arrivals.set(request, Date.now());
    response.setHeader('x-content-type-options', 'nosniff');
    if (config.tls && config.hstsMaxAge > 0)
      response.setHeader('strict-transport-security', `max-age=${config.hstsMaxAge}; includeSubDomains`);
    const path = (request.url ?? '/').split('?')[0];
    if ((request.method === 'GET' || request.method === 'HEAD') && path === '/healthz') {
      const status = stopping ? 'stopping' : handle ? 'ok' : 'starting';
      sendJson(response, status === 'ok' ? 200 : 503, { status });
      return;
    }
    if (request.method === 'GET' && path === '/metrics') {
      observability.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': observability.registry.contentType, 'cache-control': 'no-store' }).end(text),
        () => sendJson(response, 500, { error: 'metrics unavailable' }),
      );
      return;
    }
    if (developmentIssuer && request.method === 'GET') {
      if (path === '/.well-known/openid-configuration') {
        sendJson(response, 200, developmentIssuer.openidConfiguration(), { 'cache-control': 'public, max-age=300' });
        return;
      }
      if (path === '/.well-known/jwks.json') {
        sendJson(response, 200, developmentIssuer.jwks(), { 'cache-control': 'public, max-age=300' });
        return;
      }
    }
    // GraphiQL for a browser, in development only; production answers a browser as any client.
    if (developmentPage?.(request, response)) return;
    if (handle === undefined) {
      sendJson(response, 503, { error: 'Starting, retry shortly.' }, { 'retry-after': '1' });
      return;
    }
    handle(request, response);
  });

  const serve =
    (graphqlHandler: (request: IncomingMessage, response: ServerResponse) => Promise<void>) =>
    (request: IncomingMessage, response: ServerResponse) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/graphql') {
        sendJson(response, 404, { error: 'Not found. The GraphQL endpoint is POST /graphql.' });
        return;
      }
      if (request.method !== 'GET' && request.method !== 'POST') {
        sendJson(response, 405, { error: 'Use GET or POST.' }, { allow: 'GET, POST' });
        return;
      }
      const rampart = securityContextOf(request);
      securityContexts.set(request, rampart);
      // Behind a trusted proxy every client shares the proxy's connections: count requests in
      // flight per forwarded client address instead of connections per socket.
      if (rampart.viaTrustedProxy && !inFlight.enter(rampart.clientIp, response)) {
        observability.requestRefused('too_many_in_flight', { requestId: rampart.requestId, clientIp: rampart.clientIp });
        // A greedy client, as one over a rate limit: it counts toward a ban.
        ipPolicy.recordViolation(rampart.clientIp).catch(dependencyError);
        sendJson(
          response,
          429,
          {
            errors: [
              {
                message: 'Too many requests in flight from this address. Retry after the time given in retryAfter (seconds).',
                extensions: { code: 'RATE_LIMITED', retryAfter: 1 },
              },
            ],
          },
          { 'retry-after': '1', connection: 'close' },
        );
        return;
      }
      admit(rampart)
        .then((refusal) => {
          if (refusal === undefined) return graphqlHandler(request, response);
          observability.requestRefused(refusal.reason, { requestId: rampart.requestId, clientIp: rampart.clientIp });
          sendJson(response, refusal.status, { errors: [refusal.error] }, refusal.headers);
          return undefined;
        })
        .catch((error: unknown) => {
          logger.error({ event: 'request_failed', error: error instanceof Error ? error.name : 'unknown' }, 'request failed');
          if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'Internal server error' }] });
          else response.destroy();
        });
    };

  let stopped: Promise<void> | undefined;
  return {
    httpServer,
    observability,
    async start() {
      // Keys and catalog: PostgreSQL when DATABASE_URL is set (shared by instances), else SQLite.
      let apiKeyStore: ApiKeyStore;
      if (config.databaseUrl) {
        // A server that stops answering fails the lookup after 2 s (PROTECTION_UNAVAILABLE), never hangs.
        keysPool = new pg.Pool({
          connectionString: config.databaseUrl,
          max: 5,
          connectionTimeoutMillis: 2000,
          query_timeout: 2000,
          keepAlive: true,
        });
        keysPool.on('error', (error) => observability.dependencyError('postgres', error));
        apiKeyStore = await PostgresApiKeyStore.open(keysPool);
      } else {
        keysDatabase = new Database(preparePrivateDatabaseFile(directory.keysDatabase));
        keysDatabase.pragma('journal_mode = WAL');
        keysDatabase.pragma('busy_timeout = 5000');
        apiKeyStore = new SqliteApiKeyStore(keysDatabase);
      }
      catalog = await openCatalogDatabase(config.databaseUrl ?? preparePrivateDatabaseFile(directory.catalogDatabase));
      const openCatalog = catalog;
      // Serve only once Redis answers: the client queues nothing while disconnected, so a request
      // arriving before the first connection would be refused (PROTECTION_UNAVAILABLE) for no
      // reason. Redis down at start is a start failure, as PostgreSQL down is.
      if (redis)
        await redisReady(redis, redisStartTimeoutMs, config.redisCluster ? 'Redis Cluster (REDIS_CLUSTER_NODES)' : 'Redis (REDIS_URL)');
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      const host = config.host === undefined || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const base = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      const origin = config.publicOrigin ?? base;

      const tokens = await tokenIssuerFor(config, directory, origin, hooks);
      developmentIssuer = tokens.development;
      const captcha = captchaSettingsFor(config, directory, hooks);
      const { schema, apiKey } = buildDemoSchema({
        apiKeyStore,
        tokenIssuer: tokens.issuer,
        replayCaches,
        attestationVerifiers: attestationVerifiersFor(config, directory, hooks),
        rateLimitStore,
        cost: { ...config.cost, store: costBudgetStore },
        onLimited: (event) => {
          ipPolicy.recordViolation(event.clientIp).catch(dependencyError);
        },
        captcha: { ...captcha, verifier: observability.timed(captcha.verifier) },
        publicOrigin: config.publicOrigin,
        onDependencyError: dependencyError,
        reportOnly: config.reportOnly,
        ...(options.clock ? { clock: options.clock } : {}),
      });
      const documents = await trustedDocumentsFor(
        config,
        keysPool,
        () => {
          documentsDatabase = new Database(preparePrivateDatabaseFile(directory.documentsDatabase));
          documentsDatabase.pragma('journal_mode = WAL');
          documentsDatabase.pragma('busy_timeout = 5000');
          return documentsDatabase;
        },
        apiKey,
        dependencyError,
      );
      const apolloRampart = rampartApollo({ securityContext, limits, maxTokens, ...(documents ? { trustedDocuments: documents } : {}) });
      apollo = new ApolloServer<DemoRequestContext>({
        schema,
        // Apollo's own persisted queries would let any client register a document: the trusted
        // documents replace them.
        persistedQueries: false,
        csrfPrevention: { requestHeaders: [...csrfPreflightHeaders] },
        allowBatchedHttpRequests: false,
        introspection: !config.production,
        hideSchemaDetailsFromClientErrors: config.production,
        includeStacktraceInErrorResponses: false,
        validationRules: apolloRampart.validationRules,
        parseOptions: apolloRampart.parseOptions,
        formatError: formatDemoError,
        // The demo's own signal handler calls stop() once; Apollo's would call it a second time.
        stopOnTerminationSignals: false,
        plugins: [apolloRampart.plugin, drainHttpServer, ApolloServerPluginLandingPageDisabled()],
        logger: {
          debug: () => undefined,
          info: () => undefined,
          warn: (message) => logger.warn({ event: 'apollo' }, String(message)),
          error: (message) => logger.error({ event: 'apollo' }, String(message)),
        },
      });
      await apollo.start();
      apolloStarted = true;
      // Apollo calls it inside its own try (a throw and a rejection alike fail the context).
      const context = (request: IncomingMessage): Promise<DemoRequestContext> => {
        const rampart = securityContexts.get(request) ?? securityContextOf(request);
        const viewer = (): Viewer | undefined => {
          const user = rampart.proven.user;
          return user === undefined ? undefined : { userId: user.subject };
        };
        return Promise.resolve({ ...createDemoContext(openCatalog, viewer), rampart });
      };
      handle = serve(
        createGraphQLHttpHandler({
          apollo,
          context,
          maxBodyBytes: config.maxBodyBytes,
          bodyDeadline: (request) => (arrivals.get(request) ?? Date.now()) + config.requestBodyTimeoutMs,
          // A slow body is a violation of the client's address (forwarded through a trusted
          // proxy, never the proxy's), recorded before the 408 goes out.
          onBodyTimeout: async (request) => {
            const rampart = securityContexts.get(request) ?? securityContextOf(request);
            observability.requestRefused('slow_body', { requestId: rampart.requestId, clientIp: rampart.clientIp });
            await ipPolicy.recordViolation(rampart.clientIp).catch(dependencyError);
          },
        }),
      );
      logger.info({ event: 'started', url: `${base}/graphql` }, 'demo started');
      return new URL('/graphql', base);
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const failed: string[] = [];
        const step = async (name: string, work: () => unknown, timeoutMs: number) => {
          const outcome = await settleWithin(work, timeoutMs);
          if (outcome !== 'done') failed.push(`${name} (${outcome})`);
        };
        // Requests first: they may still need every store.
        const drainBound = config.shutdownGraceMs + closeBoundMs;
        if (apollo && apolloStarted) {
          const started = apollo;
          await step('apollo', () => started.stop(), drainBound);
        } else {
          await step('http', () => closeHttpServer(httpServer, config.shutdownGraceMs), drainBound);
        }
        await Promise.all([
          redis ? step('redis', () => closeRedis(redis), closeBoundMs) : undefined,
          catalog ? step('catalog database', () => catalog?.close(), closeBoundMs) : undefined,
          keysPool ? step('keys database', () => keysPool?.end(), closeBoundMs) : undefined,
          keysDatabase ? step('keys database', () => keysDatabase?.close(), closeBoundMs) : undefined,
          documentsDatabase ? step('documents database', () => documentsDatabase?.close(), closeBoundMs) : undefined,
        ]);
        if (failed.length > 0) throw new DemoShutdownError(failed);
        logger.info({ event: 'stopped' }, 'demo stopped: requests finished, stores closed');
      })();
      return stopped;
    },
  };
}

/**
 * The trusted documents the demo runs (`TRUSTED_DOCUMENTS`): PostgreSQL when `DATABASE_URL` is set
 * (shared by instances, with `rampart documents import`), else documents.db in `DATA_DIR`; the
 * genuine app's own manifest (client/generated/persisted-documents.json) imported at start as its
 * app version. `undefined` when `off`. An API key with the scope `documents:any` (a partner, an
 * internal tool) may send its own documents in every mode.
 */
async function trustedDocumentsFor(
  config: DemoConfig,
  pool: pg.Pool | undefined,
  openSqlite: () => Database.Database,
  apiKey: RequiresApiKeyDirective,
  onDependencyError: (error: unknown) => void,
): Promise<TrustedDocuments | undefined> {
  const { mode, cacheMs } = config.trustedDocuments;
  if (mode === 'off') return undefined;
  const store: TrustedDocumentStore = pool ? await PostgresTrustedDocumentStore.open(pool) : new SqliteTrustedDocumentStore(openSqlite());
  await store.importManifest(clientAppVersion(), clientDocuments(), Date.now());
  const unknown = mode === 'enforce' ? 'refuse' : 'report';
  return trustedDocuments({
    store,
    apiKey,
    adHocDocuments: ({ apiKey: key }) => (key?.scopes.has('documents:any') ? 'allow' : unknown),
    cache: { ttlMs: cacheMs },
    onDependencyError,
  });
}

/** Some part of the demo did not close cleanly on stop(); everything else was closed. */
export class DemoShutdownError extends Error {
  /** What did not close, with `timed out` or `failed`. */
  readonly parts: readonly string[];
  constructor(parts: readonly string[]) {
    super(`did not close cleanly: ${parts.join(', ')}`);
    this.name = 'DemoShutdownError';
    this.parts = parts;
  }
}

/** How long each store may take to close on stop(). */
const closeBoundMs = 2000;

/** Runs `work` and reports how it went within `timeoutMs`; never throws. */
async function settleWithin(work: () => unknown, timeoutMs: number): Promise<'done' | 'failed' | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), timeoutMs);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(work)
        .then(
          () => 'done' as const,
          () => 'failed' as const,
        ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops listening, ends idle connections, and destroys the rest after `graceMs`. */
async function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * QUIT (Redis answers and closes the connection; a cluster, every node's), or a disconnect when it
 * does not answer within a second (down, frozen): either way no socket and no reconnection timer
 * is left.
 */
async function closeRedis(client: Redis | Cluster): Promise<void> {
  try {
    if (client.status === 'ready') await settleWithin(() => client.quit(), 1000);
  } finally {
    if (client.status !== 'end') client.disconnect();
  }
}

/** How long start() waits for the first connection to Redis. */
const redisStartTimeoutMs = 5000;

/**
 * Resolves once the client is connected and ready (a cluster: its slots known and `CLUSTER INFO`
 * ok); rejects after `timeoutMs` without it, naming `what`.
 */
function redisReady(client: Redis | Cluster, timeoutMs: number, what: string): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`${what} did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/**
 * A Redis client that fails fast while disconnected (no offline queue, one retry per command) and
 * while connected to a server that stops answering (each command times out after a second), so
 * an outage refuses with PROTECTION_UNAVAILABLE instead of queueing or hanging; it reconnects on
 * its own (at most a second apart) and sends the commands of one tick together (auto-pipelining).
 */
function connectRedis(url: string, observability: Observability): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) observability.dependencyError('redis', error);
    down = true;
  });
  client.on('ready', () => {
    if (down) observability.logger.info({ event: 'redis_available' }, 'redis available again');
    down = false;
  });
  return client;
}
