import { AsyncLocalStorage } from 'node:async_hooks';

/** The message of a statement run on the database from inside one of its own transactions. */
export const STATEMENT_OUTSIDE_TRANSACTION =
  'CatalogDatabase: inside a transaction, run statements on the transaction that work ' + 'receives, not on the database';

/** The message of a statement run on a transaction after it committed or rolled back. */
export const TRANSACTION_OVER = 'CatalogDatabase: this transaction is over; start a new one';

/**
 * One transaction of one database, from BEGIN to COMMIT or ROLLBACK. The work of a transaction
 * runs inside its scope (an `AsyncLocalStorage`), which is how a database recognises a statement
 * that its own transaction's work sent to the database instead of to the transaction: on SQLite
 * that statement would wait for the transaction forever, on PostgreSQL it would run outside it.
 */
export class TransactionScope {
  #open = true;

  /** The database the transaction belongs to. */
  readonly owner: object;

  constructor(owner: object) {
    this.owner = owner;
  }

  /** Whether the transaction is still running. */
  get open(): boolean {
    return this.#open;
  }

  /** Marks the transaction over: its executor refuses statements from now on. */
  end(): void {
    this.#open = false;
  }

  /**
   * Runs the transaction's work inside this scope. The scopes' `AsyncLocalStorage` is enabled
   * only while some transaction is open: on Node 20 an enabled one puts a hook on every promise
   * the process creates, which would slow every request, reads included, by a third.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    openScopes += 1;
    try {
      return await scopes.run(this, work);
    } finally {
      openScopes -= 1;
      if (openScopes === 0) scopes.disable();
    }
  }

  /** @throws TypeError {@link TRANSACTION_OVER} once the transaction has ended. */
  assertOpen(): void {
    if (!this.#open) throw new TypeError(TRANSACTION_OVER);
  }
}

const scopes = new AsyncLocalStorage<TransactionScope>();
/** Transactions whose work is running: the storage is disabled when none is. */
let openScopes = 0;

/**
 * Refuses a statement or transaction on `owner` itself from inside the work of one of its own
 * open transactions: a caller mistake, reported at once rather than as a hang.
 *
 * @throws TypeError {@link STATEMENT_OUTSIDE_TRANSACTION}
 */
export function refuseInsideOwnTransaction(owner: object): void {
  const scope = scopes.getStore();
  if (scope !== undefined && scope.open && scope.owner === owner) {
    throw new TypeError(STATEMENT_OUTSIDE_TRANSACTION);
  }
}
