import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostBudgetStore, CostCharge } from '../../src/rate-limit/cost-budget-store.js';
import { MemoryCostBudgetStore } from '../../src/rate-limit/memory-cost-budget-store.js';
import { RedisCostBudgetStore } from '../../src/rate-limit/redis-cost-budget-store.js';
import { RateLimitStoreFullError } from '../../src/rate-limit/rate-limit-store.js';
import { readyRedis, redisAvailable } from '../support/redis.js';

const available = await redisAvailable();
let clients: Redis[] = [];
beforeAll(async () => {
  if (available) clients = await Promise.all(Array.from({ length: 4 }, () => readyRedis()));
});
afterAll(() => clients.forEach((client) => client.disconnect()));

const stores: Array<[string, () => CostBudgetStore]> = [['MemoryCostBudgetStore', () => new MemoryCostBudgetStore()]];
if (available)
  stores.push(['RedisCostBudgetStore', () => new RedisCostBudgetStore(clients[0] as Redis, { prefix: `test:${randomUUID()}:` })]);

/** A budget of 100 points restored at 10 a second. */
const bucket = (key: string, cost: number): CostCharge => ({ key, cost, capacity: 100, restorePerSecond: 10 });
const t0 = 1_700_000_000_000;

describe.each(stores)('%s', (_name, create) => {
  it('admits charges while the bucket holds them, then refuses and says when the points will be back', async () => {
    const store = create();
    expect(await store.charge([bucket('k', 60)], t0)).toEqual({
      allowed: true,
      buckets: [{ allowed: true, remaining: 40, retryAfterMs: 0 }],
    });
    expect(await store.charge([bucket('k', 40)], t0)).toEqual({
      allowed: true,
      buckets: [{ allowed: true, remaining: 0, retryAfterMs: 0 }],
    });
    // 25 points at 10 a second: 2.5 s.
    expect(await store.charge([bucket('k', 25)], t0)).toEqual({
      allowed: false,
      buckets: [{ allowed: false, remaining: 0, retryAfterMs: 2500 }],
    });
  });

  it('restores points at the rate, never beyond the capacity', async () => {
    const store = create();
    await store.charge([bucket('k', 100)], t0);
    expect(await store.charge([bucket('k', 20)], t0 + 1999)).toMatchObject({ allowed: false });
    expect(await store.charge([bucket('k', 20)], t0 + 2000)).toMatchObject({ allowed: true, buckets: [{ remaining: 0 }] });
    expect(await store.charge([bucket('k', 0)], t0 + 3_600_000)).toMatchObject({ allowed: true, buckets: [{ remaining: 100 }] });
  });

  it('refuses a charge larger than the capacity, however long the bucket rested', async () => {
    const store = create();
    expect(await store.charge([bucket('k', 101)], t0)).toEqual({
      allowed: false,
      buckets: [{ allowed: false, remaining: 100, retryAfterMs: 1 }],
    });
  });

  it('takes every charge of a request or none: a refusing budget leaves the others untouched', async () => {
    const store = create();
    const small = { key: 'small', cost: 30, capacity: 20, restorePerSecond: 1 };
    const decision = await store.charge([bucket('large', 30), small], t0);
    expect(decision.allowed).toBe(false);
    expect(decision.buckets.map((state) => state.allowed)).toEqual([true, false]);
    expect(await store.charge([bucket('large', 0)], t0)).toMatchObject({ buckets: [{ remaining: 100 }] });
  });

  it('gives points back after execution, never beyond full', async () => {
    const store = create();
    await store.charge([bucket('k', 80)], t0);
    expect(await store.refund([{ key: 'k', points: 50, capacity: 100, restorePerSecond: 10 }], t0)).toEqual([70]);
    expect(await store.refund([{ key: 'k', points: 500, capacity: 100, restorePerSecond: 10 }], t0)).toEqual([100]);
    expect(await store.refund([{ key: 'never-charged', points: 5, capacity: 100, restorePerSecond: 10 }], t0)).toEqual([100]);
  });

  it('takes more after execution when an operation cost more than estimated, leaving a debt the next charges meet', async () => {
    const store = create();
    await store.charge([bucket('k', 90)], t0);
    expect(await store.refund([{ key: 'k', points: -30, capacity: 100, restorePerSecond: 10 }], t0)).toEqual([0]);
    // 20 points of debt plus 1: 2.1 s.
    expect(await store.charge([bucket('k', 1)], t0)).toEqual({
      allowed: false,
      buckets: [{ allowed: false, remaining: 0, retryAfterMs: 2100 }],
    });
    expect((await store.charge([bucket('k', 1)], t0 + 2100)).allowed).toBe(true);
  });

  it('keeps budgets of different keys apart', async () => {
    const store = create();
    await store.charge([bucket('a', 100)], t0);
    expect((await store.charge([bucket('b', 100)], t0)).allowed).toBe(true);
  });

  it('refuses bad charges as caller mistakes', async () => {
    const store = create();
    await expect(async () => store.charge([{ key: 'k', cost: 1.5, capacity: 10, restorePerSecond: 1 }], t0)).rejects.toThrow(TypeError);
    await expect(async () => store.charge([{ key: 'k', cost: -1, capacity: 10, restorePerSecond: 1 }], t0)).rejects.toThrow(TypeError);
    await expect(async () => store.charge([{ key: 'k', cost: 1, capacity: 0, restorePerSecond: 1 }], t0)).rejects.toThrow(TypeError);
    await expect(async () => store.charge([{ key: 'k', cost: 1, capacity: 10, restorePerSecond: 0 }], t0)).rejects.toThrow(TypeError);
  });
});

