import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import Database from 'better-sqlite3';
import type { GraphQLFormattedError } from 'graphql';
import { Redis } from 'ioredis';
import {
  approovVerifier,
  DevelopmentCaptcha,
  hcaptchaVerifier,
  recaptchaV3Verifier,
  turnstileVerifier,
  type CaptchaVerifier,
  createIpPolicy,
  createUserAgentPolicy,
  MemoryBanStore,
  MemoryRateLimitStore,
  RedisBanStore,
  RedisRateLimitStore,
  DevelopmentAttester,
  DevelopmentIssuer,
  firebaseAppCheckVerifier,
  fromNodeRequest,
  isRampartError,
  MemoryReplayCache,
  RedisReplayCache,
  SecurityContext,
  securityContextFactory,
  SqliteApiKeyStore,
  type AccessTokenIssuer,
  type AttestationVerifier,
  type ReplayCache,
} from '../index.js';
import { openDataDirectory } from '../cli/data-directory.js';
import { createDemoContext, type DemoContext, type Viewer } from './catalog/context.js';
import { openCatalogDatabase, type CatalogDatabase } from './catalog/database.js';
import type { DemoConfig } from './config.js';
import { createGraphQLHttpHandler, sendJson } from './graphql-http-handler.js';
import { buildDemoSchema } from './schema.js';

/** The GraphQL context of a demo request: the catalog's, plus the protection layer's. */
export type DemoRequestContext = DemoContext & BaseContext & { readonly rampart: SecurityContext };

/** The audience of tokens from the development issuer. */
export const developmentAudience = 'graphql-rampart-demo';

