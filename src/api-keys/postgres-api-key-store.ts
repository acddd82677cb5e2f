import type { ApiKeyRecord } from './api-key-record.js';
import type { ApiKeyStore } from './api-key-store.js';
import { hasMethod, isObject } from '../shape-checks.js';

/** The part of a node-postgres `Pool` (or `Client`) this store uses. */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

interface ApiKeyRow {
  id: string;
  app: string;
  scopes: string[];
  hash: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/**
 * The advisory lock key that serialises creating the table across processes:
 * `0x7261_6d70_6b65_7901`, "rampkey\x01" in ASCII. Concurrent `CREATE TABLE IF NOT EXISTS` can
 * otherwise fail on PostgreSQL's catalog (duplicate `pg_type` row) when instances start together.
 */
export const API_KEY_SCHEMA_LOCK = 8_241_989_122_670_295_297n;

// One simple query holding several statements runs as one transaction, so the transaction-level
// advisory lock is held until the table exists.
const schema = `
SELECT pg_advisory_xact_lock(${API_KEY_SCHEMA_LOCK});
CREATE TABLE IF NOT EXISTS rampart_api_keys (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  scopes TEXT[] NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  expires_at BIGINT,
  revoked_at BIGINT
)`;

/**
 * API keys in PostgreSQL, shared by every instance: each verification reads the row (one indexed
 * query per request, not per field), so a key revoked through any instance, or the `rampart`
 * command, is refused by every instance on its next request. Create it with
 * {@link PostgresApiKeyStore.open}, which creates its table idempotently.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, query_timeout: 2000 });
 * // pg emits 'error' when the server drops an idle connection: listen, or the process exits.
 * pool.on('error', (error) => logger.warn({ code: (error as { code?: string }).code }, 'postgres connection lost'));
 * const store = await PostgresApiKeyStore.open(pool);
 * ```
 */
export class PostgresApiKeyStore implements ApiKeyStore {
  readonly #database: PostgresQueryable;

  private constructor(database: PostgresQueryable) {
    this.#database = database;
  }

  /** The store on `database`, its table created if missing. */
  static async open(database: PostgresQueryable): Promise<PostgresApiKeyStore> {
    if (!isObject(database) || !hasMethod(database, 'query')) {
      throw new TypeError('PostgresApiKeyStore: database must be a pg Pool or Client (npm install pg; new pg.Pool({ connectionString }))');
    }
    await database.query(schema);
    return new PostgresApiKeyStore(database);
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.#database.query('SELECT * FROM rampart_api_keys WHERE id = $1', [id]);
    const row = rows[0] as ApiKeyRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    await this.#database.query(
      `INSERT INTO rampart_api_keys (id, app, scopes, hash, created_at, last_used_at, expires_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [record.id, record.app, [...record.scopes], record.hash, record.createdAt, record.lastUsedAt, record.expiresAt, record.revokedAt],
    );
  }

  async list(): Promise<readonly ApiKeyRecord[]> {
    const { rows } = await this.#database.query('SELECT * FROM rampart_api_keys ORDER BY created_at DESC, id');
    return (rows as ApiKeyRow[]).map(fromRow);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    // Keeps the first revocation time; true when the key exists at all.
    const { rowCount } = await this.#database.query('UPDATE rampart_api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [
      at,
      id,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async recordUse(id: string, at: number): Promise<void> {
    await this.#database.query('UPDATE rampart_api_keys SET last_used_at = $1 WHERE id = $2', [at, id]);
  }
}

function fromRow(row: ApiKeyRow): ApiKeyRecord {
  const time = (value: string | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    app: row.app,
    scopes: row.scopes,
    hash: row.hash,
    createdAt: Number(row.created_at),
    lastUsedAt: time(row.last_used_at),
    expiresAt: time(row.expires_at),
    revokedAt: time(row.revoked_at),
  };
}
