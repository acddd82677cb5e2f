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

/** A remembered value's deadline, ordered in {@link MemoryReplayCache}'s heap. */
interface Deadline {
  readonly expiresAt: number;
  readonly key: string;
}

/**
 * A replay cache in process memory: atomic within the process (JavaScript runs one callback at a
 * time), bounded, and swept by expiry: a min-heap of deadlines hands back every expired value,
 * whatever its lifetime and whenever it arrived, so a full cache is full of live values only. For
 * one instance; use `RedisReplayCache` when several instances must share it.
 */
export class MemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #deadlines: Deadline[] = [];
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
    this.#sweep(now);
    if (this.#entries.has(key)) return false;
    if (this.#entries.size >= this.#maxEntries) throw new ReplayCacheFullError();
    // Never remember a value for less than a second: an already expired deadline would let the
    // value pass again at once.
    const deadline = Math.max(expiresAt, now + 1000);
    this.#entries.set(key, deadline);
    this.#push({ expiresAt: deadline, key });
    return true;
  }

  seen(key: string): boolean {
    this.#sweep(this.#clock());
    return this.#entries.has(key);
  }

  /** Values currently remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** Forgets every value whose deadline has passed, earliest first. */
  #sweep(now: number): void {
    const heap = this.#deadlines;
    while (heap.length > 0 && (heap[0] as Deadline).expiresAt <= now) {
      const { key, expiresAt } = this.#pop();
      // A key remembered again after it expired has a newer deadline of its own in the heap.
      if (this.#entries.get(key) === expiresAt) this.#entries.delete(key);
    }
  }

  #push(deadline: Deadline): void {
    const heap = this.#deadlines;
    let index = heap.push(deadline) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((heap[parent] as Deadline).expiresAt <= deadline.expiresAt) break;
      heap[index] = heap[parent] as Deadline;
      index = parent;
    }
    heap[index] = deadline;
  }

  #pop(): Deadline {
    const heap = this.#deadlines;
    const top = heap[0] as Deadline;
    const last = heap.pop() as Deadline;
    if (heap.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as Deadline).expiresAt < (heap[left] as Deadline).expiresAt ? right : left;
      if ((heap[child] as Deadline).expiresAt >= last.expiresAt) break;
      heap[index] = heap[child] as Deadline;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}
