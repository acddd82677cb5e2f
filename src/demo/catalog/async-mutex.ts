/**
 * A first-come, first-served lock for asynchronous work in one process: {@link AsyncMutex.lock}
 * resolves once every earlier holder has released. The SQLite catalog uses it so that two
 * requests' transactions never interleave on its one shared connection.
 *
 * @example
 * ```ts
 * const release = await mutex.lock();
 * try {
 *   await work();
 * } finally {
 *   release();
 * }
 * ```
 */
export class AsyncMutex {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  /** Whether someone holds the lock now. */
  get held(): boolean {
    return this.#held;
  }

  /** Waits for the lock; the returned function releases it (calling it again does nothing). */
  async lock(): Promise<() => void> {
    if (this.#held) {
      // #release hands the lock over without freeing it, so nobody can slip in between.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#held = false;
    else next();
  }
}
