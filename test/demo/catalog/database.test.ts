import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { openCatalogDatabase } from '../../../src/demo/catalog/database.js';

describe('openCatalogDatabase', () => {
  const directories: string[] = [];

  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true });
  });

  function catalogFile(): string {
    const directory = mkdtempSync(join(tmpdir(), 'rampart-catalog-'));
    directories.push(directory);
    return join(directory, 'catalog.db');
  }

  it('creates, seeds and reopens a file without seeding it twice, in WAL mode with foreign keys', () => {
    const file = catalogFile();
    const created = openCatalogDatabase(file);
    created.run("UPDATE products SET name = 'Renamed' WHERE id = 1");
    created.close();

    const reopened = openCatalogDatabase(file);
    const state = reopened.get(
      `SELECT (SELECT COUNT(*) FROM products) AS products,
         (SELECT name FROM products WHERE id = 1) AS firstName`,
    );
    const journal = reopened.get('PRAGMA journal_mode');
    const foreignKeys = reopened.get('PRAGMA foreign_keys');
    reopened.close();

    expect(state).toEqual({ products: 10_000, firstName: 'Renamed' });
    expect(journal).toEqual({ journal_mode: 'wal' });
    expect(foreignKeys).toEqual({ foreign_keys: 1 });
  });

  it('leaves the catalog empty when told not to seed', () => {
    const db = openCatalogDatabase(':memory:', { seed: false });

    expect(db.get('SELECT COUNT(*) AS n FROM products')).toEqual({ n: 0 });
  });

  it('refuses a row that breaks a foreign key, in memory too', () => {
    const db = openCatalogDatabase(':memory:', { seed: false });

    expect(() =>
      db.run(
        `INSERT INTO products (category_id, name, description, price_cents, wholesale_cents,
           currency, stock) VALUES (99, 'Orphan', '', 100, 50, 'EUR', 1)`,
      ),
    ).toThrow('FOREIGN KEY constraint failed');
  });
});

describe('CatalogDatabase', () => {
  const db = openCatalogDatabase(':memory:', { seed: false });

  it('counts every statement it executes, from the last reset', () => {
    db.get('SELECT 1');
    db.resetStatementCount();

    db.get('SELECT 1');
    db.all('SELECT id FROM categories');
    db.run('DELETE FROM cart_items');

    expect(db.statementCount).toBe(3);
  });

  it('counts BEGIN and COMMIT of a transaction as statements', () => {
    db.resetStatementCount();

    db.transaction(() => db.run("INSERT INTO categories (name, slug) VALUES ('A', 'a')"));

    expect(db.statementCount).toBe(3);
  });

  it('rolls a transaction back when its work throws, and rethrows', () => {
    const before = db.get('SELECT COUNT(*) AS n FROM categories');

    expect(() =>
      db.transaction(() => {
        db.run("INSERT INTO categories (name, slug) VALUES ('B', 'b')");
        throw new RangeError('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(db.get('SELECT COUNT(*) AS n FROM categories')).toEqual(before);
  });

  it('joins the outer transaction when nested, so the outer rollback undoes both', () => {
    const before = db.get('SELECT COUNT(*) AS n FROM categories');

    expect(() =>
      db.transaction(() => {
        db.transaction(() => db.run("INSERT INTO categories (name, slug) VALUES ('C', 'c')"));
        throw new Error('outer fails');
      }),
    ).toThrow('outer fails');
    expect(db.get('SELECT COUNT(*) AS n FROM categories')).toEqual(before);
  });

  it('refuses asynchronous work and rolls it back', () => {
    const before = db.get('SELECT COUNT(*) AS n FROM categories');

    expect(() =>
      db.transaction(async () => {
        db.run("INSERT INTO categories (name, slug) VALUES ('D', 'd')");
      }),
    ).toThrow(new TypeError('CatalogDatabase.transaction: work must be synchronous'));
    expect(db.get('SELECT COUNT(*) AS n FROM categories')).toEqual(before);
  });
});
