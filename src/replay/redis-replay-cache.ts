import { hasMethod, isObject } from '../shape-checks.js';
import type { ReplayCache } from './replay-cache.js';

/**
 * The part of a Redis client (ioredis' `Redis` or `Cluster`, or node-redis's legacy mode) this
 * cache uses: `SET key value PX milliseconds NX`, and `EXISTS key` for {@link RedisReplayCache.seen}.
 */
export interface RedisSetClient {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<string | null>;
  exists?(key: string): Promise<number>;
}

/** Options of {@link RedisReplayCache}. */
export interface RedisReplayCacheOptions {
  /**
   * Prefix of every key this cache writes.
   * @default 'rampart:replay:'
   */
  readonly prefix?: string;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/**
 * A replay cache shared by every instance through Redis: one `SET ... PX ... NX` per value, atomic
 * on the server, expiring with the value. Configure the client to fail fast when disconnected
 * (ioredis: `enableOfflineQueue: false`, `maxRetriesPerRequest: 1`, `commandTimeout: 1000`) so that an outage refuses
 * with `PROTECTION_UNAVAILABLE` instead of queueing requests.
 */
export class RedisReplayCache implements ReplayCache {
  readonly #client: RedisSetClient;
  readonly #prefix: string;
  readonly #clock: () => number;

  constructor(client: RedisSetClient, options: RedisReplayCacheOptions = {}) {
    if (!isObject(client) || !hasMethod(client, 'set')) {
      throw new TypeError('RedisReplayCache: client must be a Redis client with set() (npm install ioredis; new Redis(url))');
    }
    this.#client = client;
    this.#prefix = options.prefix ?? 'rampart:replay:';
    this.#clock = options.clock ?? Date.now;
  }

  async firstUse(key: string, expiresAt: number): Promise<boolean> {
    // At least a second, as the memory cache: an expired deadline must not let the value pass again.
    const ttl = Math.max(1000, Math.ceil(expiresAt - this.#clock()));
    const answer = await this.#client.set(`${this.#prefix}${key}`, '1', 'PX', ttl, 'NX');
    return answer === 'OK';
  }

  async seen(key: string): Promise<boolean> {
    if (typeof this.#client.exists !== 'function') return true; // cannot tell: counted as spent
    return (await this.#client.exists(`${this.#prefix}${key}`)) > 0;
  }
}
