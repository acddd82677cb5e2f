import { createHash, randomBytes } from 'node:crypto';
import { checkHashTaggedPrefix, hashTagged } from '../redis-hash-tag.js';
import { hasMethod, isObject } from '../shape-checks.js';
import type { RateLimitDecision, RateLimitStore } from './rate-limit-store.js';

/**
 * The part of a Redis client this store uses: `EVALSHA` and `EVAL`. ioredis' `Redis` and `Cluster`
 * both fit (enable `enableAutoPipelining` so that every decision of one execution tick travels in
 * one round trip per node).
 */
export interface RedisScriptClient {
  evalsha(sha: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * Whether `error`, as a Redis client rejected `EVALSHA`, says the server does not hold the script
 * yet (`NOSCRIPT`), so that `EVAL` sends it. Anything else thrown (any value: the client is the
 * caller's) is not.
 */
export function isNoScriptError(error: unknown): boolean {
  return isObject(error) && 'message' in error && String(error.message).includes('NOSCRIPT');
}

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /**
   * Prefix of every key this store writes, without braces (the store puts each counter's hash
   * tag in braces itself: `<prefix>{<key>}:log` and `:sum`).
   * @default 'rampart:rl:'
   */
  readonly prefix?: string;
  /**
   * Whose clock places calls in their windows: `'caller'` uses the `now` each instance passes
   * (its own clock, or the one injected in tests); `'redis'` uses the Redis server's `TIME`, so
   * that instances whose clocks disagree still share exact windows. Prefer `'redis'` when several
   * instances share the store.
   * @default 'caller'
   */
  readonly clock?: 'caller' | 'redis';
}

/**
 * One decision, atomically on the server: drop calls older than the window from the sorted-set
 * log (subtracting their costs from the running sum), then admit the call only if it fits, and
 * give both keys the window as their lifetime, always together (a sum outliving its log would
 * refuse calls that nothing counts against). When refused, the time until enough old calls
 * expire. Members are `<unique>:<cost>`. `now` is the caller's, or the server's `TIME` when ARGV[6]
 * is `redis`.
 */
const script = `
local log, total = KEYS[1], KEYS[2]
local now, window, max, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if ARGV[6] == 'redis' then
  -- Redis < 5 replicates scripts verbatim and forbids writes after TIME unless told otherwise.
  if redis.replicate_commands then redis.replicate_commands() end
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local sum = tonumber(redis.call('GET', total) or '0')
local expired = redis.call('ZRANGEBYSCORE', log, '-inf', now - window)
if #expired > 0 then
  for i = 1, #expired do sum = sum - tonumber(string.match(expired[i], ':(%d+)$')) end
  if sum < 0 then sum = 0 end
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
end
if sum + cost <= max then
  redis.call('ZADD', log, now, ARGV[5] .. ':' .. cost)
  redis.call('SET', total, sum + cost, 'PX', window)
  redis.call('PEXPIRE', log, window)
  return {1, max - sum - cost, 0}
end
if #expired > 0 then
  redis.call('SET', total, sum, 'PX', window)
  redis.call('PEXPIRE', log, window)
end
if cost > max then return {0, max - sum, window} end
local needed = sum + cost - max
local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do
  needed = needed - tonumber(string.match(entries[i], ':(%d+)$'))
  if needed <= 0 then
    local wait = tonumber(entries[i + 1]) + window - now
    if wait < 1 then wait = 1 end
    return {0, max - sum, wait}
  end
end
return {0, max - sum, window}
`;
const scriptSha = createHash('sha1').update(script).digest('hex');

/**
 * Rate-limit counters in Redis, shared by every instance: exact sliding windows decided by one
 * Lua script per call (atomic on the server, so 200 concurrent calls against `max: 10` admit
 * exactly 10), keys expiring with their window, both keys of a counter in one hash slot (Redis
 * Cluster). Configure the client to fail fast while disconnected (ioredis:
 * `enableOfflineQueue: false`, `maxRetriesPerRequest: 1`, `commandTimeout: 1000`), so that an outage refuses with
 * `PROTECTION_UNAVAILABLE` instead of queueing without bound. On a Redis Cluster, give ioredis'
 * `Cluster` the same options (`enableOfflineQueue: false`, `scaleReads: 'master'`, the rest under
 * `redisOptions`): a slot that moves is followed (MOVED, ASK), a master down or CLUSTERDOWN refuses.
 *
 * @example
 * const store = new RedisRateLimitStore(new Cluster([{ host: '10.0.0.1', port: 7000 }], {
 *   enableOfflineQueue: false, enableAutoPipelining: true, scaleReads: 'master',
 *   redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 1000 },
 * }), { clock: 'redis' });
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;
  readonly #clock: 'caller' | 'redis';
  readonly #instance = randomBytes(6).toString('base64url');
  #sequence = 0;

  constructor(client: RedisScriptClient, options: RedisRateLimitStoreOptions = {}) {
    if (!isObject(client) || !hasMethod(client, 'evalsha') || !hasMethod(client, 'eval')) {
      throw new TypeError(
        'RedisRateLimitStore: client must be a Redis client with evalsha() and eval() (npm install ioredis; new Redis(url))',
      );
    }
    this.#client = client;
    this.#prefix = checkHashTaggedPrefix('RedisRateLimitStore', options.prefix ?? 'rampart:rl:');
    const clock: unknown = options.clock ?? 'caller'; // checked as a plain-JavaScript caller may pass it
    if (clock !== 'caller' && clock !== 'redis') {
      throw new TypeError("RedisRateLimitStore: clock must be 'caller' or 'redis'");
    }
    this.#clock = clock;
  }

  async consume(key: string, cost: number, max: number, windowMs: number, now: number): Promise<RateLimitDecision> {
    const slot = hashTagged(this.#prefix, key);
    const member = `${now}-${this.#instance}-${(this.#sequence = (this.#sequence + 1) % 1e9)}`;
    const args = [`${slot}:log`, `${slot}:sum`, Math.floor(now), Math.ceil(windowMs), max, cost, member, this.#clock] as const;
    let answer: unknown;
    try {
      answer = await this.#client.evalsha(scriptSha, 2, ...args);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      answer = await this.#client.eval(script, 2, ...args);
    }
    if (!Array.isArray(answer) || answer.length !== 3) throw new Error('unexpected rate-limit script answer');
    const [allowed, remaining, retryAfterMs] = answer.map(Number) as [number, number, number];
    return { allowed: allowed === 1, remaining: Math.max(0, remaining), retryAfterMs: allowed === 1 ? 0 : retryAfterMs };
  }
}
