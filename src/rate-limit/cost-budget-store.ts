/** One budget bucket to charge: a budget for one identity. */
export interface CostCharge {
  /** The bucket's key (the budget's name and the identity); the store adds its prefix. */
  readonly key: string;
  /** Points to take, a whole number, 0 or more. */
  readonly cost: number;
  /** The most points the bucket holds: what a caller may spend at once after resting. */
  readonly capacity: number;
  /** Points restored per second, continuously. */
  readonly restorePerSecond: number;
}

/** A bucket after a decision. */
export interface CostBucketState {
  /** Whether this bucket could take the charge. */
  readonly allowed: boolean;
  /** Whole points left after the decision (when the charge was refused: points available now). */
  readonly remaining: number;
  /**
   * When refused: milliseconds until the charge would fit (for a charge larger than the capacity,
   * until the bucket is full). 0 when allowed.
   */
  readonly retryAfterMs: number;
}

/** The decision on a request's charges: all taken, or none. */
export interface CostBudgetDecision {
  /** Every bucket took its charge; otherwise none kept it. */
  readonly allowed: boolean;
  /** Each bucket's state, in the order of the charges. */
  readonly buckets: readonly CostBucketState[];
}

/** Points given back to a bucket after execution (negative: taken, without refusing anything). */
export interface CostRefund {
  readonly key: string;
  /** Points given back: what was charged minus what the operation actually cost. */
  readonly points: number;
  readonly capacity: number;
  readonly restorePerSecond: number;
}

/**
 * Where cost budgets live: refilling buckets (GCRA, the continuous form of a leaky bucket) of
 * `capacity` points restored at `restorePerSecond`. A request's charges are decided together:
 * every bucket takes its charge or none keeps it, so a request is never admitted by one budget
 * and refused by another with points lost, and concurrent requests (on several instances sharing
 * the store) are never admitted beyond what the buckets hold. A store that cannot answer throws
 * or rejects, and the request fails closed with `PROTECTION_UNAVAILABLE`.
 */
export interface CostBudgetStore {
  /** Takes each charge from its bucket at `now` (milliseconds) if every bucket can take its own. */
  charge(charges: readonly CostCharge[], now: number): CostBudgetDecision | Promise<CostBudgetDecision>;
  /**
   * Gives points back (or takes more, for a negative refund: an operation that cost more than
   * estimated), never filling a bucket beyond its capacity. Resolves with each bucket's remaining
   * whole points.
   */
  refund(refunds: readonly CostRefund[], now: number): readonly number[] | Promise<readonly number[]>;
}

/**
 * The arithmetic of one bucket, in microseconds: the bucket is its theoretical arrival time
 * (`tat`), the moment it will be full again; each point is `interval` µs of it, and it holds
 * `capacity × interval` µs.
 */
export interface BucketArithmetic {
  /** µs per point. */
  readonly interval: number;
  /** µs the bucket holds. */
  readonly tolerance: number;
}

/** The arithmetic of a bucket restored at `restorePerSecond` holding `capacity` points. */
export function bucketArithmetic(capacity: number, restorePerSecond: number): BucketArithmetic {
  const interval = 1e6 / restorePerSecond;
  return { interval, tolerance: capacity * interval };
}

/** Whole points left in a bucket full again at `tat`, at `now` (both µs). */
export function pointsLeft(tat: number, now: number, { interval, tolerance }: BucketArithmetic): number {
  return Math.max(0, Math.floor((tolerance - Math.max(0, tat - now)) / interval + 1e-6));
}

/** Throws `TypeError` unless the charge or refund is usable. */
export function assertBucket(
  bucket: { readonly key: unknown; readonly capacity: unknown; readonly restorePerSecond: unknown },
  points: unknown,
  store: string,
): void {
  if (typeof bucket.key !== 'string' || bucket.key.length === 0) throw new TypeError(`${store}: a bucket key must be a non-empty string`);
  if (typeof bucket.capacity !== 'number' || !Number.isInteger(bucket.capacity) || bucket.capacity < 1) {
    throw new TypeError(`${store}: capacity must be a positive integer`);
  }
  if (typeof bucket.restorePerSecond !== 'number' || !(bucket.restorePerSecond > 0) || !Number.isFinite(bucket.restorePerSecond)) {
    throw new TypeError(`${store}: restorePerSecond must be a positive number`);
  }
  if (typeof points !== 'number' || !Number.isInteger(points)) throw new TypeError(`${store}: points must be whole numbers`);
}
