import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryReplayCache, RedisReplayCache } from '../../src/index.js';
import { ReplayCacheFullError } from '../../src/replay/replay-cache.js';
import { failFastRedis, readyRedis, redisAvailable } from '../support/redis.js';

describe('MemoryReplayCache', () => {
  it('remembers an already expired deadline for a second rather than not at all', () => {
    const cache = new MemoryReplayCache({ clock: () => 5000 });
    expect(cache.firstUse('late', 4000)).toBe(true);
    expect(cache.firstUse('late', 4000)).toBe(false);
  });

  it('passes a value once within its lifetime, then again after it expired', () => {
    let now = 0;
    const cache = new MemoryReplayCache({ clock: () => now });
    expect(cache.firstUse('jti-1', 1000)).toBe(true);
    expect(cache.firstUse('jti-1', 1000)).toBe(false);
    now = 1000;
    expect(cache.firstUse('jti-1', 2000)).toBe(true);
  });

  it('tells whether a value is spent without spending it, and forgets it once expired', () => {
    let now = 1_000_000;
    const cache = new MemoryReplayCache({ clock: () => now });
    expect(cache.seen('jti')).toBe(false);
    expect(cache.firstUse('jti', now + 5000)).toBe(true);
    expect(cache.seen('jti')).toBe(true);
    now += 5000;
    expect(cache.seen('jti')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('sweeps expired entries when full and refuses (fails closed) when still full', () => {
    let now = 0;
    const cache = new MemoryReplayCache({ maxEntries: 2, clock: () => now });
    cache.firstUse('a', 1000);
    cache.firstUse('b', 5000);
    expect(() => cache.firstUse('c', 5000)).toThrow(ReplayCacheFullError);
    now = 1000;
    expect(cache.firstUse('c', 5000)).toBe(true);
    expect(cache.size).toBe(2);
    expect(cache.firstUse('b', 5000)).toBe(false);
  });

  it('forgets short-lived values that expired behind a long-lived one, so a full cache holds only live values', () => {
    let now = 0;
    const cache = new MemoryReplayCache({ maxEntries: 4, clock: () => now });
    expect(cache.firstUse('attestation', 3_600_000)).toBe(true);
    for (const jti of ['dpop-1', 'dpop-2', 'dpop-3']) expect(cache.firstUse(jti, 60_000)).toBe(true);
    now = 61_000;
    for (const jti of ['dpop-4', 'dpop-5', 'dpop-6']) expect(cache.firstUse(jti, 121_000)).toBe(true);
    expect(cache.size).toBe(4);
    expect(cache.firstUse('attestation', 3_600_000)).toBe(false);
    expect(cache.firstUse('dpop-4', 121_000)).toBe(false);
    expect(() => cache.firstUse('dpop-7', 121_000)).toThrow(ReplayCacheFullError);
  });

  it('keeps a value until its own deadline when the same key comes back with a later one', () => {
    let now = 0;
    const cache = new MemoryReplayCache({ maxEntries: 2, clock: () => now });
    expect(cache.firstUse('a', 1000)).toBe(true);
    now = 1000;
    expect(cache.firstUse('a', 10_000)).toBe(true);
    now = 2000;
    expect(cache.firstUse('b', 10_000)).toBe(true);
    expect(cache.firstUse('a', 10_000)).toBe(false);
    expect(cache.size).toBe(2);
  });
});

const available = await redisAvailable();

describe.runIf(available)('RedisReplayCache (real Redis)', () => {
  let clients: Redis[];
  beforeAll(async () => {
    clients = [await readyRedis(), await readyRedis()];
  });
  afterAll(() => clients.forEach((client) => client.disconnect()));

  it('passes a value once across two instances sharing Redis', async () => {
    const prefix = `test:${randomUUID()}:`;
    const first = new RedisReplayCache(clients[0] as Redis, { prefix });
    const second = new RedisReplayCache(clients[1] as Redis, { prefix });
    expect(await first.firstUse('jti', Date.now() + 10_000)).toBe(true);
    expect(await second.firstUse('jti', Date.now() + 10_000)).toBe(false);
  });

  it('lets exactly one of 50 concurrent uses through', async () => {
    const prefix = `test:${randomUUID()}:`;
    const caches = clients.map((client) => new RedisReplayCache(client, { prefix }));
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (caches[i % 2] as RedisReplayCache).firstUse('same', Date.now() + 10_000)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('gives a value its lifetime as TTL, and never less than a second', async () => {
    const prefix = `test:${randomUUID()}:`;
    const cache = new RedisReplayCache(clients[0] as Redis, { prefix, clock: () => 1_000_000 });
    await cache.firstUse('minute', 1_060_000);
    await cache.firstUse('past', 999_000);
    const client = clients[0] as Redis;
    expect(await client.pttl(`${prefix}minute`)).toBeGreaterThan(59_000);
    const past = await client.pttl(`${prefix}past`);
    expect(past).toBeGreaterThan(900);
    expect(past).toBeLessThanOrEqual(1000);
  });

  it('tells whether a value is spent without spending it (EXISTS)', async () => {
    const prefix = `test:${randomUUID()}:`;
    const cache = new RedisReplayCache(clients[0] as Redis, { prefix });
    expect(await cache.seen('jti')).toBe(false);
    expect(await clients[0]?.exists(`${prefix}jti`)).toBe(0);
    expect(await cache.firstUse('jti', Date.now() + 10_000)).toBe(true);
    expect(await cache.seen('jti')).toBe(true);
  });

  it('answers spent when its client cannot say (no exists())', async () => {
    const client = clients[0] as Redis;
    const cache = new RedisReplayCache(
      { set: (key, value, px, milliseconds, nx) => client.set(key, value, px, milliseconds, nx) },
      { prefix: `test:${randomUUID()}:` },
    );
    expect(await cache.seen('never-used')).toBe(true);
  });

  it('rejects (so the check fails closed) when Redis cannot be reached', async () => {
    const unreachable = failFastRedis('redis://127.0.0.1:1');
    try {
      const cache = new RedisReplayCache(unreachable);
      await expect(cache.firstUse('x', Date.now() + 1000)).rejects.toThrow();
    } finally {
      unreachable.disconnect();
    }
  });
});