/** A demo server, ready to start. */
export interface DemoServer {
  readonly httpServer: Server;
  readonly catalog: CatalogDatabase;
  /** Starts listening and builds the protected schema; resolves with the GraphQL endpoint's URL. */
  start(): Promise<URL>;
  /** Stops accepting, lets in-flight requests finish, then closes databases and connections. */
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
  return {
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
}

/** What tests may change in a demo server beyond its configuration. */
export interface DemoServerOptions {
  /** The protections' clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/** Builds the demo: stores in `DATA_DIR`, the protected schema, Apollo Server on `node:http`. */
export function createDemoServer(
  config: DemoConfig,
  log: (line: string) => void = console.error,
  options: DemoServerOptions = {},
): DemoServer {
  const directory = openDataDirectory(config.dataDir);
  const keysDatabase = new Database(directory.keysDatabase);
  keysDatabase.pragma('journal_mode = WAL');
  keysDatabase.pragma('busy_timeout = 5000');
  const apiKeyStore = new SqliteApiKeyStore(keysDatabase);
  const catalog = openCatalogDatabase(directory.catalogDatabase);
  const redis = config.redisUrl === undefined ? undefined : connectRedis(config.redisUrl, log);
  const replayCache: ReplayCache = redis ? new RedisReplayCache(redis) : new MemoryReplayCache();
  const rateLimitStore = redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore();
  const ipPolicy = createIpPolicy({
    deny: config.ipDenylist,
    bans: {
      store: redis ? new RedisBanStore(redis) : new MemoryBanStore(),
      violationStore: redis ? new RedisRateLimitStore(redis, { prefix: 'rampart:violations:' }) : new MemoryRateLimitStore(),
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const userAgentPolicy =
    config.userAgentDenylist.length > 0 ? createUserAgentPolicy({ deny: config.userAgentDenylist }) : undefined;
  const securityContexts = new WeakMap<IncomingMessage, SecurityContext>();
  const securityContext = securityContextFactory({ trustedProxies: config.trustedProxies });
  const admit = requestGate(ipPolicy, userAgentPolicy);
  const reportDependency = (error: unknown) => log(`protection dependency error: ${describeError(error)}`);

  const httpServer = createServer();
  let handle: ((request: IncomingMessage, response: import('node:http').ServerResponse) => void) | undefined;
  let developmentIssuer: DevelopmentIssuer | undefined;
  let apollo: ApolloServer<DemoRequestContext> | undefined;

  httpServer.on('request', (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      sendJson(response, handle ? 200 : 503, { status: handle ? 'ok' : 'starting' });
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
    if (handle === undefined) {
      sendJson(response, 503, { error: 'Starting, retry shortly.' }, { 'retry-after': '1' });
      return;
    }
    handle(request, response);
  });

  let stopped: Promise<void> | undefined;
  return {
    httpServer,
    catalog,
    async start() {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      const host = config.host === undefined || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const origin = config.publicOrigin ?? `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

      let tokenIssuer: AccessTokenIssuer;
      if (config.oidc === undefined) {
        developmentIssuer = await DevelopmentIssuer.open(directory.developmentIssuer, {
          issuer: origin,
          audience: developmentAudience,
        });
        tokenIssuer = {
          issuer: developmentIssuer.issuer,
          audience: developmentIssuer.audience,
          keys: { jwks: developmentIssuer.jwks() },
          algorithms: ['ES256'],
          tokenType: 'at+jwt',
        };
      } else {
        const { oidc } = config;
        tokenIssuer = {
          issuer: oidc.issuer,
          audience: oidc.audience,
          keys: oidc.jwksUri ? { jwksUri: oidc.jwksUri } : { discovery: true },
          ...(oidc.algorithms ? { algorithms: oidc.algorithms } : {}),
          ...(oidc.tokenType ? { tokenType: oidc.tokenType } : {}),
        };
      }

      const attestationVerifiers: AttestationVerifier[] = [];
      const { approovSecret, appCheck } = config.attestation;
      if (approovSecret !== undefined) {
        attestationVerifiers.push(approovVerifier({ secret: approovSecret, ...(options.clock ? { clock: options.clock } : {}) }));
      }
      if (appCheck !== undefined) {
        attestationVerifiers.push(
          firebaseAppCheckVerifier({
            projectNumber: appCheck.projectNumber,
            appIds: appCheck.appIds,
            ...(appCheck.jwksUri ? { jwksUri: appCheck.jwksUri } : {}),
            ...(options.clock ? { clock: options.clock } : {}),
          }),
        );
      }
      if (attestationVerifiers.length === 0) {
        const attester = DevelopmentAttester.open(directory.developmentAttester);
        attestationVerifiers.push(approovVerifier({ secret: attester.secretBase64, ...(options.clock ? { clock: options.clock } : {}) }));
      }

      const schema = buildDemoSchema({
        captcha: captchaSettings(config, directory.developmentCaptcha, options.clock),
        apiKeyStore,
        tokenIssuer,
        replayCache,
        attestationVerifiers,
        listingItemsWithoutAttestation: config.listingItemsWithoutAttestation,
        rateLimitStore,
        onLimited: (event) => {
          ipPolicy.recordViolation(event.clientIp).catch(reportDependency);
        },
        publicOrigin: config.publicOrigin,
        onDependencyError: reportDependency,
        ...(options.clock ? { clock: options.clock } : {}),
      });
      apollo = new ApolloServer<DemoRequestContext>({
        schema,
        csrfPrevention: true,
        allowBatchedHttpRequests: false,
        introspection: !config.production,
        includeStacktraceInErrorResponses: false,
        formatError: formatDemoError,
        plugins: [
          retryAfterHeaderPlugin(),
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
      await apollo.start();
      const context = async (request: IncomingMessage): Promise<DemoRequestContext> => {
        const rampart = securityContexts.get(request) ?? securityContext(fromNodeRequest(request));
        const viewer = (): Viewer | undefined => {
          const user = rampart.proven.user;
          return user === undefined ? undefined : { userId: user.subject };
        };
        return { ...createDemoContext(catalog, viewer), rampart };
      };
      const graphqlHandler = createGraphQLHttpHandler({ apollo, context, maxBodyBytes: config.maxBodyBytes });
      handle = (request, response) => {
        const path = (request.url ?? '/').split('?')[0];
        if (path !== '/graphql') {
          sendJson(response, 404, { error: 'Not found. The GraphQL endpoint is POST /graphql.' });
          return;
        }
        if (request.method !== 'GET' && request.method !== 'POST') {
          sendJson(response, 405, { error: 'Use GET or POST.' }, { allow: 'GET, POST' });
          return;
        }
        const rampart = securityContext(fromNodeRequest(request));
        securityContexts.set(request, rampart);
        admit(rampart)
          .then((refusal) => {
            if (refusal !== undefined) {
              sendJson(response, refusal.status, { errors: [refusal.error] }, refusal.headers);
              return undefined;
            }
            return graphqlHandler(request, response);
          })
          .catch(() => {
            if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'Internal server error' }] });
            else response.destroy();
          });
      };
      return new URL('/graphql', `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
    },
    stop() {
      stopped ??= (async () => {
        if (apollo) await apollo.stop();
        if (httpServer.listening) {
          httpServer.closeIdleConnections();
          await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        }
        redis?.disconnect();
        catalog.close();
        keysDatabase.close();
      })();
      return stopped;
    },
  };
}

/** The configured captcha provider, or the development one (tokens from `npx rampart token captcha`). */
function captchaSettings(
  config: DemoConfig,
  developmentFile: string,
  clock: (() => number) | undefined,
): { verifier: CaptchaVerifier; hostnames: readonly string[]; minScore: number | undefined } {
  const { captcha } = config;
  if (captcha === undefined) {
    return { verifier: DevelopmentCaptcha.open(developmentFile).verifier(clock), hostnames: ['localhost'], minScore: undefined };
  }
  const common = { secret: captcha.secret, ...(captcha.verifyUrl ? { endpoint: captcha.verifyUrl } : {}) };
  const verifier =
    captcha.provider === 'recaptcha'
      ? recaptchaV3Verifier(common)
      : captcha.provider === 'hcaptcha'
        ? hcaptchaVerifier({ ...common, ...(captcha.sitekey ? { sitekey: captcha.sitekey } : {}) })
        : turnstileVerifier(common);
  return { verifier, hostnames: captcha.hostnames, minScore: captcha.minScore };
}

/** A request-level refusal, before any GraphQL work. */
interface RequestRefusal {
  readonly status: number;
  readonly error: { readonly message: string; readonly extensions: Record<string, unknown> };
  readonly headers?: Record<string, string>;
}

/**
 * The cheapest checks of all, before the body is even parsed: the IP policy (deny list, bans
 * after repeated rate-limit violations) and the optional user-agent deny list. A ban store that
 * cannot answer refuses (fail closed).
 */
function requestGate(
  ipPolicy: ReturnType<typeof createIpPolicy>,
  userAgentPolicy: ReturnType<typeof createUserAgentPolicy> | undefined,
): (security: SecurityContext) => Promise<RequestRefusal | undefined> {
  return async (security) => {
    let decision;
    try {
      decision = await ipPolicy.decide(security.clientIp);
    } catch {
      return {
        status: 503,
        error: { message: 'A protection is temporarily unavailable. Retry shortly.', extensions: { code: 'PROTECTION_UNAVAILABLE' } },
        headers: { 'retry-after': '5' },
      };
    }
    if (!decision.allowed && decision.reason === 'banned') {
      return {
        status: 429,
        error: {
          message: 'Too many refused calls from this address. Retry after the time given in retryAfter (seconds).',
          extensions: { code: 'RATE_LIMITED', retryAfter: decision.retryAfterSeconds },
        },
        headers: { 'retry-after': String(decision.retryAfterSeconds) },
      };
    }
    if (!decision.allowed || (userAgentPolicy !== undefined && !userAgentPolicy.decide(security.userAgent))) {
      return { status: 403, error: { message: 'Requests from this client are not accepted.', extensions: { code: 'FORBIDDEN' } } };
    }
    return undefined;
  };
}

/**
 * Sets `Retry-After` (seconds) on an HTTP response that refused any field with `RATE_LIMITED`:
 * the longest wait among them. The operation's status stays 200, as Apollo Server keeps it for
 * field errors.
 */
function retryAfterHeaderPlugin(): ApolloServerPlugin<DemoRequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          let wait = 0;
          for (const error of response.body.singleResult.errors ?? []) {
            const retryAfter = error.extensions?.['retryAfter'];
            if (error.extensions?.['code'] === 'RATE_LIMITED' && typeof retryAfter === 'number') wait = Math.max(wait, retryAfter);
          }
          if (wait > 0) response.http.headers.set('retry-after', String(wait));
        },
      };
    },
  };
}

/**
 * A Redis client that fails fast while disconnected (no offline queue, one retry per command), so
 * an outage refuses with PROTECTION_UNAVAILABLE instead of queueing, and reconnects on its own.
 */
function connectRedis(url: string, log: (line: string) => void): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) log(`redis unavailable: ${error.name}`);
    down = true;
  });
  client.on('ready', () => {
    if (down) log('redis available again');
    down = false;
  });
  return client;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}${error.cause instanceof Error ? ` (${error.cause.name})` : ''}` : 'unknown';
}
