import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { BinaryLike, ScryptOptions } from 'node:crypto';

/** The cost parameters of scrypt. */
export interface ScryptCost {
  /** CPU and memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelization. */
  readonly p: number;
}

/**
 * OWASP's scrypt floor is N=2^17, r=8, p=1 or an equivalent trade; N=2^14, r=8, p=5 costs the
 * same CPU with 16 MiB of memory per hash instead of 128 MiB.
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 16_384, r: 8, p: 5 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Stored parameters are trusted only within these bounds, so a tampered row cannot make a
// verification allocate gigabytes.
const MAX_N = 1_048_576;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 256 * 1024 * 1024;

/**
 * A salted scrypt hash of `password`, stored as `scrypt$N$r$p$salt$hash` (salt and hash in
 * base64url), with a fresh random 16-byte salt on every call. The cost travels with the hash, so
 * raising it later leaves existing hashes verifiable.
 *
 * @example
 * ```ts
 * await hashPassword('correct horse battery'); // 'scrypt$16384$8$5$…$…'
 * ```
 */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const { N, r, p } = cost;
  const salt = randomBytes(SALT_BYTES);
  const hash = await deriveKey(password, salt, KEY_BYTES, { N, r, p, maxmem: MAX_MEMORY });
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * Whether `password` matches a hash from {@link hashPassword}, compared in constant time. A
 * malformed or out-of-bounds stored hash never matches.
 *
 * @example
 * ```ts
 * await verifyPassword('correct horse battery', stored); // true
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const n = boundedInteger(parts[1], 2, MAX_N);
  const r = boundedInteger(parts[2], 1, MAX_R);
  const p = boundedInteger(parts[3], 1, MAX_P);
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (n === undefined || (n & (n - 1)) !== 0 || r === undefined || p === undefined) return false;
  if (salt.length < SALT_BYTES || expected.length < KEY_BYTES) return false;
  const actual = await deriveKey(password, salt, expected.length, {
    N: n,
    r,
    p,
    maxmem: MAX_MEMORY,
  });
  return timingSafeEqual(actual, expected);
}

function boundedInteger(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

function deriveKey(password: BinaryLike, salt: BinaryLike, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
