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
  /**
   * Whether `key` is recorded and has not expired (spent), without recording it. Read by checks
   * that must not treat a spent value as fresh but do not spend it themselves (the cost budget
   * asking whether a request is attested). A cache without it answers "spent" to them: the
   * request counts as not attested.
   */
  seen?(key: string): boolean | Promise<boolean>;
}

/** The cache is full of entries that have not expired yet; it refuses rather than forgets. */
export class ReplayCacheFullError extends Error {
  constructor() {
    super('replay cache full');
    this.name = 'ReplayCacheFullError';
  }
}
