import type { ApiKeyRecord } from './api-key-record.js';
import type { ApiKeyStore } from './api-key-store.js';
import { hasMethod, isObject } from '../shape-checks.js';

/** The part of a better-sqlite3 `Database` this store uses (better-sqlite3 stays optional). */
export interface SqliteDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
}

/** The part of a better-sqlite3 `Statement` this store uses. */
export interface SqliteStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint };
}

interface ApiKeyRow {
  id: string;
  app: string;
  scopes: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

const schema = `
CREATE TABLE IF NOT EXISTS rampart_api_keys (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  scopes TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at INTEGER,
  revoked_at INTEGER
) STRICT;
`;

/**
 * API keys in SQLite (better-sqlite3), e.g. a file in `DATA_DIR`. Every verification reads the
 * row, so a key revoked by any process sharing the file (such as `npx rampart keys revoke`) is
 * refused on the very next request. Creates its table on construction, idempotently.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const store = new SqliteApiKeyStore(new Database('data/keys.db'));
 * ```
 */
export class SqliteApiKeyStore implements ApiKeyStore {
  readonly #find: SqliteStatement;
  readonly #insert: SqliteStatement;
  readonly #list: SqliteStatement;
  readonly #revoke: SqliteStatement;
  readonly #use: SqliteStatement;

  constructor(database: SqliteDatabase) {
    if (!isObject(database) || !hasMethod(database, 'exec') || !hasMethod(database, 'prepare')) {
      throw new TypeError(
        "SqliteApiKeyStore: database must be a better-sqlite3 Database (npm install better-sqlite3; new Database('keys.db'))",
      );
    }
    database.exec(schema);
    this.#find = database.prepare('SELECT * FROM rampart_api_keys WHERE id = ?');
    this.#insert = database.prepare(
      `INSERT INTO rampart_api_keys (id, app, scopes, hash, created_at, last_used_at, expires_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#list = database.prepare('SELECT * FROM rampart_api_keys ORDER BY created_at DESC, id');
    // Keeps the first revocation time; a row changes whenever the key exists.
    this.#revoke = database.prepare('UPDATE rampart_api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?');
    this.#use = database.prepare('UPDATE rampart_api_keys SET last_used_at = ? WHERE id = ?');
  }

  findById(id: string): ApiKeyRecord | undefined {
    const row = this.#find.get(id) as ApiKeyRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  insert(record: ApiKeyRecord): void {
    this.#insert.run(
      record.id,
      record.app,
      JSON.stringify(record.scopes),
      record.hash,
      record.createdAt,
      record.lastUsedAt,
      record.expiresAt,
      record.revokedAt,
    );
  }

  list(): readonly ApiKeyRecord[] {
    return (this.#list.all() as ApiKeyRow[]).map(fromRow);
  }

  revoke(id: string, at: number): boolean {
    return Number(this.#revoke.run(at, id).changes) > 0;
  }

  recordUse(id: string, at: number): void {
    this.#use.run(at, id);
  }
}

function fromRow(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    app: row.app,
    scopes: parseScopes(row.scopes),
    hash: row.hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

function parseScopes(text: string): readonly string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((scope) => typeof scope === 'string')) {
    throw new Error('rampart_api_keys: corrupt scopes column');
  }
  return parsed;
}
