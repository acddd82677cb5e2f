/** A value a store may return directly or through a promise. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * An issued API key as a store keeps it: never the key itself, only its SHA-256 hash.
 * Times are milliseconds since the epoch.
 */
export interface ApiKeyRecord {
  /** The key's public identifier, also embedded in the key (16 hex characters). */
  readonly id: string;
  /** The app the key was issued to. */
  readonly app: string;
  /** Scopes granted to the key. */
  readonly scopes: readonly string[];
  /** Lower-case hex SHA-256 of the whole key. */
  readonly hash: string;
  readonly createdAt: number;
  /** Last accepted use, recorded at most once per `lastUsedResolutionMs`. */
  readonly lastUsedAt: number | null;
  /** After this instant the key is refused. */
  readonly expiresAt: number | null;
  /** From this instant the key is refused. */
  readonly revokedAt: number | null;
}
