/**
 * Remembers single-use values (a DPoP proof's `jti`, a captcha token's hash, a consumed
 * attestation) until they expire, atomically, so that each passes once. Shared by every instance
 * when backed by Redis.
 *
 * A cache that cannot answer must throw or reject; the check then fails closed with
 * `PROTECTION_UNAVAILABLE`.
 */
export interface ReplayCache {
  /**
   * Records `key` until `expiresAt` (ms since the epoch). Answers `true` the first time, `false`
   * when `key` was already recorded and has not expired (a replay).
   */
  firstUse(key: string, expiresAt: number): boolean | Promise<boolean>;
}

/** The cache is full of entries that have not expired yet; it refuses rather than forgets. */
export class ReplayCacheFullError extends Error {
  constructor() {
    super('replay cache full');
    this.name = 'ReplayCacheFullError';
  }
}
