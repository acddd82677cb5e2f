import { checkHashTaggedPrefix, hashTagged } from '../redis-hash-tag.js';
import { hasMethod, isObject } from '../shape-checks.js';

/**
 * Where temporary bans live: how many bans an address earned recently (for escalation) and until
 * when it is banned. Shared through Redis when several instances run. A store that cannot answer
 * throws or rejects; the request is then refused (fail closed).
 */
export interface BanStore {
  /** Until when `address` is banned (ms since the epoch), or 0. */
  bannedUntil(address: string, now: number): number | Promise<number>;
  /**
   * Bans `address`: the n-th ban within `memoryMs` lasts `durationsMs[n-1]` (the last one for
   * every further ban). While a ban is running, banning again changes nothing (violations from
   * requests already in flight, on any instance, must not escalate it). Returns until when.
   */
  ban(address: string, now: number, durationsMs: readonly number[], memoryMs: number): number | Promise<number>;
}

/** Bans in process memory, bounded (oldest bans forgotten first once full). */
export class MemoryBanStore implements BanStore {
  readonly #bans = new Map<string, { until: number; level: number; levelExpiresAt: number }>();
  readonly #maxEntries: number;

  constructor(options: { readonly maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  bannedUntil(address: string, now: number): number {
    const entry = this.#bans.get(address);
    return entry !== undefined && entry.until > now ? entry.until : 0;
  }

  ban(address: string, now: number, durationsMs: readonly number[], memoryMs: number): number {
    const previous = this.#bans.get(address);
    if (previous !== undefined && previous.until > now) return previous.until;
    const level = previous !== undefined && previous.levelExpiresAt > now ? previous.level + 1 : 1;
    const until = now + (durationsMs[Math.min(level, durationsMs.length) - 1] as number);
    this.#bans.delete(address);
    if (this.#bans.size >= this.#maxEntries) {
      const oldest = this.#bans.keys().next().value;
      if (oldest !== undefined) this.#bans.delete(oldest);
    }
    this.#bans.set(address, { until, level, levelExpiresAt: now + memoryMs });
    return until;
  }
}

/** The part of a Redis client the ban store uses: ioredis' `Redis` and `Cluster` both fit. */
export interface RedisBanClient {
  get(key: string): Promise<string | null>;
  pttl(key: string): Promise<number>;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Options of {@link RedisBanStore}. */
export interface RedisBanStoreOptions {
  /**
   * Prefix of every key this store writes, without braces (the store puts each address's hash
   * tag in braces itself: `<prefix>{<address>}:until` and `:level`).
   * @default 'rampart:ban:'
   */
  readonly prefix?: string;
  /**
   * Whose clock times a ban: `'caller'` stores the instant the ban ends by the `now` each
   * instance passes; `'redis'` lets the key's lifetime on the server be the ban (`PX` when banning,
   * `PTTL` when asking), so that a ban lasts its duration however far the instances' clocks drift
   * apart. Prefer `'redis'` when several instances share the store.
   * @default 'caller'
   */
  readonly clock?: 'caller' | 'redis';
}

/**
 * One ban decision, atomically: while a ban runs, nothing changes; otherwise the level (bans within
 * the memory) goes up and the ban lasts the level's duration. Returns the milliseconds left of the
 * running ban, or of the new one. ARGV[4] says whose clock: `caller` compares with the stored end
 * and the caller's now (ARGV[1]); `redis` reads the key's lifetime on the server (PTTL).
 */
const banScript = `
local now = tonumber(ARGV[1])
local left
if ARGV[4] == 'redis' then
  left = redis.call('PTTL', KEYS[1])
else
  left = tonumber(redis.call('GET', KEYS[1]) or '0') - now
end
if left > 0 then return left end
local level = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
local durations = cjson.decode(ARGV[3])
local index = level
if index > #durations then index = #durations end
redis.call('SET', KEYS[1], now + durations[index], 'PX', durations[index])
return durations[index]
`;

/**
 * Bans shared by every instance through Redis (one Redis or a Redis Cluster: both keys of an
 * address's ban share its hash slot).
 */
export class RedisBanStore implements BanStore {
  readonly #client: RedisBanClient;
  readonly #prefix: string;
  readonly #clock: 'caller' | 'redis';

  constructor(client: RedisBanClient, options: RedisBanStoreOptions = {}) {
    if (!isObject(client) || !hasMethod(client, 'eval') || !hasMethod(client, 'get') || !hasMethod(client, 'pttl')) {
      throw new TypeError(
        'RedisBanStore: client must be a Redis client with get(), pttl() and eval() (npm install ioredis; new Redis(url))',
      );
    }
    this.#client = client;
    this.#prefix = checkHashTaggedPrefix('RedisBanStore', options.prefix ?? 'rampart:ban:');
    const clock: unknown = options.clock ?? 'caller'; // checked as a plain-JavaScript caller may pass it
    if (clock !== 'caller' && clock !== 'redis') {
      throw new TypeError("RedisBanStore: clock must be 'caller' or 'redis'");
    }
    this.#clock = clock;
  }

  async bannedUntil(address: string, now: number): Promise<number> {
    const key = `${hashTagged(this.#prefix, address)}:until`;
    if (this.#clock === 'redis') {
      const left = await this.#client.pttl(key);
      return left > 0 ? now + left : 0;
    }
    const until = Number(await this.#client.get(key));
    return until > now ? until : 0;
  }

  async ban(address: string, now: number, durationsMs: readonly number[], memoryMs: number): Promise<number> {
    const slot = hashTagged(this.#prefix, address);
    const left = await this.#client.eval(
      banScript,
      2,
      `${slot}:until`,
      `${slot}:level`,
      now,
      memoryMs,
      JSON.stringify(durationsMs),
      this.#clock,
    );
    return now + Number(left);
  }
}
