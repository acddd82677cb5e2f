import type { ApiKeyRecord, MaybePromise } from './api-key-record.js';

/**
 * Where issued API keys live. Methods may answer synchronously (SQLite, memory), which keeps
 * verification free of promises, or asynchronously (a network database). A method that throws or
 * rejects makes the protected field fail closed with `PROTECTION_UNAVAILABLE`.
 */
export interface ApiKeyStore {
  /** The record with this public id, or `undefined`. */
  findById(id: string): MaybePromise<ApiKeyRecord | undefined>;
  /** Stores a new record. Throws when the id exists. */
  insert(record: ApiKeyRecord): MaybePromise<void>;
  /** Every record, newest first. */
  list(): MaybePromise<readonly ApiKeyRecord[]>;
  /** Marks the key revoked from `at`; `false` when no such key exists. Revoking twice keeps the first time. */
  revoke(id: string, at: number): MaybePromise<boolean>;
  /** Records an accepted use at `at`. */
  recordUse(id: string, at: number): MaybePromise<void>;
}
