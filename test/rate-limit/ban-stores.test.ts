import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBanStore, RedisBanStore, type BanStore } from '../../src/index.js';
import { readyRedis, redisAvailable } from '../support/redis.js';

const available = await redisAvailable();
let client: Redis | undefined;
beforeAll(async () => {
  if (available) client = await readyRedis();
});
afterAll(() => client?.disconnect());

const stores: Array<[string, () => BanStore]> = [
  ['MemoryBanStore', () => new MemoryBanStore()],
  ...(available ? [['RedisBanStore', () => new RedisBanStore(client as Redis, { prefix: `test:${randomUUID()}:` })] as [string, () => BanStore]] : []),
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
    const untils = await Promise.all(Array.from({ length: 20 }, () => store.ban('198.51.100.3', 1_000_000, durations, memory)));
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
