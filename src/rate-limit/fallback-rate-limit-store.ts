import type { RateLimitDecision, RateLimitStore } from './rate-limit-store.js';

/**
 * Opt-in degraded mode: decides with `primary` (Redis) and, while it fails, with `fallback` (a
 * `MemoryRateLimitStore`), so that an outage limits each instance on its own instead of refusing
 * every limited field. Limits are then per instance (N instances admit up to N × max): use it only
 * where availability matters more than exactness. Without it, a store outage fails closed.
 */
export class FallbackRateLimitStore implements RateLimitStore {
  readonly #primary: RateLimitStore;
  readonly #fallback: RateLimitStore;
  readonly #onFallback: ((error: unknown) => void) | undefined;

  constructor(primary: RateLimitStore, fallback: RateLimitStore, onFallback?: (error: unknown) => void) {
    this.#primary = primary;
    this.#fallback = fallback;
    this.#onFallback = onFallback;
  }

  async consume(key: string, cost: number, max: number, windowMs: number, now: number): Promise<RateLimitDecision> {
    try {
      return await this.#primary.consume(key, cost, max, windowMs, now);
    } catch (error) {
      this.#onFallback?.(error);
      return this.#fallback.consume(key, cost, max, windowMs, now);
    }
  }
}
