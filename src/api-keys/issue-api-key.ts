import { generateApiKey } from './api-key-format.js';
import type { ApiKeyRecord } from './api-key-record.js';
import type { ApiKeyStore } from './api-key-store.js';

/** What to issue a key for. */
export interface IssueApiKeyOptions {
  /** The app the key identifies: 1 to 100 printable characters. */
  readonly app: string;
  /** Scopes to grant, each 1 to 64 characters of `A-Z a-z 0-9 : . _ -`. */
  readonly scopes?: readonly string[];
  /** When the key stops working (ms since the epoch). Default: never. */
  readonly expiresAt?: number | null;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

/** A newly issued key. `key` exists only here: show it once, then drop it. */
export interface IssuedApiKey {
  readonly key: string;
  readonly record: ApiKeyRecord;
}

const appPattern = /^[\x20-\x7e]{1,100}$/;
const printable = /^[\x20-\x7e]*$/;
const scopePattern = /^[A-Za-z0-9:._-]{1,64}$/;

/**
 * Generates a key for an app and stores its hash. Throws `TypeError` for a bad app name, scope or
 * expiry.
 *
 * @example
 * ```ts
 * const { key, record } = await issueApiKey(store, { app: 'ios', scopes: ['catalog:read'] });
 * ```
 */
export async function issueApiKey(store: ApiKeyStore, options: IssueApiKeyOptions): Promise<IssuedApiKey> {
  const app = typeof options.app === 'string' ? options.app.trim() : '';
  if (!appPattern.test(app) || !printable.test(options.app)) {
    throw new TypeError('issueApiKey: app must be 1 to 100 printable ASCII characters');
  }
  const scopes = [...new Set(options.scopes ?? [])];
  const badScope = scopes.find((scope) => !scopePattern.test(scope));
  if (badScope !== undefined) {
    throw new TypeError('issueApiKey: each scope must be 1 to 64 characters of A-Z a-z 0-9 : . _ -');
  }
  const now = (options.now ?? Date.now)();
  const expiresAt = options.expiresAt ?? null;
  if (expiresAt !== null && !(Number.isFinite(expiresAt) && expiresAt > now)) {
    throw new TypeError('issueApiKey: expiresAt must be a time in the future');
  }
  const generated = generateApiKey();
  const record: ApiKeyRecord = {
    id: generated.id,
    app,
    scopes,
    hash: generated.hash,
    createdAt: now,
    lastUsedAt: null,
    expiresAt,
    revokedAt: null,
  };
  await store.insert(record);
  return { key: generated.key, record };
}
