import type { ScryptCost } from './password.js';

/** A value both back ends accept as a positional parameter. */
export type SqlValue = string | number | bigint | Buffer | null;

/** The SQL dialect behind a {@link CatalogExecutor}, for the few statements that differ. */
export type CatalogDialect = 'sqlite' | 'postgres';

/** What a write statement reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

/**
 * Where catalog statements run: the database itself (each statement on whichever connection is
 * free) or one transaction (every statement on the transaction's connection). The SQL is written
 * once, with `?` placeholders, in the subset that SQLite and PostgreSQL share; the PostgreSQL
 * back end numbers the placeholders (`$1`, `$2`, …). Alias camelCase columns in double quotes
 * (`AS "userId"`): PostgreSQL folds unquoted names to lower case.
 *
 * @example
 * ```ts
 * const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM products WHERE stock > ?', 0);
 * ```
 */
export interface CatalogExecutor {
  /** Which SQL dialect the statements run in. */
  readonly dialect: CatalogDialect;
  /** Every row a query returns. `Row` is the caller's claim about the selected columns. */
  all<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]>;
  /** The first row a query returns, or undefined. */
  get<Row>(sql: string, ...params: SqlValue[]): Promise<Row | undefined>;
  /** Executes a statement for its effect (on SQLite: one that returns no rows). */
  run(sql: string, ...params: SqlValue[]): Promise<RunResult>;
  /**
   * Runs `work` in one transaction and resolves to what it returns: BEGIN (IMMEDIATE on SQLite),
   * then COMMIT once `work` resolves, or ROLLBACK and rethrow when it rejects. Every statement of
   * the transaction goes through `tx`; a statement sent to the database itself from inside `work`
   * is refused with a `TypeError`. On a transaction, `transaction` joins it: `work` runs on the
   * same transaction, and the outer COMMIT or ROLLBACK decides for both.
   */
  transaction<T>(work: (tx: CatalogExecutor) => Promise<T>): Promise<T>;
}

/**
 * The demo's catalog store, on SQLite ({@link SqliteCatalogDatabase}) or PostgreSQL
 * ({@link PostgresCatalogDatabase}); open one with `openCatalogDatabase` (open-catalog-database.ts). Every statement,
 * its transactions' included, counts in {@link CatalogDatabase.statementCount}, which the tests
 * use to prove there is no N+1.
 *
 * Correctness under concurrency comes from the SQL, never from a lock in this process, because
 * several processes share one PostgreSQL: stock is taken by a conditional UPDATE
 * (`stock >= quantity`), a gift card is spent by a conditional UPDATE (`redeemed_at IS NULL`).
 *
 * @example
 * ```ts
 * const db = await openCatalogDatabase(':memory:');
 * db.resetStatementCount();
 * await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM products');
 * db.statementCount; // 1
 * await db.close();
 * ```
 */
export interface CatalogDatabase extends CatalogExecutor {
  /** The scrypt cost of new password hashes. */
  readonly passwordCost: ScryptCost;
  /** SQL statements executed since opening or since {@link CatalogDatabase.resetStatementCount}. */
  readonly statementCount: number;
  /** Starts counting statements from zero. */
  resetStatementCount(): void;
  /** Closes the connection (SQLite, once the running transaction ends) or the pool (PostgreSQL). */
  close(): Promise<void>;
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
  /**
   * PostgreSQL only: the most connections the pool opens.
   * @default 10
   */
  readonly maxConnections?: number;
}
