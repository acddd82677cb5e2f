import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CatalogDatabase, CatalogExecutor } from '../../../src/demo/catalog/database.js';
import { CATALOG_MIGRATIONS, migrateCatalog } from '../../../src/demo/catalog/migrations.js';
import type { CatalogMigration } from '../../../src/demo/catalog/migrations.js';
import { STATEMENT_OUTSIDE_TRANSACTION, TRANSACTION_OVER } from '../../../src/demo/catalog/transaction-scope.js';
import { catalogBackends, postgresBackends, releaseCatalogs, sqliteBackend } from './backends.js';

afterAll(releaseCatalogs);

const COUNT_CATEGORIES = 'SELECT COUNT(*) AS n FROM categories';

// A gate a test opens when it chooses: what waits on it stays pending until then.
function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe.each(catalogBackends)('openCatalogDatabase on $name', (backend) => {
  it('creates, migrates and seeds a new database, and reopens it without migrating or seeding again', async () => {
    const location = await backend.location();
    const created = await backend.openAt(location);
    await created.run("UPDATE products SET name = 'Renamed' WHERE id = 1");
    await created.close();

    const reopened = await backend.openAt(location);
    const state = await reopened.get(
      `SELECT (SELECT COUNT(*) FROM products) AS products,
         (SELECT name FROM products WHERE id = 1) AS "firstName"`,
    );
    const migrations = await reopened.all('SELECT version, name FROM catalog_schema_migrations');

    expect(state).toEqual({ products: 10_000, firstName: 'Renamed' });
    expect(migrations).toEqual([{ version: 1, name: 'catalog tables' }]);
  });

  it('leaves the catalog empty when told not to seed, with the tables created', async () => {
    const db = await backend.open({ seed: false });

    expect(await db.get('SELECT COUNT(*) AS n FROM products')).toEqual({ n: 0 });
    expect(await db.all('SELECT version FROM catalog_schema_migrations')).toEqual([{ version: 1 }]);
  });

  it('refuses a row that breaks a foreign key', async () => {
    const db = await backend.open({ seed: false });

    await expect(
      db.run(
        `INSERT INTO products (category_id, name, description, price_cents, wholesale_cents,
           currency, stock) VALUES (99, 'Orphan', '', 100, 50, 'EUR', 1)`,
      ),
    ).rejects.toThrow(/foreign key constraint/i);
  });

  it('gives a new row the id after the seeded ones', async () => {
    const db = await backend.open();

    const row = await db.get(
      `INSERT INTO products (category_id, name, description, price_cents, wholesale_cents,
         currency, stock) VALUES (1, 'New', '', 100, 50, 'EUR', 1) RETURNING id`,
    );

    expect(row).toEqual({ id: 10_001 });
  });
});

describe.each(catalogBackends)('migrateCatalog on $name', (backend) => {
  const wishlists = (statements: string[]): CatalogMigration => ({
    version: 2,
    name: 'wishlists',
    statements: () => statements,
  });
  let db: CatalogDatabase;

  beforeAll(async () => {
    db = await backend.open({ seed: false });
  });

  it('refuses migrations whose versions do not increase, applying none', async () => {
    const unordered = [wishlists([]), ...CATALOG_MIGRATIONS];

    await expect(db.transaction((tx) => migrateCatalog(tx, unordered))).rejects.toThrow(
      new TypeError('migrateCatalog: version 1 must be an integer above 2'),
    );
  });

  it('rolls back a migration that fails, its earlier statements and its record included', async () => {
    const failing = wishlists(['CREATE TABLE wishlists (user_id TEXT NOT NULL)', 'CREATE TABLE broken (']);

    await expect(db.transaction((tx) => migrateCatalog(tx, [...CATALOG_MIGRATIONS, failing]))).rejects.toThrow();
    expect(await db.all('SELECT version FROM catalog_schema_migrations')).toEqual([{ version: 1 }]);
    await expect(db.get('SELECT COUNT(*) AS n FROM wishlists')).rejects.toThrow(/wishlists/);
  });

  it('applies only the migrations not yet recorded, and records them', async () => {
    const migrations = [...CATALOG_MIGRATIONS, wishlists(['CREATE TABLE wishlists (user_id TEXT NOT NULL)'])];

    const first = await db.transaction((tx) => migrateCatalog(tx, migrations));
    const second = await db.transaction((tx) => migrateCatalog(tx, migrations));

    expect({ first, second }).toEqual({ first: [2], second: [] });
    expect(await db.all('SELECT version, name FROM catalog_schema_migrations ORDER BY version')).toEqual([
      { version: 1, name: 'catalog tables' },
      { version: 2, name: 'wishlists' },
    ]);
    expect(await db.get('SELECT COUNT(*) AS n FROM wishlists')).toEqual({ n: 0 });
  });
});

describe('openCatalogDatabase on SQLite', () => {
  it('opens a file in WAL mode with foreign keys on', async () => {
    const db = await sqliteBackend.openAt(await sqliteBackend.location(), { seed: false });

    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
  });

  it('adopts a catalog file made before migrations were recorded, keeping its rows unseeded', async () => {
    const location = await sqliteBackend.location();
    const old = new Database(location);
    old.exec(
      `CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
         slug TEXT NOT NULL UNIQUE);
       INSERT INTO categories (name, slug) VALUES ('Old', 'old');`,
    );
    old.close();

    const db = await sqliteBackend.openAt(location);

    expect(await db.all('SELECT name FROM categories')).toEqual([{ name: 'Old' }]);
    expect(await db.get('SELECT COUNT(*) AS n FROM products')).toEqual({ n: 0 });
    expect(await db.all('SELECT version FROM catalog_schema_migrations')).toEqual([{ version: 1 }]);
  });
});

