import type { ExecutionResult } from 'graphql';
import { Redis } from 'ioredis';
import {
  approovVerifier,
  fromNodeRequest,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryCostBudgetStore,
  MemoryRateLimitStore,
  MemoryReplayCache,
  type RateLimitStore,
  RedisCostBudgetStore,
  RedisRateLimitStore,
  RedisReplayCache,
  type ReplayCache,
  securityContextFactory,
  type SecurityContext,
} from '../../src/index.js';
import { settleExecution } from '../../src/adapters/server-options.js';
import { DevelopmentCaptcha } from '../../src/development.js';
import { createDemoContext } from '../../src/demo/catalog/context.js';
import { openCatalogDatabase } from '../../src/demo/catalog/open-catalog-database.js';
import { createObservability } from '../../src/demo/observability.js';
import { buildDemoSchema } from '../../src/demo/schema.js';
import {
  catalogCombinations,
  catalogDirectives,
  catalogSchema,
  costOnlyCatalogSchema,
  strippedCatalogSchema,
  unlimitedCatalogSdl,
  unmetDemoCostBudgets,
} from '../catalog-protections.js';
import { serveGraphQL } from './graphql-endpoint.js';

/**
 * The demo's catalog listing as a process of its own: `stripped` (the same SDL and resolvers, every
 * directive removed), `cost` (the stripped one with only `@cost`/`@listSize` enforced, a budget in
 * memory), `key`, `key+limit`, `key+limit+attestation`, `key+limit+attestation+cost` (the
 * listing's protections one combination at a time, bench/catalog-protections.ts, memory stores),
 * `memory` or `redis` (the demo's protections: API key, rate limit, cost budget, a
 * user token on a per-item field; stores in memory or in Redis; as in the demo, every decision
 * and verification reported to its observer (Prometheus metrics; the log hears only refusals),
 * and the budget settled after execution with `extensions.cost` in the response, as the Apollo
 * adapter does). Rate limits and budgets are raised so that the benchmark measures the
 * protections, not refusals. argv[3] is the JSON of { jwks, approovSecret, issuer, audience,
 * dataDir }; the API key is printed for the driver.
 */
const variant = process.argv[2];
const { jwks, approovSecret, issuer, audience, dataDir } = JSON.parse(process.argv[3] as string) as {
  jwks: { keys: object[] };
  approovSecret: string;
  issuer: string;
  audience: string;
  dataDir: string;
};
const db = await openCatalogDatabase(`${dataDir}/catalog.db`);

/** What the Apollo adapter does before a response goes out: the budget's settlement, `extensions.cost`. */
function settled(contextValue: unknown, result: ExecutionResult): ExecutionResult | Promise<ExecutionResult> {
  const { rampart } = contextValue as { rampart: SecurityContext };
  const extensions = settleExecution(rampart, result);
  const merged = (added: Record<string, unknown> | undefined) => (added === undefined ? result : { ...result, extensions: added });
  return extensions instanceof Promise ? extensions.then(merged) : merged(extensions);
}

if (variant === 'stripped') {
  const schema = strippedCatalogSchema();
  serveGraphQL(schema, () => createDemoContext(db, undefined));
} else if (variant === 'cost') {
  // The same stripped server with @cost/@listSize kept and enforced: the operation's cost computed
  // once per request, a budget decision (memory store), the settlement and extensions.cost after.
  const schema = costOnlyCatalogSchema();
  const securityContext = securityContextFactory();
  serveGraphQL(schema, (request) => ({ ...createDemoContext(db, undefined), rampart: securityContext(fromNodeRequest(request)) }), settled);
} else {
  const redis =
    variant === 'redis'
      ? new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', {
          enableAutoPipelining: true,
          enableOfflineQueue: true,
          maxRetriesPerRequest: 1,
        })
      : undefined;
  const prefix = `bench:${process.pid}:`;
  const replay = (use: string): ReplayCache =>
    redis ? new RedisReplayCache(redis, { prefix: `${prefix}${use}:` }) : new MemoryReplayCache();
  const rateLimitStore: RateLimitStore = redis ? new RedisRateLimitStore(redis, { prefix }) : new MemoryRateLimitStore();
  const keys = new MemoryApiKeyStore();
  const { key } = await issueApiKey(keys, { app: 'bench' });
  const combination = catalogCombinations.find((name) => name === variant);
  const schema =
    combination !== undefined
      ? catalogSchema(combination, catalogDirectives({ apiKeyStore: keys, jwks: jwks, approovSecret }))
      : buildDemoSchema({
          apiKeyStore: keys,
          tokenIssuer: { issuer, audience, keys: { jwks } },
          replayCaches: { dpop: replay('dpop'), attestation: replay('attestation'), captcha: replay('captcha') },
          attestationVerifiers: [approovVerifier({ secret: approovSecret })],
          rateLimitStore,
          cost: unmetDemoCostBudgets(redis ? new RedisCostBudgetStore(redis, { prefix: `${prefix}cost:` }) : new MemoryCostBudgetStore()),
          captcha: { verifier: DevelopmentCaptcha.open(`${dataDir}/captcha.json`).verifier(), hostnames: ['localhost'] },
          sdl: unlimitedCatalogSdl,
        }).schema;
  // The demo's observer: a counter per decision, a histogram per verification (logs go nowhere).
  const securityContext = securityContextFactory({ observer: createObservability(() => undefined).observer });
  process.stdout.write(`key ${key}\n`);
  serveGraphQL(
    schema,
    (request) => {
      const rampart = securityContext(fromNodeRequest(request));
      return {
        ...createDemoContext(db, () => (rampart.proven.user ? { userId: rampart.proven.user.subject } : undefined)),
        rampart,
      };
    },
    settled,
  );
}
