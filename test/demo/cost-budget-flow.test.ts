import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevelopmentAttester } from '../../src/development.js';
import { pathCodes, startDemo, type RunningDemo } from '../support/demo.js';
import { redisAvailable, redisUrl } from '../support/redis.js';

const available = await redisAvailable();

/** What the genuine app asks on its first screens: the home screen, two products, the next page. */
const firstScreens = [
  '{ categories { id name slug } products(first: 20) { edges { cursor node { id name price currency averageRating } } pageInfo { hasNextPage endCursor } } }',
  '{ product(id: "3") { id name description price currency averageRating reviewCount category { name } reviews(first: 5) { rating body author createdAt } } }',
  '{ product(id: "7") { id name description price currency averageRating reviewCount category { name } reviews(first: 5) { rating body author createdAt } } }',
  'query ($after: String) { products(first: 20, after: $after) { edges { cursor node { id name price currency averageRating } } pageInfo { hasNextPage endCursor } } }',
];

describe("the demo's cost budgets", () => {
  let demo: RunningDemo;
  // The protections' clock stands still: budgets refill only when a test moves it.
  const now = Date.now();
  beforeAll(async () => {
    demo = await startDemo({}, { app: 'shop-app', clock: () => now });
  });
  afterAll(() => demo.stop());

  /** A fresh API key: a budget of its own (budgets are per key and address). */
  const freshKey = async () => (await demo.cli('keys', 'create', '--app', 'shop-app')).match(/rampart_\S+/)?.[0] as string;

  it("fits the genuine app's first screens in the small budget of a key and address, with room to spare", async () => {
    const key = await freshKey();
    let after: string | undefined;
    const costs: number[] = [];
    for (const query of firstScreens) {
      const answer = await demo.post({ query, variables: { after } }, { 'x-api-key': key });
      expect(answer.body.errors).toBeUndefined();
      after = answer.body.data.products?.pageInfo.endCursor ?? after;
      costs.push(answer.body.extensions.cost.actualQueryCost);
    }
    // Home 67 (20 categories, 20 products), a product with five reviews 11 (with four, 10), a page of 20 products 46.
    expect(costs).toEqual([67, 11, 10, 46]);
    // 134 of the 250 points: the first screens, and a few more products, fit.
    expect(costs.reduce((sum, cost) => sum + cost, 0)).toBe(134);
  });

  it("carries extensions.cost on every response: requested, actual, both measures and the budget's state", async () => {
    const answer = await demo.post({ query: '{ products(first: 5) { edges { node { id } } } }' }, { 'x-api-key': await freshKey() });
    expect(answer.body.extensions).toEqual({
      cost: {
        requestedQueryCost: 14,
        actualQueryCost: 14,
        fieldCost: 2,
        typeCost: 12,
        throttleStatus: { maximumAvailable: 250, currentlyAvailable: 236, restoreRate: 250 / 3600 },
      },
    });
  });

  it('charges a page of cursors alone what its products would cost: what an edge yields is a product', async () => {
    const cost = async (query: string) =>
      (await demo.post({ query }, { 'x-api-key': await freshKey() })).body.extensions.cost.requestedQueryCost;
    const products = await cost('{ products(first: 50, search: "a") { edges { node { id name } } } }');
    expect(await cost('{ products(first: 50, search: "a") { edges { cursor } } }')).toBe(products);
    expect(await cost('{ products(first: 50, search: "a") { edges { __typename } } }')).toBe(products);
    // 50 products at 2 points each, plus the root, the connection and the two fields that reach the edges.
    expect(products).toBe(104);
    // One product by id: its 2 points and the root's 1.
    expect(await cost('{ product(id: "1") { id } }')).toBe(3);
  });

  it('refuses a scraper with a stolen key once its budget is spent: RATE_LIMITED, Retry-After and extensions.cost', async () => {
    const key = await freshKey();
    const page = (after?: string) =>
      demo.post(
        {
          query: 'query ($after: String) { products(first: 50, after: $after) { edges { node { id } } pageInfo { endCursor } } }',
          variables: { after },
        },
        { 'x-api-key': key },
      );
    const first = await page();
    const second = await page(first.body.data.products.pageInfo.endCursor);
    expect(second.body.errors).toBeUndefined();
    const third = await page(second.body.data.products.pageInfo.endCursor);
    expect(pathCodes(third.body)).toEqual([['products', 'RATE_LIMITED']]);
    // 106 points asked, 250 - 2 x 106 = 38 left, restored at 250 an hour: 68 points take 979.2 s.
    expect(third.body.errors[0].extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfter: 980,
      cost: { requestedQueryCost: 106, throttleStatus: { maximumAvailable: 250, currentlyAvailable: 38, restoreRate: 250 / 3600 } },
    });
    expect(third.headers.get('retry-after')).toBe('980');
    expect(third.body.extensions.cost).toMatchObject({ requestedQueryCost: 106, actualQueryCost: null });
  });

  it("serves the genuine app browsing 500 products with an attestation, on its app instance's budget", async () => {
    const attestation = await demo.cli('token', 'attestation');
    let after: string | undefined;
    let items = 0;
    let last: any;
    for (let page = 0; page < 5; page++) {
      last = (
        await demo.post(
          {
            query:
              'query ($after: String) { products(first: 100, after: $after) { edges { node { id name price } } pageInfo { endCursor } } }',
            variables: { after },
          },
          { 'approov-token': attestation },
        )
      ).body;
      expect(last.errors).toBeUndefined();
      items += (last.data.products.edges as unknown[]).length;
      after = last.data.products.pageInfo.endCursor;
    }
    expect(items).toBe(500);
    // Five pages of 100 products: 206 points each.
    expect(last.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 10_000, currentlyAvailable: 10_000 - 5 * 206 });
  });

  it('refuses an operation costlier than COST_MAX on every root field, stating no limit', async () => {
    // 100 products of 50 reviews each: more than 5000 points, whatever the budget.
    const query = '{ product(id: "1") { id } products(first: 100) { edges { node { id reviews(first: 50) { rating } } } } }';
    const answer = await demo.post({ query }, { 'approov-token': await demo.cli('token', 'attestation') });
    expect(pathCodes(answer.body)).toEqual([
      ['product', 'GRAPHQL_VALIDATION_FAILED'],
      ['products', 'GRAPHQL_VALIDATION_FAILED'],
    ]);
    expect(answer.body.errors[0]).toMatchObject({
      message: 'The operation is too costly. Ask for fewer items or fields.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(answer.text).not.toMatch(/5000|limit/i);
  });

  it('reports a refusal to the security log and the decisions metric, and counts it toward a ban of the address', async () => {
    const key = await freshKey();
    const before = demo.logLines.length;
    const spent = await demo.post({ query: '{ products(first: 100) { edges { node { id } } } }' }, { 'x-api-key': key });
    expect(spent.body.errors).toBeUndefined();
    const refused = await demo.post({ query: '{ products(first: 100) { edges { node { id } } } }' }, { 'x-api-key': key });
    expect(pathCodes(refused.body)).toEqual([['products', 'RATE_LIMITED']]);
    const lines = demo.logLines
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['event'] === 'protection_refused');
    expect(lines).toEqual([
      expect.objectContaining({ directive: 'cost', code: 'RATE_LIMITED', reason: 'over_budget@unattested', coordinate: 'Query.products' }),
    ]);
    const metrics = await (await fetch(new URL('/metrics', demo.endpoint))).text();
    expect(metrics).toMatch(/rampart_decisions_total\{directive="cost",outcome="refused",code="RATE_LIMITED"\} [1-9]/);
    // Ten refusals within ten minutes ban the address (this one is among them).
    let status = 200;
    for (let i = 0; i < 10 && status === 200; i++)
      status = (await demo.post({ query: '{ products(first: 100) { edges { node { id } } } }' }, { 'x-api-key': key })).status;
    expect(status).toBe(429);
  });
});

