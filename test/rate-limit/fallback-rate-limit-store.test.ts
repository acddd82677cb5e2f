import { describe, expect, it } from 'vitest';
import { FallbackRateLimitStore, MemoryRateLimitStore, type RateLimitStore, RedisRateLimitStore } from '../../src/index.js';
import { failFastRedis } from '../support/redis.js';

const failing = (error = new Error('connect ECONNREFUSED 127.0.0.1:6379')): RateLimitStore => ({
  consume: () => Promise.reject(error),
});

describe('FallbackRateLimitStore', () => {
  it('decides with the primary store while it answers, leaving the fallback untouched', async () => {
    const primary = new MemoryRateLimitStore();
    const fallback = new MemoryRateLimitStore();
    const store = new FallbackRateLimitStore(primary, fallback);
    expect((await store.consume('k', 1, 1, 1000, 0)).allowed).toBe(true);
    expect((await store.consume('k', 1, 1, 1000, 1)).allowed).toBe(false);
    expect(fallback.consume('k', 1, 1, 1000, 2).allowed).toBe(true);
  });

  it('limits with the fallback while the primary fails, and says so once per failure', async () => {
    const failures: unknown[] = [];
    const store = new FallbackRateLimitStore(failing(), new MemoryRateLimitStore(), (error) => failures.push(error));
    const decisions = [];
    for (let now = 0; now < 4; now++) decisions.push((await store.consume('k', 1, 3, 1000, now)).allowed);
    expect(decisions).toEqual([true, true, true, false]);
    expect(failures).toHaveLength(4);
  });

  it('falls back when a real Redis client cannot reach its server', async () => {
    const unreachable = failFastRedis('redis://127.0.0.1:1');
    try {
      const store = new FallbackRateLimitStore(new RedisRateLimitStore(unreachable), new MemoryRateLimitStore());
      expect(await store.consume('k', 1, 1, 1000, Date.now())).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    } finally {
      unreachable.disconnect();
    }
  });

  it('rejects, failing the field closed, when the fallback fails too', async () => {
    const store = new FallbackRateLimitStore(failing(), failing(new Error('full')));
    await expect(store.consume('k', 1, 1, 1000, 0)).rejects.toThrow('full');
  });
});
