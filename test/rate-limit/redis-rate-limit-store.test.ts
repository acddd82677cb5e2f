import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimitStore } from '../../src/index.js';
import { isNoScriptError } from '../../src/rate-limit/redis-rate-limit-store.js';
import { failFastRedis, readyRedis, redisAvailable } from '../support/redis.js';

const available = await redisAvailable();

describe.runIf(available)('RedisRateLimitStore (real Redis)', () => {
  let clients: Redis[];
  beforeAll(async () => {
    clients = await Promise.all(Array.from({ length: 4 }, () => readyRedis()));
  });
  afterAll(() => clients.forEach((client) => client.disconnect()));

  const store = (index = 0, prefix = `test:${randomUUID()}:`) => new RedisRateLimitStore(clients[index] as Redis, { prefix });

  it('allows max calls in a window, refuses the next, and says when to retry', async () => {
    const limiter = store();
    const answers = [];
    for (const now of [0, 100, 200]) answers.push((await limiter.consume('k', 1, 3, 1000, 1_000_000 + now)).allowed);
    expect(answers).toEqual([true, true, true]);
    expect(await limiter.consume('k', 1, 3, 1000, 1_000_500)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 500 });
    expect((await limiter.consume('k', 1, 3, 1000, 1_001_000)).allowed).toBe(true);
  });

  it('counts a cost as that many calls: 7 of 10 fit, then 4 do not', async () => {
    const limiter = store();
    expect(await limiter.consume('k', 7, 10, 60_000, 5_000_000)).toEqual({ allowed: true, remaining: 3, retryAfterMs: 0 });
    expect(await limiter.consume('k', 4, 10, 60_000, 5_000_001)).toEqual({ allowed: false, remaining: 3, retryAfterMs: 59_999 });
  });

  it('admits exactly max of 200 concurrent calls from four instances', async () => {
    const prefix = `test:${randomUUID()}:`;
    const instances = clients.map((_, index) => store(index, prefix));
    const now = Date.now();
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (instances[i % 4] as RedisRateLimitStore).consume('hot', 1, 10, 60_000, now)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
  });

  it('gives its keys the window as their lifetime', async () => {
    const prefix = `test:${randomUUID()}:`;
    await store(0, prefix).consume('ttl', 1, 5, 30_000, Date.now());
    const keys = await (clients[0] as Redis).keys(`${prefix}*`);
    expect(keys.sort()).toEqual([`${prefix}{ttl}:log`, `${prefix}{ttl}:sum`]);
    for (const key of keys) {
      const ttl = await (clients[0] as Redis).pttl(key);
      expect(ttl).toBeGreaterThan(29_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
    }
  });

  it('loads its script again after SCRIPT FLUSH', async () => {
    const limiter = store();
    await limiter.consume('k', 1, 5, 1000, Date.now());
    await (clients[0] as Redis).script('FLUSH');
    expect((await limiter.consume('k', 1, 5, 1000, Date.now())).allowed).toBe(true);
  });

  it('rejects (so the field fails closed) when Redis cannot be reached', async () => {
    const unreachable = failFastRedis('redis://127.0.0.1:1');
    try {
      await expect(new RedisRateLimitStore(unreachable).consume('k', 1, 1, 1000, Date.now())).rejects.toThrow();
    } finally {
      unreachable.disconnect();
    }
  });
});

describe.runIf(available)('RedisRateLimitStore keys', () => {
  it('expire together: a refused call after old ones expired leaves no count without its log', async () => {
    const client = await readyRedis();
    try {
      const prefix = `test:${randomUUID()}:`;
      const limiter = new RedisRateLimitStore(client, { prefix });
      expect((await limiter.consume('k', 2, 3, 10_000, 1_000_000)).allowed).toBe(true);
      expect((await limiter.consume('k', 1, 3, 10_000, 1_005_000)).allowed).toBe(true);
      // Make the log's remaining lifetime short, as it is late in a real window.
      await client.pexpire(`${prefix}{k}:log`, 100);
      // At 1_010_001 the first call expires; 1 + 3 > 3 is refused, and both keys get the window again.
      expect((await limiter.consume('k', 3, 3, 10_000, 1_010_001)).allowed).toBe(false);
      const [logTtl, sumTtl] = await Promise.all([client.pttl(`${prefix}{k}:log`), client.pttl(`${prefix}{k}:sum`)]);
      expect(logTtl).toBeGreaterThan(9_000);
      expect(Math.abs(logTtl - sumTtl)).toBeLessThan(50);
    } finally {
      client.disconnect();
    }
  });
});

