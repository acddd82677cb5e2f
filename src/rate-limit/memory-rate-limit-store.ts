import { RateLimitStoreFullError, type RateLimitDecision, type RateLimitStore } from './rate-limit-store.js';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * The most counters (identity × field) held at once. Counters whose window has passed are
   * dropped as new ones arrive; when every counter is still live, new identities are refused
   * (fail closed) rather than live counters forgotten.
   * @default 500000
   */
  readonly maxKeys?: number;
}

/** The calls of one counter inside its window: parallel arrays from `head`, oldest first. */
interface Counter {
  times: number[];
  costs: number[];
  head: number;
  sum: number;
  windowMs: number;
}

const sweepPerInsert = 8;
const maxSweepWhenFull = 10_000;

/**
 * Rate-limit counters in process memory: exact sliding windows, atomic within the process
 * (JavaScript runs one decision at a time), bounded, with expired counters swept as new ones
 * arrive. A decision costs the same whatever the number of identities: a map lookup and a few
 * array operations, synchronously. For one instance; several instances share `RedisRateLimitStore`.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #counters = new Map<string, Counter>();
  readonly #maxKeys: number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? 500_000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError('MemoryRateLimitStore: maxKeys must be a positive integer');
    this.#maxKeys = maxKeys;
  }

  /** Live and not yet swept counters. */
  get size(): number {
    return this.#counters.size;
  }

  consume(key: string, cost: number, max: number, windowMs: number, now: number): RateLimitDecision {
    let counter = this.#counters.get(key);
    if (counter === undefined) {
      this.#sweep(now);
      if (this.#counters.size >= this.#maxKeys) throw new RateLimitStoreFullError();
      counter = { times: [], costs: [], head: 0, sum: 0, windowMs };
    } else {
      // Most recently used last, so that the sweep meets idle counters first.
      this.#counters.delete(key);
      expire(counter, now);
    }
    this.#counters.set(key, counter);
    counter.windowMs = windowMs;
    if (counter.sum + cost <= max) {
      const last = counter.times.length - 1;
      if (last >= counter.head && counter.times[last] === now) {
        // Calls in the same millisecond share an entry: a busy counter holds fewer of them.
        counter.costs[last] = (counter.costs[last] as number) + cost;
      } else {
        counter.times.push(now);
        counter.costs.push(cost);
      }
      counter.sum += cost;
      return { allowed: true, remaining: max - counter.sum, retryAfterMs: 0 };
    }
    return { allowed: false, remaining: Math.max(0, max - counter.sum), retryAfterMs: retryAfter(counter, cost, max, now) };
  }

  /**
   * Drops idle counters (every call older than its window), least recently used first. When the
   * store is not full it stops at the first live counter or after a few; when full it looks
   * further (bounded), since a long-window counter may hide idle ones behind it.
   */
  #sweep(now: number): void {
    let checked = 0;
    for (const [key, counter] of this.#counters) {
      const full = this.#counters.size >= this.#maxKeys;
      if (checked >= (full ? maxSweepWhenFull : sweepPerInsert)) return;
      checked++;
      const newest = counter.times[counter.times.length - 1];
      if (newest === undefined || newest + counter.windowMs <= now) this.#counters.delete(key);
      else if (!full) return;
    }
  }
}

function expire(counter: Counter, now: number): void {
  const { times, costs } = counter;
  let head = counter.head;
  while (head < times.length && (times[head] as number) + counter.windowMs <= now) {
    counter.sum -= costs[head] as number;
    head++;
  }
  if (head > 32 && head * 2 > times.length) {
    counter.times = times.slice(head);
    counter.costs = costs.slice(head);
    head = 0;
  }
  counter.head = head;
}

function retryAfter(counter: Counter, cost: number, max: number, now: number): number {
  if (cost > max) return counter.windowMs;
  let needed = counter.sum + cost - max;
  for (let index = counter.head; index < counter.times.length; index++) {
    needed -= counter.costs[index] as number;
    if (needed <= 0) return Math.max(1, (counter.times[index] as number) + counter.windowMs - now);
  }
  return counter.windowMs;
}
