import { randomUUID } from 'node:crypto';
import { graphql, type GraphQLSchema } from 'graphql';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevelopmentCaptcha } from '../../src/development.js';
import { createDemoContext } from '../../src/demo/catalog/context.js';
import type { CatalogDatabase } from '../../src/demo/catalog/database.js';
import { openCatalogDatabase } from '../../src/demo/catalog/open-catalog-database.js';
import { buildDemoSchema, catalogSdl } from '../../src/demo/schema.js';
import {
  approovVerifier,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryRateLimitStore,
  MemoryReplayCache,
  RedisCostBudgetStore,
  securityContextFactory,
  type CostBudgetStore,
} from '../../src/index.js';
import { requestFacts } from '../support/harness.js';
import { readyRedis, redisAvailable } from '../support/redis.js';
import { temporaryDirectory } from '../support/temp-directory.js';

const available = await redisAvailable();

describe.runIf(available)('cost budgets shared by four instances through Redis', () => {
  const directory = temporaryDirectory();
  const keys = new MemoryApiKeyStore();
  const clock = { now: 1_700_000_000_000 };
  let db: CatalogDatabase;
  let clients: Redis[];
  let key: string;

  /** The demo's schema as one instance builds it, its budgets in `store`. */
  const instance = (store: CostBudgetStore, capacity = 1000): GraphQLSchema => {
    const replay = new MemoryReplayCache();
    return buildDemoSchema({
      apiKeyStore: keys,
      tokenIssuer: { issuer: 'https://issuer.test/', audience: 'api', keys: { jwks: { keys: [] } } },
      replayCaches: { dpop: replay, attestation: replay, captcha: replay },
      attestationVerifiers: [approovVerifier({ secret: Buffer.alloc(32, 7).toString('base64') })],
      rateLimitStore: new MemoryRateLimitStore(),
      cost: {
        store,
        unattested: { capacity, restorePerSecond: capacity / 3600 },
        attested: { capacity: 10_000, restorePerSecond: 1 },
        maxCost: 5000,
        maxListSize: 100,
      },
      captcha: { verifier: DevelopmentCaptcha.open(`${directory.path}/captcha.json`).verifier(), hostnames: ['localhost'] },
      sdl: catalogSdl.replace(/max: \d+/g, 'max: 1000000000'),
      clock: () => clock.now,
    }).schema;
  };
  const send = (schema: GraphQLSchema, source: string) =>
    graphql({
      schema,
      source,
      contextValue: {
        ...createDemoContext(db, undefined),
        rampart: securityContextFactory()(requestFacts({ headers: { 'x-api-key': key } })),
      },
    });

  beforeAll(async () => {
    db = await openCatalogDatabase(`${directory.path}/catalog.db`);
    clients = await Promise.all(Array.from({ length: 4 }, () => readyRedis()));
    key = (await issueApiKey(keys, { app: 'scraper' })).key;
  });
  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await db.close();
    directory.remove();
  });

  it('admits at most the budget among 200 concurrent requests from one key and address, across four instances', async () => {
    const prefix = `test-${randomUUID()}:cost:`;
    const schemas = clients.map((client) => instance(new RedisCostBudgetStore(client, { prefix })));
    // 24 points each (10 products): 41 fit in 1000 points, the 42nd would not.
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => send(schemas[i % 4] as GraphQLSchema, '{ products(first: 10) { edges { node { id } } } }')),
    );
    const admitted = results.filter((result) => result.errors === undefined);
    const refused = results.filter((result) => result.errors?.[0]?.extensions['code'] === 'RATE_LIMITED');
    expect([admitted.length, refused.length]).toEqual([41, 159]);
    expect(admitted.length * 24).toBeLessThanOrEqual(1000);
  });

  it('refuses with PROTECTION_UNAVAILABLE while Redis cannot be reached', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    const result = await send(instance(new RedisCostBudgetStore(down)), '{ product(id: "1") { id } categories { id } }');
    expect(result.errors?.map((error) => [error.path?.join('.'), error.extensions['code']])).toEqual([
      ['product', 'PROTECTION_UNAVAILABLE'],
      ['categories', 'PROTECTION_UNAVAILABLE'],
    ]);
    down.disconnect();
  });
});
