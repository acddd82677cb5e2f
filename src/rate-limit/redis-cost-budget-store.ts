import { checkHashTaggedPrefix, hashTagged } from '../redis-hash-tag.js';
import { hasMethod, isObject } from '../shape-checks.js';
import { createHash } from 'node:crypto';
import {
  assertBucket,
  bucketArithmetic,
  type CostBucketState,
  type CostBudgetDecision,
  type CostBudgetStore,
  type CostCharge,
  type CostRefund,
} from './cost-budget-store.js';
import { isNoScriptError, type RedisScriptClient } from './redis-rate-limit-store.js';

/** Options of {@link RedisCostBudgetStore}. */
export interface RedisCostBudgetStoreOptions {
  /**
   * Prefix of every key this store writes.
   * @default 'rampart:cost:'
   */
  readonly prefix?: string;
  /**
   * Whose clock refills the buckets: `'caller'` uses the `now` each instance passes; `'redis'` the
   * Redis server's `TIME`, so that instances whose clocks disagree still share exact budgets.
   * Prefer `'redis'` when several instances share the store.
   * @default 'caller'
   */
  readonly clock?: 'caller' | 'redis';
}

/**
 * One bucket, atomically on the server. The bucket is one key holding its theoretical arrival time
 * (µs: when it is full again); absent means full. `charge` takes the points if the bucket holds
 * them, else answers how long until it would; `refund` gives points back (a negative refund takes
 * them, unconditionally), never beyond full. The key lives until the bucket is full again.
 * ARGV: mode, now (µs), points, capacity, µs per point, clock.
 */
const script = `
local key = KEYS[1]
local mode, now, points, capacity, interval = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if ARGV[6] == 'redis' then
  -- Redis < 5 replicates scripts verbatim and forbids writes after TIME unless told otherwise.
  if redis.replicate_commands then redis.replicate_commands() end
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local tolerance = capacity * interval
local stored = redis.call('GET', key)
local tat = tonumber(stored or '0')
if tat < now then tat = now end
local function left(at)
  local held = at - now
  if held < 0 then held = 0 end
  local n = math.floor((tolerance - held) / interval + 0.000001)
  if n < 0 then n = 0 end
  return n
end
local function save(at)
  if at <= now then
    redis.call('DEL', key)
  else
    redis.call('SET', key, string.format('%.17g', at), 'PX', math.ceil((at - now) / 1000) + 1)
  end
end
if mode == 'charge' then
  local after = tat + points * interval
  if after - now <= tolerance + 0.001 then
    save(after)
    return {1, left(after), 0}
  end
  local wait = after - now - tolerance
  if points > capacity then wait = tat - now end
  local ms = math.ceil(wait / 1000)
  if ms < 1 then ms = 1 end
  return {0, left(tat), ms}
end
if stored == false and points >= 0 then return {1, capacity, 0} end
local after = tat - points * interval
save(after)
return {1, left(after), 0}
`;
const scriptSha = createHash('sha1').update(script).digest('hex');

/**
 * Cost budgets in Redis, shared by every instance: one Lua script per bucket decides it atomically
 * (GCRA, one key per bucket, in one hash slot through a hash tag), and the buckets of one request
 * are charged together (in one round trip with ioredis's `enableAutoPipelining`). When one bucket
 * refuses, the others are given their points back: a request is admitted by all of its budgets or
 * by none, and concurrent requests on several instances are never admitted beyond what the buckets
 * hold. Configure the client to fail fast while disconnected (ioredis: `enableOfflineQueue: false`,
 * `maxRetriesPerRequest: 1`, `commandTimeout: 1000`), so that an outage refuses with
 * `PROTECTION_UNAVAILABLE` instead of queueing without bound.
 */
export class RedisCostBudgetStore implements CostBudgetStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;
  readonly #clock: 'caller' | 'redis';

  constructor(client: RedisScriptClient, options: RedisCostBudgetStoreOptions = {}) {
    if (!isObject(client) || !hasMethod(client, 'evalsha') || !hasMethod(client, 'eval')) {
      throw new TypeError('RedisCostBudgetStore: client must be a Redis client with evalsha() and eval()');
    }
    this.#client = client;
    this.#prefix = checkHashTaggedPrefix('RedisCostBudgetStore', options.prefix ?? 'rampart:cost:');
    const clock: unknown = options.clock ?? 'caller'; // checked as a plain-JavaScript caller may pass it
    if (clock !== 'caller' && clock !== 'redis') throw new TypeError("RedisCostBudgetStore: clock must be 'caller' or 'redis'");
    this.#clock = clock;
  }

  async charge(charges: readonly CostCharge[], now: number): Promise<CostBudgetDecision> {
    for (const charge of charges) {
      assertBucket(charge, charge.cost, 'RedisCostBudgetStore');
      if (charge.cost < 0) throw new TypeError('RedisCostBudgetStore: a charge must be 0 or more');
    }
    const answers = await Promise.allSettled(charges.map((charge) => this.#run('charge', charge, charge.cost, now)));
    const taken = charges.filter((_, index) => {
      const answer = answers[index];
      return answer?.status === 'fulfilled' && answer.value.allowed;
    });
    const failure = answers.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
    const allowed = failure === undefined && taken.length === charges.length;
    if (!allowed && taken.length > 0) {
      // Give back what the buckets that admitted took; if that fails too, they under-admit until refilled.
      await Promise.allSettled(taken.map((charge) => this.#run('refund', charge, charge.cost, now)));
    }
    if (failure) throw failure.reason;
    return {
      allowed,
      buckets: answers.map((answer) => (answer as PromiseFulfilledResult<CostBucketState>).value),
    };
  }

  async refund(refunds: readonly CostRefund[], now: number): Promise<readonly number[]> {
    for (const refund of refunds) assertBucket(refund, refund.points, 'RedisCostBudgetStore');
    const states = await Promise.all(refunds.map((refund) => this.#run('refund', refund, refund.points, now)));
    return states.map((state) => state.remaining);
  }

  async #run(
    mode: 'charge' | 'refund',
    bucket: { readonly key: string; readonly capacity: number; readonly restorePerSecond: number },
    points: number,
    now: number,
  ): Promise<CostBucketState> {
    const { interval } = bucketArithmetic(bucket.capacity, bucket.restorePerSecond);
    const args = [
      hashTagged(this.#prefix, bucket.key),
      mode,
      Math.floor(now * 1000),
      points,
      bucket.capacity,
      String(interval),
      this.#clock,
    ] as const;
    let answer: unknown;
    try {
      answer = await this.#client.evalsha(scriptSha, 1, ...args);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      answer = await this.#client.eval(script, 1, ...args);
    }
    if (!Array.isArray(answer) || answer.length !== 3) throw new Error('unexpected cost-budget script answer');
    const [allowed, remaining, retryAfterMs] = answer.map(Number) as [number, number, number];
    return { allowed: allowed === 1, remaining: Math.max(0, remaining), retryAfterMs: allowed === 1 ? 0 : retryAfterMs };
  }
}
