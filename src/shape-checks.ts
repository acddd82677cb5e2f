// Checks of the values a caller hands a factory or a store (options, a store, a database, a Redis
// client) where the type checker cannot vouch for them: a plain-JavaScript caller, or a cast, can
// pass `null`, a string, or an object without the method its interface promises. Each check takes
// `unknown`, so that it stays meaningful to the type checker instead of reading as dead code, and
// the factory throws a `TypeError` naming what is wrong before the first request.

/**
 * Whether `value` is an object, not `null` (an options object, a store, a client).
 *
 * @example
 * if (!isObject(options)) throw new TypeError('costDirective: options must be an object');
 */
export function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * Whether `value` is an object or a function (not `null`, not a primitive) whose member `name` is
 * a function: a store's method, a client's command, a probe's question.
 *
 * @example
 * if (!hasMethod(options.store, 'consume')) throw new TypeError('rateLimitDirective: store must implement RateLimitStore');
 */
export function hasMethod(value: unknown, name: string): boolean {
  if (!isObject(value) && typeof value !== 'function') return false;
  return typeof (value as Readonly<Record<string, unknown>>)[name] === 'function';
}

/**
 * Whether `value` is an array. Unlike `Array.isArray`, which narrows to `any[]`, it keeps the
 * element type the caller declared, so the elements are still checked one by one.
 *
 * @example
 * if (!isList(options.verifiers) || options.verifiers.length === 0) throw new TypeError('…: verifiers must list at least one');
 */
export function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}
