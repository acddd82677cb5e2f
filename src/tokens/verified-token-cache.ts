import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Options of {@link VerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /**
   * The most verified tokens kept; the least recently used go first.
   * @default 10000
   */
  readonly maxEntries?: number;
  /**
   * The longest a verified token is trusted without checking its signature again, in
   * milliseconds. Never past the token's own `exp`.
   * @default 300000 (five minutes)
   */
  readonly maxAgeMs?: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/**
 * Remembers tokens whose signature and claims were verified, so that a client's repeated calls
 * cost a SHA-256 and a map lookup instead of a signature check. Keyed by a hash of the token (the
 * token itself is never kept as a key), bounded, and an entry never outlives the token's `exp`.
 * Only successes are cached: a flood of garbage tokens cannot evict good entries for long, and
 * costs what it would cost anyway.
 */
export class VerifiedTokenCache<T> {
  readonly #entries: LRUCache<string, { value: T; expiresAt: number }>;
  readonly #maxAgeMs: number;
  readonly #clock: () => number;
  #hits = 0;
  #misses = 0;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('VerifiedTokenCache: maxEntries must be a positive integer');
    }
    this.#maxAgeMs = options.maxAgeMs ?? 300_000;
    if (!(this.#maxAgeMs >= 0)) throw new TypeError('VerifiedTokenCache: maxAgeMs must be >= 0');
    this.#clock = options.clock ?? Date.now;
    this.#entries = new LRUCache({ max: maxEntries });
  }

  /** The cached value for `token`, when it was verified and is still within its lifetime. */
  get(token: string): T | undefined {
    const key = tokenDigest(token);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.#clock()) {
      if (entry !== undefined) this.#entries.delete(key);
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return entry.value;
  }

  /**
   * Remembers a verified token until `expiresAtMs` (its `exp`), or `maxAgeMs` from now if sooner.
   */
  set(token: string, value: T, expiresAtMs: number): void {
    const now = this.#clock();
    const expiresAt = Math.min(expiresAtMs, now + this.#maxAgeMs);
    if (!(expiresAt > now)) return;
    this.#entries.set(tokenDigest(token), { value, expiresAt });
  }

  /** Lookups answered from the cache and lookups that were not, since creation. */
  get stats(): { readonly hits: number; readonly misses: number; readonly size: number } {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}

/** Base64url SHA-256 of a token: how caches and replay stores name it without keeping it. */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}
