import pg from 'pg';
import type { CustomTypesConfig, PoolClient, QueryResult } from 'pg';

import type { CatalogDatabase, CatalogExecutor, OpenCatalogDatabaseOptions, RunResult, SqlValue } from './database.js';
import { DEFAULT_SCRYPT_COST } from './password.js';
import type { ScryptCost } from './password.js';
import { refuseInsideOwnTransaction, TransactionScope } from './transaction-scope.js';

const DEFAULT_MAX_CONNECTIONS = 10;
const CONNECTION_TIMEOUT_MS = 5000;
// A server that stops answering fails the statement (and drops its connection) instead of hanging.
const QUERY_TIMEOUT_MS = 5000;
const MAX_CACHED_TEXTS = 1000;

/** A PostgreSQL type's oid, as pg types it (the TypeId enum of pg-types). */
type TypeOid = Parameters<CustomTypesConfig['getTypeParser']>[0];

// COUNT(*) is a bigint and SUM(bigint) a numeric; node-postgres hands both over as strings.
// The catalog's counts and cents are far below 2^53, so they come back as numbers, as on SQLite;
// a value beyond that is refused rather than rounded. Set per pool: pg's global parsers stay.
const NUMBER_TYPES: CustomTypesConfig = {
  getTypeParser: (oid: TypeOid, format?: 'text' | 'binary'): ((value: string) => unknown) => {
    if (oid === pg.types.builtins.INT8 && format !== 'binary') return parseSafeInteger;
    if (oid === pg.types.builtins.NUMERIC && format !== 'binary') return Number;
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

/**
 * The catalog on PostgreSQL, through a node-postgres `Pool` (10 connections by default) that
 * several processes may share the database with. A statement on the database runs on whichever
 * pooled connection is free; a transaction checks one connection out for its whole length
 * (BEGIN … COMMIT or ROLLBACK) and runs every statement of its work there. Transactions run at
 * READ COMMITTED: the catalog's writes that must not race are conditional UPDATEs, which
 * PostgreSQL re-checks against the row as last committed once the row lock is theirs.
 *
 * Statements are written with `?` placeholders ({@link toPostgresPlaceholders} numbers them).
 * Open it with `openCatalogDatabase`, which also migrates and seeds.
 *
 * @example
 * ```ts
 * const db = new PostgresCatalogDatabase('postgres://app@db:5432/shop'); // tables not created yet
 * ```
 */
export class PostgresCatalogDatabase implements CatalogDatabase {
  readonly dialect = 'postgres' as const;
  readonly passwordCost: ScryptCost;
  readonly #pool: pg.Pool;
  readonly #texts = new Map<string, string>();
  #count = 0;
  #closed: Promise<void> | undefined;

  /** A pool on the database `url` names; it connects on the first statement. */
  constructor(url: string, options: Omit<OpenCatalogDatabaseOptions, 'seed'> = {}) {
    const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError('PostgresCatalogDatabase: maxConnections must be an integer ≥ 1');
    }
    this.passwordCost = options.passwordCost ?? DEFAULT_SCRYPT_COST;
    this.#pool = new pg.Pool({
      connectionString: url,
      max,
      connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      types: NUMBER_TYPES,
    });
    // An idle connection the server dropped (restart, failover): the pool discards it and opens
    // another on the next checkout, and statements in flight reject on their own. Without a
    // listener the 'error' event would end the process.
    this.#pool.on('error', () => undefined);
  }

  get statementCount(): number {
    return this.#count;
  }

  resetStatementCount(): void {
    this.#count = 0;
  }

  async all<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]> {
    refuseInsideOwnTransaction(this);
    return (await this.#query(this.#pool, sql, params)).rows as Row[];
  }

  async get<Row>(sql: string, ...params: SqlValue[]): Promise<Row | undefined> {
    refuseInsideOwnTransaction(this);
    return (await this.#query(this.#pool, sql, params)).rows[0] as Row | undefined;
  }

  async run(sql: string, ...params: SqlValue[]): Promise<RunResult> {
    refuseInsideOwnTransaction(this);
    return { changes: (await this.#query(this.#pool, sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(work: (tx: CatalogExecutor) => Promise<T>): Promise<T> {
    refuseInsideOwnTransaction(this);
    const client = await this.#pool.connect();
    const scope = new TransactionScope(this);
    let broken: Error | undefined;
    try {
      await this.#query(client, 'BEGIN', []);
      try {
        const result = await scope.run(() => work(this.#executor(client, scope)));
        await this.#query(client, 'COMMIT', []);
        return result;
      } catch (error) {
        try {
          await this.#query(client, 'ROLLBACK', []);
        } catch (rollbackError) {
          // The connection is unusable: the pool must not hand it out again.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      }
    } finally {
      scope.end();
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    this.#closed ??= this.#pool.end();
    return this.#closed;
  }

  #executor(client: PoolClient, scope: TransactionScope): CatalogExecutor {
    const tx: CatalogExecutor = {
      dialect: this.dialect,
      all: async <Row>(sql: string, ...params: SqlValue[]) => {
        scope.assertOpen();
        return (await this.#query(client, sql, params)).rows as Row[];
      },
      get: async <Row>(sql: string, ...params: SqlValue[]) => {
        scope.assertOpen();
        return (await this.#query(client, sql, params)).rows[0] as Row | undefined;
      },
      run: async (sql: string, ...params: SqlValue[]) => {
        scope.assertOpen();
        return { changes: (await this.#query(client, sql, params)).rowCount ?? 0 };
      },
      transaction: async (work) => {
        scope.assertOpen();
        return work(tx);
      },
    };
    return tx;
  }

  #query(target: pg.Pool | PoolClient, sql: string, params: SqlValue[]): Promise<QueryResult<Record<string, unknown>>> {
    let text = this.#texts.get(sql);
    if (text === undefined) {
      text = toPostgresPlaceholders(sql);
      if (this.#texts.size >= MAX_CACHED_TEXTS) this.#texts.clear();
      this.#texts.set(sql, text);
    }
    this.#count += 1;
    return target.query(text, params);
  }
}

/**
 * Rewrites the `?` placeholders of `sql` as PostgreSQL's `$1`, `$2`, … in order, leaving alone
 * any `?` inside a string literal (`'…'`, with `''` as an escaped quote), a quoted identifier
 * (`"…"`) or a comment (`-- …`, `/* … *\/`). Escape-string (`E'…'`) and dollar-quoted literals
 * are not supported: the catalog writes neither.
 *
 * @example
 * ```ts
 * toPostgresPlaceholders("SELECT * FROM t WHERE a = ? AND b LIKE ? ESCAPE '\\'");
 * // "SELECT * FROM t WHERE a = $1 AND b LIKE $2 ESCAPE '\\'"
 * ```
 */
export function toPostgresPlaceholders(sql: string): string {
  let text = '';
  let count = 0;
  let index = 0;
  while (index < sql.length) {
    const character = sql.charAt(index);
    let end = index + 1;
    if (character === "'" || character === '"') {
      end = sql.indexOf(character, index + 1) + 1;
      // A doubled quote is an escaped one: the literal goes on.
      while (end > 0 && sql.charAt(end) === character) end = sql.indexOf(character, end + 1) + 1;
      if (end === 0) end = sql.length;
    } else if (character === '-' && sql.charAt(index + 1) === '-') {
      end = sql.indexOf('\n', index);
      if (end === -1) end = sql.length;
    } else if (character === '/' && sql.charAt(index + 1) === '*') {
      end = sql.indexOf('*/', index + 2) + 2;
      if (end === 1) end = sql.length;
    } else if (character === '?') {
      count += 1;
      text += `$${count}`;
      index = end;
      continue;
    }
    text += sql.slice(index, end);
    index = end;
  }
  return text;
}

function parseSafeInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new RangeError(`PostgresCatalogDatabase: ${value} is beyond the integers JavaScript holds exactly`);
  }
  return number;
}
