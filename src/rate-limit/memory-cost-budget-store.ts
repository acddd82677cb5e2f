import {
  assertBucket,
  bucketArithmetic,
  pointsLeft,
  type CostBudgetDecision,
  type CostBudgetStore,
  type CostCharge,
  type CostRefund,
} from './cost-budget-store.js';
import { RateLimitStoreFullError } from './rate-limit-store.js';

/** Options of {@link MemoryCostBudgetStore}. */
export interface MemoryCostBudgetStoreOptions {
  /**
   * The most buckets (budget × identity) held at once. A full bucket holds nothing worth keeping
   * and is dropped as new ones arrive; when every bucket is still refilling, new identities are
   * refused (fail closed) rather than a refilling bucket forgotten.
   * @default 500000
   */
  readonly maxKeys?: number;
}

const sweepPerInsert = 8;
const maxSweepWhenFull = 10_000;

/**
 * Cost budgets in process memory: exact refilling buckets (GCRA), a request's charges decided
 * together and synchronously (JavaScript runs one decision at a time), bounded, with full buckets
 * swept as new ones arrive. For one instance; several instances share `RedisCostBudgetStore`.
 */
export class MemoryCostBudgetStore implements CostBudgetStore {
  /** Each refilling bucket's theoretical arrival time (µs), least recently used first. */
  readonly #buckets = new Map<string, number>();
  readonly #maxKeys: number;

  constructor(options: MemoryCostBudgetStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? 500_000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError('MemoryCostBudgetStore: maxKeys must be a positive integer');
    this.#maxKeys = maxKeys;
  }

  /** Buckets held (refilling, and full ones not yet swept). */
  get size(): number {
    return this.#buckets.size;
  }

  charge(charges: readonly CostCharge[], now: number): CostBudgetDecision {
    const at = now * 1000;
    const planned = charges.map((charge) => {
      assertBucket(charge, charge.cost, 'MemoryCostBudgetStore');
      if (charge.cost < 0) throw new TypeError('MemoryCostBudgetStore: a charge must be 0 or more');
      const arithmetic = bucketArithmetic(charge.capacity, charge.restorePerSecond);
      const tat = Math.max(this.#buckets.get(charge.key) ?? at, at);
      const after = tat + charge.cost * arithmetic.interval;
      if (after - at <= arithmetic.tolerance + 0.001) {
        return { key: charge.key, after, state: { allowed: true, remaining: pointsLeft(after, at, arithmetic), retryAfterMs: 0 } };
      }
      const wait = charge.cost > charge.capacity ? tat - at : after - at - arithmetic.tolerance;
      return {
        key: charge.key,
        after: tat,
        state: { allowed: false, remaining: pointsLeft(tat, at, arithmetic), retryAfterMs: Math.max(1, Math.ceil(wait / 1000)) },
      };
    });
    const allowed = planned.every((plan) => plan.state.allowed);
    if (allowed) {
      const fresh = planned.filter((plan) => !this.#buckets.has(plan.key)).length;
      if (fresh > 0) {
        this.#sweep(at);
        if (this.#buckets.size + fresh > this.#maxKeys) throw new RateLimitStoreFullError();
      }
      for (const plan of planned) this.#store(plan.key, plan.after, at);
    }
    return { allowed, buckets: planned.map((plan) => plan.state) };
  }

  refund(refunds: readonly CostRefund[], now: number): readonly number[] {
    const at = now * 1000;
    return refunds.map((refund) => {
      assertBucket(refund, refund.points, 'MemoryCostBudgetStore');
      const arithmetic = bucketArithmetic(refund.capacity, refund.restorePerSecond);
      const stored = this.#buckets.get(refund.key);
      if (stored === undefined && refund.points >= 0) return refund.capacity;
      const after = Math.max(stored ?? at, at) - refund.points * arithmetic.interval;
      if (stored === undefined && this.#buckets.size >= this.#maxKeys) {
        this.#sweep(at);
        if (this.#buckets.size >= this.#maxKeys) throw new RateLimitStoreFullError();
      }
      this.#store(refund.key, after, at);
      return pointsLeft(after, at, arithmetic);
    });
  }

  #store(key: string, tat: number, at: number): void {
    this.#buckets.delete(key);
    // A bucket full again by now equals no bucket at all.
    if (tat > at) this.#buckets.set(key, tat);
  }

  /**
   * Drops full buckets, least recently used first: a few per insert while there is room, further
   * (bounded) when full, since a long-refilling bucket may hide full ones behind it.
   */
  #sweep(at: number): void {
    let checked = 0;
    for (const [key, tat] of this.#buckets) {
      const full = this.#buckets.size >= this.#maxKeys;
      if (checked >= (full ? maxSweepWhenFull : sweepPerInsert)) return;
      checked++;
      if (tat <= at) this.#buckets.delete(key);
      else if (!full) return;
    }
  }
}
