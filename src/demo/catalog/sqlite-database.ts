import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';

import { AsyncMutex } from './async-mutex.js';
import type { CatalogDatabase, CatalogExecutor, OpenCatalogDatabaseOptions, RunResult, SqlValue } from './database.js';
import { DEFAULT_SCRYPT_COST } from './password.js';
import type { ScryptCost } from './password.js';
import { refuseInsideOwnTransaction, TransactionScope } from './transaction-scope.js';

// Statement texts vary with the length of `IN (?, …)` lists; keep the cache bounded.
const MAX_CACHED_STATEMENTS = 1000;

/**
 * The catalog on one better-sqlite3 connection, shared by every request of the process. The
 * driver is synchronous, so each statement runs whole before anything else does; a transaction,
 * though, spans `await`s, so transactions take an in-process {@link AsyncMutex} for their whole
 * length and statements sent to the database while another request's transaction holds it wait
 * for it to end: no request's statement ever lands inside another request's transaction. Files
 * use WAL, a 5 s busy timeout and foreign keys; transactions begin IMMEDIATE (the write lock at
 * once, so a second process waits instead of failing to upgrade later).
 *
 * Open it with `openCatalogDatabase`, which also migrates and seeds.
 *
 * @example
 * ```ts
 * const db = new SqliteCatalogDatabase(':memory:'); // tables not created yet
 * ```
 */
export class SqliteCatalogDatabase implements CatalogDatabase {
  readonly dialect = 'sqlite' as const;
  readonly passwordCost: ScryptCost;
  readonly #connection: Database.Database;
  readonly #statements = new Map<string, Statement<SqlValue[]>>();
  readonly #mutex = new AsyncMutex();
  #count = 0;

  /** Opens (creating if needed) the file `filename`, or a private database for `':memory:'`. */
  constructor(filename: string, options: Pick<OpenCatalogDatabaseOptions, 'passwordCost'> = {}) {
    this.passwordCost = options.passwordCost ?? DEFAULT_SCRYPT_COST;
    this.#connection = new Database(filename);
    try {
      if (filename !== ':memory:' && filename !== '') {
        this.#connection.pragma('busy_timeout = 5000');
        this.#connection.pragma('journal_mode = WAL');
        this.#connection.pragma('synchronous = NORMAL');
      }
      this.#connection.pragma('foreign_keys = ON');
    } catch (error) {
      this.#connection.close();
      throw error;
    }
  }

  get statementCount(): number {
    return this.#count;
  }

  resetStatementCount(): void {
    this.#count = 0;
  }

  async all<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]> {
    return this.#outsideTransactions(() => this.#all(sql, params) as Row[]);
  }

  async get<Row>(sql: string, ...params: SqlValue[]): Promise<Row | undefined> {
    return this.#outsideTransactions(() => this.#get(sql, params) as Row | undefined);
  }

  async run(sql: string, ...params: SqlValue[]): Promise<RunResult> {
    return this.#outsideTransactions(() => this.#run(sql, params));
  }

  async transaction<T>(work: (tx: CatalogExecutor) => Promise<T>): Promise<T> {
    refuseInsideOwnTransaction(this);
    const release = await this.#mutex.lock();
    const scope = new TransactionScope(this);
    try {
      this.#run('BEGIN IMMEDIATE', []);
      try {
        const result = await scope.run(() => work(this.#executor(scope)));
        this.#run('COMMIT', []);
        return result;
      } catch (error) {
        if (this.#connection.inTransaction) this.#run('ROLLBACK', []);
        throw error;
      }
    } finally {
      scope.end();
      release();
    }
  }

  async close(): Promise<void> {
    refuseInsideOwnTransaction(this);
    const release = await this.#mutex.lock();
    try {
      if (!this.#connection.open) return;
      this.#statements.clear();
      this.#connection.close();
    } finally {
      release();
    }
  }

  // A statement outside any transaction runs at once, unless another request's transaction holds
  // the connection: then it waits for that transaction to end.
  async #outsideTransactions<T>(statement: () => T): Promise<T> {
    refuseInsideOwnTransaction(this);
    if (!this.#mutex.held) return statement();
    const release = await this.#mutex.lock();
    try {
      return statement();
    } finally {
      release();
    }
  }

  #executor(scope: TransactionScope): CatalogExecutor {
    // The statements run at once, but async all the same: one used after its transaction ended
    // must reject (the executor's contract, as on PostgreSQL), not throw.
    /* eslint-disable @typescript-eslint/require-await -- async for the rejection, see above */
    const tx: CatalogExecutor = {
      dialect: this.dialect,
      all: async <Row>(sql: string, ...params: SqlValue[]) => {
        scope.assertOpen();
        return this.#all(sql, params) as Row[];
      },
      get: async <Row>(sql: string, ...params: SqlValue[]) => {
        scope.assertOpen();
        return this.#get(sql, params) as Row | undefined;
      },
      run: async (sql: string, ...params: SqlValue[]) => {
        scope.assertOpen();
        return this.#run(sql, params);
      },
      transaction: async (work) => {
        scope.assertOpen();
        return work(tx);
      },
    };
    /* eslint-enable @typescript-eslint/require-await */
    return tx;
  }

  #all(sql: string, params: SqlValue[]): unknown[] {
    return this.#statement(sql).all(...params);
  }

  #get(sql: string, params: SqlValue[]): unknown {
    return this.#statement(sql).get(...params);
  }

  #run(sql: string, params: SqlValue[]): RunResult {
    const { changes } = this.#statement(sql).run(...params);
    return { changes };
  }

  #statement(sql: string): Statement<SqlValue[]> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#connection.prepare<SqlValue[]>(sql);
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) {
        const oldest = this.#statements.keys().next();
        if (oldest.done !== true) this.#statements.delete(oldest.value);
      }
      this.#statements.set(sql, statement);
    }
    this.#count += 1;
    return statement;
  }
}
