/** A value computed at most once per request: settled values are returned synchronously. */
type MemoEntry = { settled: true; value: unknown } | { settled: false; promise: Promise<unknown> };

/**
 * The per-request memo behind "one verification per credential per request". The first caller
 * computes; later callers get the same answer, synchronously once it has settled, so a protected
 * field on the thousandth list item costs a map lookup.
 *
 * Keys are objects (each protection instance owns its key), so two instances never collide.
 */
export class RequestMemo {
  readonly #entries = new Map<object, MemoEntry>();

  /**
   * The memoised value for `key`, computing it with `compute(argument)` on first use (passing the
   * argument spares the hot path a closure per call). A rejected computation
   * is memoised as a rejection too: a failing dependency is asked once per request, not once per
   * field.
   */
  get<A, T>(key: object, compute: (argument: A) => T | Promise<T>, argument: A): T | Promise<T> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      return (entry.settled ? entry.value : entry.promise) as T | Promise<T>;
    }
    let result: T | Promise<T>;
    try {
      result = compute(argument);
    } catch (error) {
      const rejected = Promise.reject(error);
      rejected.catch(() => undefined);
      this.#entries.set(key, { settled: false, promise: rejected });
      return rejected;
    }
    if (!isPromiseLike(result)) {
      this.#entries.set(key, { settled: true, value: result });
      return result;
    }
    // Always a native promise, so that callers can tell it from a value with instanceof.
    const promise = Promise.resolve(result).then((value) => {
      this.#entries.set(key, { settled: true, value });
      return value;
    });
    promise.catch(() => undefined);
    this.#entries.set(key, { settled: false, promise });
    return promise;
  }

  /**
   * `onValue` applied to the memoised value for `key` (computed on first use): synchronously once
   * the value has settled, which is the hot path of every protected field; through a promise while
   * it is pending.
   */
  apply<A, T, R>(key: object, compute: (argument: A) => T | Promise<T>, argument: A, onValue: (value: T) => R): R | Promise<Awaited<R>> {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.settled) return onValue(entry.value as T);
    const value = this.get(key, compute, argument);
    return value instanceof Promise ? (value.then(onValue) as Promise<Awaited<R>>) : onValue(value);
  }

  /**
   * `true` the first time `key` is claimed in this request, `false` ever after: how a single-use
   * value (a captcha token, a consumed attestation) buys exactly one field call, aliases and list
   * items included.
   */
  claim(key: object): boolean {
    if (this.#entries.has(key)) return false;
    this.#entries.set(key, { settled: true, value: true });
    return true;
  }

  /** The settled value for `key`, or `undefined` when it was never computed or is still pending. */
  peek(key: object): unknown {
    const entry = this.#entries.get(key);
    return entry?.settled ? entry.value : undefined;
  }
}

/** True for promises and other thenables. */
export function isPromiseLike<T = unknown>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
  );
}
