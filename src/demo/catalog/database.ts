import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';

import { DEFAULT_SCRYPT_COST } from './password.js';
import type { ScryptCost } from './password.js';
import { seedCatalog } from './seed.js';

/** A value SQLite accepts as a positional parameter. */
export type SqlValue = string | number | bigint | Buffer | null;

/** What a write statement reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

/** Options of {@link openCatalogDatabase}. */
export interface OpenCatalogDatabaseOptions {
  /**
   * Fill an empty catalog with the deterministic demo data on open.
   * @default true
   */
  readonly seed?: boolean;
  /**
   * The scrypt cost of new password hashes. Lower it only in tests.
   * @default DEFAULT_SCRYPT_COST (N=16384, r=8, p=5)
   */
  readonly passwordCost?: ScryptCost;
}

// Idempotent: each statement may run against a database that already has it.
const TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS categories (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     slug TEXT NOT NULL UNIQUE
   )`,
  `CREATE TABLE IF NOT EXISTS products (
     id INTEGER PRIMARY KEY,
     category_id INTEGER NOT NULL REFERENCES categories (id),
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     price_cents INTEGER NOT NULL CHECK (price_cents > 0),
     wholesale_cents INTEGER NOT NULL CHECK (wholesale_cents > 0),
     currency TEXT NOT NULL,
     stock INTEGER NOT NULL CHECK (stock >= 0)
   )`,
  'CREATE INDEX IF NOT EXISTS products_by_category ON products (category_id, id)',
  `CREATE TABLE IF NOT EXISTS users (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     password_hash TEXT NOT NULL,
     display_name TEXT NOT NULL,
     balance_cents INTEGER NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
     created_at TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS reviews (
     id INTEGER PRIMARY KEY,
     product_id INTEGER NOT NULL REFERENCES products (id),
     user_id TEXT REFERENCES users (id),
     author TEXT NOT NULL,
     rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
     body TEXT NOT NULL,
     created_at TEXT NOT NULL
   )`,
  'CREATE INDEX IF NOT EXISTS reviews_by_product ON reviews (product_id, created_at, id)',
  `CREATE TABLE IF NOT EXISTS cart_items (
     user_id TEXT NOT NULL REFERENCES users (id),
     product_id INTEGER NOT NULL REFERENCES products (id),
     quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
     added_at TEXT NOT NULL,
     PRIMARY KEY (user_id, product_id)
   )`,
  `CREATE TABLE IF NOT EXISTS orders (
     id INTEGER PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users (id),
     total_cents INTEGER NOT NULL,
     currency TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('PLACED', 'SHIPPED', 'CANCELLED')),
     created_at TEXT NOT NULL
   )`,
  'CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, id)',
  `CREATE TABLE IF NOT EXISTS order_items (
     order_id INTEGER NOT NULL REFERENCES orders (id),
     product_id INTEGER NOT NULL REFERENCES products (id),
     quantity INTEGER NOT NULL CHECK (quantity > 0),
     unit_price_cents INTEGER NOT NULL,
     PRIMARY KEY (order_id, product_id)
   )`,
  `CREATE TABLE IF NOT EXISTS gift_cards (
     code TEXT PRIMARY KEY,
     amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
     currency TEXT NOT NULL,
     redeemed_at TEXT,
     redeemed_by TEXT REFERENCES users (id)
   )`,
];

/**
 * The demo's catalog store: a better-sqlite3 connection whose every statement goes through
 * {@link CatalogDatabase.all}, {@link CatalogDatabase.get} or {@link CatalogDatabase.run}, so that
 * {@link CatalogDatabase.statementCount} is the number of SQL statements executed (tests use it
 * to prove there is no N+1). Prepared statements are cached by their SQL text.
 *
 * @example
 * ```ts
 * const db = openCatalogDatabase(':memory:');
 * db.resetStatementCount();
 * db.get<{ n: number }>('SELECT COUNT(*) AS n FROM products');
 * db.statementCount; // 1
 * ```
 */
export class CatalogDatabase {
  readonly #connection: Database.Database;
  readonly #statements = new Map<string, Statement<SqlValue[]>>();
  #count = 0;

  /** The scrypt cost of new password hashes. */
  readonly passwordCost: ScryptCost;

  /** Takes ownership of an open connection; use {@link openCatalogDatabase}. */
  constructor(connection: Database.Database, passwordCost: ScryptCost = DEFAULT_SCRYPT_COST) {
    this.#connection = connection;
    this.passwordCost = passwordCost;
  }

  /** SQL statements executed since opening or since {@link CatalogDatabase.resetStatementCount}. */
  get statementCount(): number {
    return this.#count;
  }

  /** Starts counting statements from zero. */
  resetStatementCount(): void {
    this.#count = 0;
  }

  /** Every row a query returns. `Row` is the caller's claim about the selected columns. */
  all<Row>(sql: string, ...params: SqlValue[]): Row[] {
    return this.#statement(sql).all(...params) as Row[];
  }

  /** The first row a query returns, or undefined. */
  get<Row>(sql: string, ...params: SqlValue[]): Row | undefined {
    return this.#statement(sql).get(...params) as Row | undefined;
  }

  /** Executes a statement that returns no rows. */
  run(sql: string, ...params: SqlValue[]): RunResult {
    const { changes } = this.#statement(sql).run(...params);
    return { changes };
  }

  /**
   * Runs `work` in one write transaction (BEGIN IMMEDIATE), committing when it returns and
   * rolling back when it throws. Inside a transaction already, `work` joins it. `work` must be
   * synchronous: a transaction cannot span an `await`.
   */
  transaction<T>(work: () => T): T {
    if (this.#connection.inTransaction) return work();
    this.run('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = work();
      if (result instanceof Promise) {
        throw new TypeError('CatalogDatabase.transaction: work must be synchronous');
      }
    } catch (error) {
      if (this.#connection.inTransaction) this.run('ROLLBACK');
      throw error;
    }
    this.run('COMMIT');
    return result;
  }

  /** Closes the connection. */
  close(): void {
    this.#statements.clear();
    this.#connection.close();
  }

  #statement(sql: string): Statement<SqlValue[]> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#connection.prepare<SqlValue[]>(sql);
      this.#statements.set(sql, statement);
    }
    this.#count += 1;
    return statement;
  }
}

/**
 * Opens (creating if needed) the catalog at `filename`, or a private one for `':memory:'`.
 * Creates missing tables and indexes, turns foreign keys on, uses WAL for files, and seeds the
 * demo data when the catalog has no category yet (checked and filled in one transaction, so two
 * processes opening one new file seed it once).
 *
 * @example
 * ```ts
 * const db = openCatalogDatabase(join(dataDir, 'catalog.db')); // or ':memory:'
 * ```
 */
export function openCatalogDatabase(
  filename: string,
  options: OpenCatalogDatabaseOptions = {},
): CatalogDatabase {
  const db = new CatalogDatabase(new Database(filename), options.passwordCost);
  try {
    if (filename !== ':memory:' && filename !== '') {
      db.get('PRAGMA busy_timeout = 5000');
      db.get('PRAGMA journal_mode = WAL');
      db.run('PRAGMA synchronous = NORMAL');
    }
    db.run('PRAGMA foreign_keys = ON');
    for (const sql of TABLES) db.run(sql);
    if (options.seed ?? true) {
      db.transaction(() => {
        const existing = db.get<{ n: number }>('SELECT COUNT(*) AS n FROM categories');
        if (existing?.n === 0) seedCatalog(db);
      });
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