describe('MemoryCostBudgetStore', () => {
  it('holds at most maxKeys refilling buckets and refuses a new identity rather than forget one', () => {
    const store = new MemoryCostBudgetStore({ maxKeys: 2 });
    store.charge([bucket('a', 10)], t0);
    store.charge([bucket('b', 10)], t0);
    expect(() => store.charge([bucket('c', 10)], t0)).toThrow(RateLimitStoreFullError);
  });

  it('drops buckets that are full again to make room', () => {
    const store = new MemoryCostBudgetStore({ maxKeys: 2 });
    store.charge([bucket('a', 10)], t0);
    store.charge([bucket('b', 10)], t0);
    expect(store.charge([bucket('c', 10)], t0 + 1000).allowed).toBe(true);
    expect(store.size).toBe(1);
  });

  it('refuses a bad maxKeys', () => {
    expect(() => new MemoryCostBudgetStore({ maxKeys: 0 })).toThrow(
      new TypeError('MemoryCostBudgetStore: maxKeys must be a positive integer'),
    );
  });
});

describe.runIf(available)('RedisCostBudgetStore (real Redis)', () => {
  it('admits exactly the capacity among 200 concurrent charges from four instances', async () => {
    const prefix = `test:${randomUUID()}:`;
    const instances = clients.map((client) => new RedisCostBudgetStore(client, { prefix }));
    const charge = { key: 'hot', cost: 3, capacity: 100, restorePerSecond: 0.001 };
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (instances[i % 4] as RedisCostBudgetStore).charge([charge], t0)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(33);
  });

  it('keeps each bucket in one key with a hash tag, living until the bucket is full again', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new RedisCostBudgetStore(clients[0] as Redis, { prefix });
    await store.charge([bucket('ttl', 50)], Date.now());
    expect(await (clients[0] as Redis).keys(`${prefix}*`)).toEqual([`${prefix}{ttl}`]);
    const ttl = await (clients[0] as Redis).pttl(`${prefix}{ttl}`);
    expect(ttl).toBeGreaterThan(4900);
    expect(ttl).toBeLessThanOrEqual(5001);
  });

  it("refills by the Redis server's clock with clock: redis, whatever the caller's", async () => {
    const store = new RedisCostBudgetStore(clients[0] as Redis, { prefix: `test:${randomUUID()}:`, clock: 'redis' });
    expect((await store.charge([bucket('k', 100)], 0)).allowed).toBe(true);
    expect((await store.charge([bucket('k', 50)], 10 * t0)).allowed).toBe(false);
  });

  it('loads its script again after SCRIPT FLUSH', async () => {
    const store = new RedisCostBudgetStore(clients[0] as Redis, { prefix: `test:${randomUUID()}:` });
    await store.charge([bucket('k', 1)], t0);
    await (clients[0] as Redis).script('FLUSH');
    expect((await store.charge([bucket('k', 1)], t0)).buckets).toEqual([{ allowed: true, remaining: 98, retryAfterMs: 0 }]);
  });

  it('rejects while Redis cannot be reached (the directive refuses with PROTECTION_UNAVAILABLE)', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    const store = new RedisCostBudgetStore(down);
    await expect(store.charge([bucket('k', 1)], t0)).rejects.toThrow();
    down.disconnect();
  });

  it('refuses a client without evalsha', () => {
    expect(() => new RedisCostBudgetStore({} as never)).toThrow(
      new TypeError('RedisCostBudgetStore: client must be a Redis client with evalsha() and eval()'),
    );
  });
});
