import { hash, timingSafeEqual } from 'node:crypto';

/**
 * The binding hash of a request, as Approov computes it: the standard (padded) base64 of the
 * SHA-256 of the bound headers' values concatenated in order. `undefined` when a bound header is
 * missing or sent twice.
 */
export function bindingHashOf(values: readonly (string | undefined)[]): string | undefined {
  if (values.some((value) => value === undefined)) return undefined;
  return hash('sha256', values.join(''), 'base64');
}

/**
 * Compares a token's binding claim with the request's binding hash in constant time, exactly: a
 * claim with other padding or the URL-safe alphabet does not match.
 */
export function bindingMatches(claimed: string | undefined, expected: string | undefined): boolean {
  if (claimed === undefined || expected === undefined) return false;
  const a = Buffer.from(claimed, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