describe.runIf(available)("the demo's cost budgets in Redis", () => {
  let demo: RunningDemo;
  let redis: Redis;
  const prefix = `test-${randomUUID()}:`;
  beforeAll(async () => {
    demo = await startDemo({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix });
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    redis.disconnect();
    await demo.stop();
  });

  it("keeps each budget in one key under REDIS_PREFIX, refilling by the server's clock", async () => {
    const answer = await demo.post({ query: '{ products(first: 10) { edges { node { id } } } }' });
    expect(answer.body.extensions.cost.throttleStatus).toEqual({
      maximumAvailable: 250,
      currentlyAvailable: 250 - 24,
      restoreRate: 250 / 3600,
    });
    const keys = await redis.keys(`${prefix}cost:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${prefix}cost:\\{unattested:[A-Za-z0-9_-]{43}\\}$`));
  });

  it('draws an attested app instance on its own budget', async () => {
    const attester = DevelopmentAttester.open(`${demo.dataDir}/dev-attester.json`);
    const answer = await demo.post(
      { query: '{ products(first: 10) { edges { node { id } } } }' },
      { 'approov-token': await attester.issueToken({ ttlSeconds: 60, deviceId: 'redis-device' }) },
    );
    expect(answer.body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 10_000, currentlyAvailable: 10_000 - 24 });
  });
});