describe.each(postgresBackends)('openCatalogDatabase on $name, by several instances', (backend) => {
  it('migrates and seeds a new database exactly once when three instances open it together', async () => {
    const location = await backend.location();

    const [first] = await Promise.all([1, 2, 3].map(() => backend.openAt(location)));
    const state = await first!.get(
      `SELECT (SELECT COUNT(*) FROM categories) AS categories,
         (SELECT COUNT(*) FROM products) AS products,
         (SELECT COUNT(*) FROM gift_cards) AS "giftCards",
         (SELECT COUNT(*) FROM catalog_schema_migrations) AS migrations`,
    );

    expect(state).toEqual({ categories: 20, products: 10_000, giftCards: 50, migrations: 1 });
  });
});

describe.each(catalogBackends)('CatalogDatabase on $name', (backend) => {
  let db: CatalogDatabase;
  const insert = (executor: CatalogExecutor, slug: string) =>
    executor.run('INSERT INTO categories (name, slug) VALUES (?, ?)', slug.toUpperCase(), slug);

  beforeAll(async () => {
    db = await backend.open({ seed: false });
  });

  it('counts every statement it executes, from the last reset', async () => {
    await db.get('SELECT 1');
    db.resetStatementCount();

    await db.get('SELECT 1');
    await db.all('SELECT id FROM categories');
    await db.run('DELETE FROM cart_items');

    expect(db.statementCount).toBe(3);
  });

  it('counts BEGIN and COMMIT of a transaction as statements', async () => {
    db.resetStatementCount();

    await db.transaction((tx) => insert(tx, 'a'));

    expect(db.statementCount).toBe(3);
  });

  it('commits asynchronous work once it resolves, and resolves to what it returned', async () => {
    const result = await db.transaction(async (tx) => {
      await insert(tx, 'b1');
      await Promise.resolve();
      await insert(tx, 'b2');
      return 'done';
    });

    expect(result).toBe('done');
    expect(await db.all("SELECT slug FROM categories WHERE slug IN ('b1', 'b2') ORDER BY slug")).toEqual([{ slug: 'b1' }, { slug: 'b2' }]);
  });

  it('rolls a transaction back when its work rejects, and rejects with the same error', async () => {
    const before = await db.get(COUNT_CATEGORIES);

    await expect(
      db.transaction(async (tx) => {
        await insert(tx, 'c');
        throw new RangeError('changed my mind');
      }),
    ).rejects.toThrow(new RangeError('changed my mind'));
    expect(await db.get(COUNT_CATEGORIES)).toEqual(before);
  });

  it('joins the outer transaction when nested through tx, so the outer rollback undoes both', async () => {
    const before = await db.get(COUNT_CATEGORIES);

    await expect(
      db.transaction(async (tx) => {
        await tx.transaction((inner) => insert(inner, 'd'));
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await db.get(COUNT_CATEGORIES)).toEqual(before);
  });

  it('refuses a statement sent to the database from inside its own transaction, and rolls back', async () => {
    const before = await db.get(COUNT_CATEGORIES);

    await expect(
      db.transaction(async (tx) => {
        await insert(tx, 'e');
        await db.get('SELECT 1');
      }),
    ).rejects.toThrow(new TypeError(STATEMENT_OUTSIDE_TRANSACTION));
    await expect(db.transaction(() => db.transaction(() => Promise.resolve(1)))).rejects.toThrow(
      new TypeError(STATEMENT_OUTSIDE_TRANSACTION),
    );
    expect(await db.get(COUNT_CATEGORIES)).toEqual(before);
  });

  it('tracks promises only while a transaction runs: reads between transactions pay no async hook', async () => {
    // Node 20's AsyncLocalStorage marks every promise it tracks with symbols (Node 24's needs none).
    const tracked = () => Object.getOwnPropertySymbols(Promise.resolve()).length > 0;
    const inside = await db.transaction(async (tx) => {
      await insert(tx, 'g');
      return tracked();
    });

    expect({ inside: inside || process.versions.node.split('.')[0] !== '20', after: tracked() }).toEqual({ inside: true, after: false });
  });

  it('refuses a statement sent to the database from inside its own transaction after another transaction ended', async () => {
    await db.transaction((tx) => insert(tx, 'h1'));

    await expect(
      db.transaction(async (tx) => {
        await insert(tx, 'h2');
        await db.get('SELECT 1');
      }),
    ).rejects.toThrow(new TypeError(STATEMENT_OUTSIDE_TRANSACTION));
  });

  it('refuses a statement on a transaction that has ended', async () => {
    let leaked: CatalogExecutor | undefined;
    await db.transaction((tx) => {
      leaked = tx;
      return Promise.resolve();
    });

    await expect(leaked!.get('SELECT 1')).rejects.toThrow(new TypeError(TRANSACTION_OVER));
  });

  it("keeps another request's statement out of a running transaction that then rolls back", async () => {
    const held = gate();
    const entered = gate();
    const transaction = db.transaction(async (tx) => {
      await insert(tx, 'f-inside');
      entered.open();
      await held.opened;
      throw new Error('rolled back');
    });
    await entered.opened;

    const outside = insert(db, 'f-outside');
    held.open();

    await expect(transaction).rejects.toThrow('rolled back');
    await outside;
    expect(await db.all("SELECT slug FROM categories WHERE slug LIKE 'f-%'")).toEqual([{ slug: 'f-outside' }]);
  });
});
