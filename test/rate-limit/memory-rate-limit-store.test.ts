import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../src/index.js';
import { RateLimitStoreFullError } from '../../src/rate-limit/rate-limit-store.js';

describe('MemoryRateLimitStore', () => {
  it('allows max calls in a window, refuses the next, and says exactly when to retry', () => {
    const store = new MemoryRateLimitStore();
    expect([0, 100, 200].map((now) => store.consume('k', 1, 3, 1000, now).allowed)).toEqual([true, true, true]);
    expect(store.consume('k', 1, 3, 1000, 500)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 500 });
  });

  it('slides: a call is admitted again as soon as the oldest one leaves the window', () => {
    const store = new MemoryRateLimitStore();
    store.consume('k', 1, 2, 1000, 0);
    store.consume('k', 1, 2, 1000, 400);
    expect(store.consume('k', 1, 2, 1000, 999).allowed).toBe(false);
    expect(store.consume('k', 1, 2, 1000, 1000).allowed).toBe(true);
    expect(store.consume('k', 1, 2, 1000, 1001)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 399 });
  });

  it('does not count refused calls, so hammering does not extend the wait', () => {
    const store = new MemoryRateLimitStore();
    store.consume('k', 1, 1, 1000, 0);
    for (let now = 1; now < 1000; now += 10) store.consume('k', 1, 1, 1000, now);
    expect(store.consume('k', 1, 1, 1000, 1000).allowed).toBe(true);
  });

  it('counts a cost as that many calls: 7 of 10 fit, then 4 do not, then 3 do', () => {
    const store = new MemoryRateLimitStore();
    expect(store.consume('k', 7, 10, 60_000, 0)).toEqual({ allowed: true, remaining: 3, retryAfterMs: 0 });
    expect(store.consume('k', 4, 10, 60_000, 1)).toEqual({ allowed: false, remaining: 3, retryAfterMs: 59_999 });
    expect(store.consume('k', 3, 10, 60_000, 2)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
  });

  it('never admits a cost larger than max', () => {
    expect(new MemoryRateLimitStore().consume('k', 11, 10, 60_000, 0)).toEqual({ allowed: false, remaining: 10, retryAfterMs: 60_000 });
  });

  it('keeps counters of different keys apart', () => {
    const store = new MemoryRateLimitStore();
    store.consume('a', 1, 1, 1000, 0);
    expect(store.consume('b', 1, 1, 1000, 0).allowed).toBe(true);
  });

  it('is bounded: refuses a new identity while every counter is live, then sweeps idle ones', () => {
    const store = new MemoryRateLimitStore({ maxKeys: 2 });
    store.consume('a', 1, 5, 1000, 0);
    store.consume('b', 1, 5, 1000, 0);
    expect(() => store.consume('c', 1, 5, 1000, 500)).toThrow(RateLimitStoreFullError);
    expect(store.consume('a', 1, 5, 1000, 500).allowed).toBe(true);
    expect(store.consume('c', 1, 5, 1000, 1200).allowed).toBe(true);
    expect(store.size).toBe(2);
  });

  it('sweeps idle counters as new identities arrive, so memory follows live identities', () => {
    const store = new MemoryRateLimitStore();
    for (let i = 0; i < 1000; i++) store.consume(`id-${i}`, 1, 1, 1000, i);
    for (let i = 0; i < 1000; i++) store.consume(`later-${i}`, 1, 1, 1000, 10_000 + i);
    expect(store.size).toBeLessThan(1100);
  });
});
