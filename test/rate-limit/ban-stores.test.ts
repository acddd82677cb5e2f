import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BanStore, MemoryBanStore, RedisBanStore } from '../../src/index.js';
import { readyRedis, redisAvailable } from '../support/redis.js';

const available = await redisAvailable();
let client: Redis | undefined;
beforeAll(async () => {
  if (available) client = await readyRedis();
});
afterAll(() => client?.disconnect());

const stores: Array<[string, () => BanStore]> = [
  ['MemoryBanStore', () => new MemoryBanStore()],
  ...(available
    ? [['RedisBanStore', () => new RedisBanStore(client as Redis, { prefix: `test:${randomUUID()}:` })] as [string, () => BanStore]]
    : []),
];

const durations = [60_000, 600_000, 3_600_000];
const memory = 86_400_000;

describe.each(stores)('%s', (_name, open) => {
  it('bans for the first duration, and says until when', async () => {
    const store = open();
    expect(await store.ban('198.51.100.1', 1_000_000, durations, memory)).toBe(1_060_000);
    expect(await store.bannedUntil('198.51.100.1', 1_000_001)).toBe(1_060_000);
    expect(await store.bannedUntil('198.51.100.2', 1_000_001)).toBe(0);
  });

  it('does not escalate while a ban runs: 20 bans at the same moment still last the first duration', async () => {
    const store = open();
    // 20 bans at once; a store may answer each with a number or a promise of one.
    const untils = await Promise.all(
      Array.from({ length: 20 }, () => Promise.resolve(store.ban('198.51.100.3', 1_000_000, durations, memory))),
    );
    expect(new Set(untils)).toEqual(new Set([1_060_000]));
    expect(await store.bannedUntil('198.51.100.3', 1_000_001)).toBe(1_060_000);
  });

  it('escalates the next ban once the running one has ended', async () => {
    const store = open();
    await store.ban('198.51.100.4', 1_000_000, durations, memory);
    expect(await store.ban('198.51.100.4', 1_060_001, durations, memory)).toBe(1_060_001 + 600_000);
  });

  it('is not banned once the ban has ended', async () => {
    const store = open();
    await store.ban('198.51.100.5', 1_000_000, durations, memory);
    expect(await store.bannedUntil('198.51.100.5', 1_060_000)).toBe(0);
  });
});

describe.runIf(available)("RedisBanStore with clock: 'redis'", () => {
  const hour = 3_600_000;
  const pair = () => {
    const prefix = `test:${randomUUID()}:`;
    return [
      new RedisBanStore(client as Redis, { prefix, clock: 'redis' }),
      new RedisBanStore(client as Redis, { prefix, clock: 'redis' }),
    ] as const;
  };

  it('gives a ban made by an instance an hour ahead its full duration on an instance on time', async () => {
    const [ahead, onTime] = pair();
    const now = Date.now();
    expect(await ahead.ban('198.51.100.10', now + hour, durations, memory)).toBeGreaterThan(now + hour);
    const until = await onTime.bannedUntil('198.51.100.10', now);
    expect(until - now).toBeGreaterThan(55_000);
    expect(until - now).toBeLessThanOrEqual(60_000);
  });

  it('does not escalate while a ban runs, whatever the callers say the time is', async () => {
    const [first, second] = pair();
    await first.ban('198.51.100.11', 0, durations, memory);
    const untils = await Promise.all(Array.from({ length: 20 }, (_, i) => second.ban('198.51.100.11', i * hour, durations, memory)));
    for (const [i, until] of untils.entries()) expect(until - i * hour).toBeLessThanOrEqual(60_000);
  });

  it('ends the ban in the server’s time, even for a caller whose clock stands still', async () => {
    const [store] = pair();
    expect(await store.ban('198.51.100.12', 0, [200], memory)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.bannedUntil('198.51.100.12', 0)).toBe(0);
  });

  it('escalates the next ban once the running one has ended in the server’s time', async () => {
    const [store] = pair();
    await store.ban('198.51.100.13', 0, [200, 600_000], memory);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.ban('198.51.100.13', 0, [200, 600_000], memory)).toBeGreaterThan(590_000);
  });

  it('refuses a client that is not a Redis client, and an unknown clock', () => {
    expect(() => new RedisBanStore({} as never)).toThrow(TypeError);
    expect(() => new RedisBanStore(client as Redis, { clock: 'wall' as never })).toThrow("clock must be 'caller' or 'redis'");
  });
});

describe('RedisBanStore prefix', () => {
  it('refuses a prefix with braces, which would take the place of each address’s hash tag', () => {
    const client = { get: () => Promise.resolve(null), pttl: () => Promise.resolve(-2), eval: () => Promise.resolve(null) };
    expect(() => new RedisBanStore(client, { prefix: 'ban{}:' })).toThrow(
      "RedisBanStore: prefix must be a string without { or } (the store sets each key's hash tag itself)",
    );
  });
});
