/** One decision of a rate limiter. */
export interface RateLimitDecision {
  /** Whether the call fits within the limit (and was counted). */
  readonly allowed: boolean;
  /** Calls still allowed in the current window after this one (0 when refused). */
  readonly remaining: number;
  /** When refused: milliseconds until the call would fit. 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Where rate-limit counters live. `consume` must be atomic: it counts and decides in one step,
 * so concurrent calls (and several instances sharing the store) can never let more than `max`
 * through. A refused call is not counted. A store that cannot answer throws or rejects, and the
 * field fails closed with `PROTECTION_UNAVAILABLE`.
 */
export interface RateLimitStore {
  /**
   * Counts `cost` calls under `key` at `now` if they fit within `max` calls per `windowMs`
   * (a sliding window: calls older than `windowMs` no longer count).
   */
  consume(key: string, cost: number, max: number, windowMs: number, now: number): RateLimitDecision | Promise<RateLimitDecision>;
}

/** The store holds as many live counters as it may; it refuses rather than forgets one. */
export class RateLimitStoreFullError extends Error {
  constructor() {
    super('rate-limit store full');
    this.name = 'RateLimitStoreFullError';
  }
}
