import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Every key starts with this prefix, so that secret scanners (GitHub push protection, gitleaks,
 * trufflehog) can recognise a leaked key with {@link apiKeyPattern}.
 */
export const apiKeyPrefix = 'rampart_';

/** The whole shape of a key: prefix, 16 hex characters of id, `_`, 43 base64url characters of secret. */
export const apiKeyPattern = /^rampart_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * A key's recognisable start (prefix and id) anywhere in a text, whatever surrounds it: how a key
 * sent in a URL is found under any parameter name.
 */
export const apiKeyInText = /rampart_[0-9a-f]{16}_/i;

/** Exact length of a well-formed key; anything longer is refused before any work. */
export const apiKeyLength = apiKeyPrefix.length + 16 + 1 + 43;

/** A freshly generated key: the text to hand out once, and what a store may keep. */
export interface GeneratedApiKey {
  /** The key itself. Show it once; never store or log it. */
  readonly key: string;
  /** The public identifier embedded in the key. */
  readonly id: string;
  /** Lower-case hex SHA-256 of the key, the only form a store keeps. */
  readonly hash: string;
}

/**
 * Generates a key with a 64-bit public id and a 256-bit secret from `crypto.randomBytes`.
 * API keys carry far more entropy than passwords, so a fast hash (SHA-256) is the right way to
 * store them: no dictionary to try, and verification stays cheap on every request.
 */
export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = `${apiKeyPrefix}${id}_${secret}`;
  return { key, id, hash: hashApiKey(key) };
}

/** The public id embedded in `text` when it is a well-formed key, otherwise `undefined`. */
export function parseApiKeyId(text: string): string | undefined {
  if (text.length !== apiKeyLength) return undefined;
  return apiKeyPattern.exec(text)?.[1];
}

/** Lower-case hex SHA-256 of a key (`crypto.hash`: one call, no hash object per key). */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

const sha256Hex = /^[0-9a-f]{64}$/;

/**
 * Compares a presented key with a stored hash in constant time: the two hex digests as bytes,
 * through `timingSafeEqual` (a stored hash that is not 64 lower-case hex digits matches nothing).
 */
export function apiKeyMatchesHash(key: string, storedHash: string): boolean {
  if (!sha256Hex.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(hashApiKey(key), 'latin1'), Buffer.from(storedHash, 'latin1'));
}
