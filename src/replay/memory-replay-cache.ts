import { ReplayCacheFullError, type ReplayCache } from './replay-cache.js';

/** Options of {@link MemoryReplayCache}. */
export interface MemoryReplayCacheOptions {
  /**
   * The most unexpired entries held. When full, new values are refused (fail closed) rather than
   * old ones forgotten, which would let them be replayed.
   * @default 100000
   */
  readonly maxEntries?: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/**
 * A replay cache in process memory: atomic within the process (JavaScript runs one callback at a
 * time), bounded, expired entries swept as new ones arrive. For one instance; use
 * `RedisReplayCache` when several instances must share it.
 */
export class MemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #clock: () => number;

  constructor(options: MemoryReplayCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('MemoryReplayCache: maxEntries must be a positive integer');
    }
    this.#maxEntries = maxEntries;
    this.#clock = options.clock ?? Date.now;
  }

  firstUse(key: string, expiresAt: number): boolean {
    const now = this.#clock();
    const known = this.#entries.get(key);
    if (known !== undefined && known > now) return false;
    if (known !== undefined) this.#entries.delete(key);
    this.#sweep(now);
    if (this.#entries.size >= this.#maxEntries) throw new ReplayCacheFullError();
    // Never remember a value for less than a second: an already expired deadline would let the
    // value pass again at once.
    this.#entries.set(key, Math.max(expiresAt, now + 1000));
    return true;
  }

  /** Entries currently held, expired or not. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Drops expired values from the oldest on, stopping at the first live one: values of one cache
   * live about as long as each other, so insertion order is close to expiry order, and a full
   * cache of live values costs one look, not a scan.
   */
  #sweep(now: number): void {
    for (const [key, expiresAt] of this.#entries) {
      if (expiresAt > now) return;
      this.#entries.delete(key);
    }
  }
}
