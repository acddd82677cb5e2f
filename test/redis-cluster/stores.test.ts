// The library's Redis stores on ioredis' Cluster client, against a three-master Redis Cluster on
// loopback: the same exactness as on one Redis, every script's keys in one hash slot, the
// counters spread over the masters.
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { RedisBanStore, RedisCostBudgetStore, RedisRateLimitStore, RedisReplayCache } from '../../src/index.js';
import type { RedisBanClient } from '../../src/rate-limit/ban-store.js';
import type { RedisScriptClient } from '../../src/rate-limit/redis-rate-limit-store.js';
import type { RedisSetClient } from '../../src/replay/redis-replay-cache.js';
import { redisClusterToolsAvailable, startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { ifSetUp } from '../support/set-up.js';

const available = redisClusterToolsAvailable();
const clocks = ['caller', 'redis'] as const;

describe('the Redis stores’ client interfaces', () => {
  it('take ioredis’ Redis and Cluster clients as they are, without casts', () => {
    expectTypeOf<Redis>().toExtend<RedisScriptClient>();
    expectTypeOf<Cluster>().toExtend<RedisScriptClient>();
    expectTypeOf<Redis>().toExtend<RedisBanClient>();
    expectTypeOf<Cluster>().toExtend<RedisBanClient>();
    expectTypeOf<Redis>().toExtend<RedisSetClient>();
    expectTypeOf<Cluster>().toExtend<RedisSetClient>();
  });
});

describe.runIf(available)('Redis stores on a three-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let clients: Cluster[];
  beforeAll(async () => {
    cluster = (await startRedisCluster()) as TestRedisCluster;
    clients = await Promise.all(Array.from({ length: 4 }, () => cluster.client()));
  });
  afterAll(() => ifSetUp(cluster)?.stop());

  const client = (index: number) => clients[index % clients.length] as Cluster;
  const prefix = () => `test:${randomUUID()}:`;

  describe('RedisRateLimitStore', () => {
    it.each(clocks)(
      "admits exactly 10 of 200 concurrent calls from four instances on four Cluster clients (clock: '%s')",
      async (clock) => {
        const shared = prefix();
        const instances = clients.map((each) => new RedisRateLimitStore(each, { prefix: shared, clock }));
        const now = Date.now();
        const decisions = await Promise.all(
          Array.from({ length: 200 }, (_, i) => (instances[i % 4] as RedisRateLimitStore).consume('hot', 1, 10, 60_000, now)),
        );
        expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
        expect(decisions.filter((decision) => !decision.allowed && decision.retryAfterMs > 0)).toHaveLength(190);
      },
    );

    it('keeps both keys of a counter in one hash slot, and spreads counters over the three masters', async () => {
      const shared = prefix();
      const store = new RedisRateLimitStore(client(0), { prefix: shared });
      const identities = Array.from({ length: 24 }, (_, i) => `Query.products:key-${i}`);
      for (const identity of identities) expect((await store.consume(identity, 1, 5, 60_000, Date.now())).allowed).toBe(true);
      const masters = new Set<number>();
      for (const identity of identities) {
        const [log, sum] = [`${shared}{${identity}}:log`, `${shared}{${identity}}:sum`];
        expect(await client(0).exists(log, sum)).toBe(2);
        const master = await cluster.masterOf(log);
        expect(await cluster.masterOf(sum)).toBe(master);
        masters.add(master);
      }
      expect(masters).toEqual(new Set(cluster.nodes.map((node) => node.port)));
    });

    it.each([
      ['an empty key', ''],
      ['a key starting with }', '}x'],
    ])('decides for %s, whose braces would make an empty hash tag (CROSSSLOT)', async (_name, key) => {
      const store = new RedisRateLimitStore(client(0), { prefix: prefix(), clock: 'redis' });
      expect(await store.consume(key, 1, 1, 60_000, Date.now())).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
      expect((await store.consume(key, 1, 1, 60_000, Date.now())).allowed).toBe(false);
    });

    it('counts a key that needed escaping apart from the key spelled as its escaped form', async () => {
      const store = new RedisRateLimitStore(client(0), { prefix: prefix() });
      expect((await store.consume('}x', 1, 1, 60_000, 1_000_000)).allowed).toBe(true);
      expect((await store.consume('\\}x', 1, 1, 60_000, 1_000_000)).allowed).toBe(true);
      expect((await store.consume('\\\\}x', 1, 1, 60_000, 1_000_000)).allowed).toBe(true);
      expect((await store.consume('}x', 1, 1, 60_000, 1_000_000)).allowed).toBe(false);
    });

    it('refuses the call over the limit on a Cluster client too, saying when to retry', async () => {
      const store = new RedisRateLimitStore(client(1), { prefix: prefix() });
      for (const now of [0, 100, 200]) expect((await store.consume('k', 1, 3, 1000, 1_000_000 + now)).allowed).toBe(true);
      expect(await store.consume('k', 1, 3, 1000, 1_000_500)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 500 });
    });
  });

  describe('RedisBanStore', () => {
    const durations = [60_000, 600_000];
    const memory = 86_400_000;

    it("does not escalate while a ban runs: 20 bans at once from four Cluster clients last the first duration (clock: 'caller')", async () => {
      const shared = prefix();
      const stores = clients.map((each) => new RedisBanStore(each, { prefix: shared }));
      const untils = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (stores[i % 4] as RedisBanStore).ban('198.51.100.20', 1_000_000, durations, memory)),
      );
      expect(new Set(untils)).toEqual(new Set([1_060_000]));
      for (const store of stores) expect(await store.bannedUntil('198.51.100.20', 1_000_001)).toBe(1_060_000);
      expect(await (stores[1] as RedisBanStore).ban('198.51.100.20', 1_060_001, durations, memory)).toBe(1_660_001);
    });

    it("does not escalate while a ban runs, whatever the callers' clocks say (clock: 'redis')", async () => {
      const shared = prefix();
      const stores = clients.map((each) => new RedisBanStore(each, { prefix: shared, clock: 'redis' }));
      const hour = 3_600_000;
      const untils = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (stores[i % 4] as RedisBanStore).ban('198.51.100.21', i * hour, durations, memory)),
      );
      for (const [i, until] of untils.entries()) {
        expect(until - i * hour).toBeGreaterThan(0);
        expect(until - i * hour).toBeLessThanOrEqual(60_000);
      }
      const now = Date.now();
      const until = await (stores[3] as RedisBanStore).bannedUntil('198.51.100.21', now);
      expect(until - now).toBeGreaterThan(50_000);
      expect(until - now).toBeLessThanOrEqual(60_000);
    });

    it.each([
      ['an empty address', ''],
      ['an address starting with }', '}x'],
    ])('bans %s, whose braces would make an empty hash tag (CROSSSLOT)', async (_name, address) => {
      const store = new RedisBanStore(client(1), { prefix: prefix() });
      expect(await store.ban(address, 1_000_000, durations, memory)).toBe(1_060_000);
      expect(await store.bannedUntil(address, 1_000_001)).toBe(1_060_000);
    });

    it('keeps both keys of a ban in one hash slot, bans spread over the three masters', async () => {
      const shared = prefix();
      const store = new RedisBanStore(client(2), { prefix: shared });
      const masters = new Set<number>();
      for (let i = 0; i < 24; i++) {
        const address = `198.51.100.${100 + i}`;
        await store.ban(address, 1_000_000, durations, memory);
        const master = await cluster.masterOf(`${shared}{${address}}:until`);
        expect(await cluster.masterOf(`${shared}{${address}}:level`)).toBe(master);
        masters.add(master);
      }
      expect(masters).toEqual(new Set(cluster.nodes.map((node) => node.port)));
    });
  });

  describe('RedisCostBudgetStore', () => {
    const bucket = (key: string, cost: number) => ({ key, cost, capacity: 100, restorePerSecond: 100 / 3600 });

    it.each(clocks)("admits exactly the capacity among 200 concurrent charges from four Cluster clients (clock: '%s')", async (clock) => {
      const shared = prefix();
      const instances = clients.map((each) => new RedisCostBudgetStore(each, { prefix: shared, clock }));
      const now = Date.now();
      const decisions = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (instances[i % 4] as RedisCostBudgetStore).charge([bucket('hot', 4)], now)),
      );
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(25);
    });

    it('charges two budgets living on different masters together: refused by one, the other gets its points back', async () => {
      const shared = prefix();
      const store = new RedisCostBudgetStore(client(0), { prefix: shared });
      const keys = Array.from({ length: 24 }, (_, i) => `unattested:key-${i}`);
      const masters = await Promise.all(keys.map((key) => cluster.masterOf(`${shared}{${key}}`)));
      const [first, second] = [keys[0] as string, keys.find((_, i) => masters[i] !== masters[0]) as string];
      expect((await store.charge([bucket(second, 95)], Date.now())).allowed).toBe(true);
      const both = await store.charge([bucket(first, 50), bucket(second, 50)], Date.now());
      expect(both.allowed).toBe(false);
      expect((await store.charge([bucket(first, 100)], Date.now())).allowed).toBe(true);
    });

    it('spreads budgets over the three masters, and keeps an id that needs escaping in one slot', async () => {
      const shared = prefix();
      const store = new RedisCostBudgetStore(client(1), { prefix: shared });
      const keys = [...Array.from({ length: 24 }, (_, i) => `attested:device-${i}`), '}odd', '\\odd'];
      for (const key of keys) expect((await store.charge([bucket(key, 1)], Date.now())).allowed).toBe(true);
      const masters = new Set(await Promise.all(keys.slice(0, 24).map((key) => cluster.masterOf(`${shared}{${key}}`))));
      expect(masters.size).toBe(3);
    });
  });

  describe('RedisReplayCache', () => {
    it('lets exactly one of 50 concurrent first uses through, over four Cluster clients', async () => {
      const shared = prefix();
      const caches = clients.map((each) => new RedisReplayCache(each, { prefix: shared }));
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (caches[i % 4] as RedisReplayCache).firstUse('captcha:same', Date.now() + 10_000)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it('passes each of many values once, wherever its master is', async () => {
      const shared = prefix();
      const [first, second] = [new RedisReplayCache(client(0), { prefix: shared }), new RedisReplayCache(client(1), { prefix: shared })];
      const values = Array.from({ length: 24 }, (_, i) => `jti-${i}`);
      for (const value of values) expect(await first.firstUse(value, Date.now() + 10_000)).toBe(true);
      for (const value of values) expect(await second.firstUse(value, Date.now() + 10_000)).toBe(false);
      const masters = new Set(await Promise.all(values.map((value) => cluster.masterOf(`${shared}${value}`))));
      expect(masters.size).toBe(3);
    });
  });
});