describe.runIf(available)("RedisRateLimitStore with clock: 'redis'", () => {
  let clients: Redis[];
  beforeAll(async () => {
    clients = await Promise.all(Array.from({ length: 2 }, () => readyRedis()));
  });
  afterAll(() => clients.forEach((client) => client.disconnect()));

  const hour = 3_600_000;

  it('shares one exact window between instances whose clocks disagree by an hour', async () => {
    const prefix = `test:${randomUUID()}:`;
    const [onTime, ahead] = clients.map((client) => new RedisRateLimitStore(client, { prefix, clock: 'redis' })) as [
      RedisRateLimitStore,
      RedisRateLimitStore,
    ];
    for (let i = 0; i < 10; i++) expect((await onTime.consume('k', 1, 10, 60_000, Date.now())).allowed).toBe(true);
    const refused = await ahead.consume('k', 1, 10, 60_000, Date.now() + hour);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("is needed: with the callers' clocks, the instance an hour ahead forgets the other's calls", async () => {
    const prefix = `test:${randomUUID()}:`;
    const [onTime, ahead] = clients.map((client) => new RedisRateLimitStore(client, { prefix })) as [
      RedisRateLimitStore,
      RedisRateLimitStore,
    ];
    for (let i = 0; i < 10; i++) expect((await onTime.consume('k', 1, 10, 60_000, Date.now())).allowed).toBe(true);
    expect((await ahead.consume('k', 1, 10, 60_000, Date.now() + hour)).allowed).toBe(true);
  });

  it('lets the window pass in the server’s time, whatever the caller says', async () => {
    const limiter = new RedisRateLimitStore(clients[0] as Redis, { prefix: `test:${randomUUID()}:`, clock: 'redis' });
    expect((await limiter.consume('k', 1, 1, 300, 0)).allowed).toBe(true);
    const refused = await limiter.consume('k', 1, 1, 300, 10 * hour);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(300);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await limiter.consume('k', 1, 1, 300, 0)).allowed).toBe(true);
  });

  it('refuses an unknown clock option', () => {
    expect(() => new RedisRateLimitStore(clients[0] as Redis, { clock: 'local' as never })).toThrow(
      "RedisRateLimitStore: clock must be 'caller' or 'redis'",
    );
  });
});

describe('RedisRateLimitStore prefix', () => {
  it('refuses a prefix with braces, which would take the place of each counter’s hash tag', () => {
    const client = { evalsha: () => Promise.resolve(null), eval: () => Promise.resolve(null) };
    expect(() => new RedisRateLimitStore(client, { prefix: '{shop}:' })).toThrow(
      "RedisRateLimitStore: prefix must be a string without { or } (the store sets each key's hash tag itself)",
    );
  });
});

describe('isNoScriptError', () => {
  it.each([
    ['an Error saying NOSCRIPT', new Error('NOSCRIPT No matching script. Please use EVAL.'), true],
    ['an object whose message says NOSCRIPT', { message: 'NOSCRIPT No matching script' }, true],
    ['another Error', new Error('READONLY You can not write against a read only replica.'), false],
    ['a string saying NOSCRIPT (no message)', 'NOSCRIPT', false],
    ['null', null, false],
    ['undefined', undefined, false],
    ['an object without a message', { code: 'NOSCRIPT' }, false],
  ])('reads %s', (_shown, error, expected) => {
    expect(isNoScriptError(error)).toBe(expected);
  });
});
