import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CatalogDatabase } from '../../../src/demo/catalog/database.js';
import { isPostgresLocation } from '../../../src/demo/catalog/open-catalog-database.js';
import { PostgresCatalogDatabase, toPostgresPlaceholders } from '../../../src/demo/catalog/postgres-database.js';
import { postgresBackends, releaseCatalogs } from './backends.js';

afterAll(releaseCatalogs);

describe('toPostgresPlaceholders', () => {
  it.each([
    ['numbers placeholders in order', 'SELECT ? + ?, ?', 'SELECT $1 + $2, $3'],
    ['leaves SQL without placeholders alone', 'SELECT 1', 'SELECT 1'],
    ['skips a ? in a string literal', "SELECT '?', ?", "SELECT '?', $1"],
    ['knows a doubled quote does not end a literal', "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"],
    ['skips a ? in a quoted identifier', 'SELECT ? AS "why?"', 'SELECT $1 AS "why?"'],
    ['skips a ? in a line comment', 'SELECT ? -- why?\n, ?', 'SELECT $1 -- why?\n, $2'],
    ['skips a ? in a block comment', 'SELECT /* ? */ ?', 'SELECT /* ? */ $1'],
    [
      'treats a backslash in a literal as a character (standard strings)',
      "SELECT LOWER(?) LIKE LOWER(?) ESCAPE '\\'",
      "SELECT LOWER($1) LIKE LOWER($2) ESCAPE '\\'",
    ],
    ['copies an unterminated literal as it is', "SELECT ?, 'open ?", "SELECT $1, 'open ?"],
  ])('%s', (_case, sql, expected) => {
    expect(toPostgresPlaceholders(sql)).toBe(expected);
  });
});

describe('isPostgresLocation', () => {
  it.each([
    ['postgres://app@db:5432/shop', true],
    ['postgresql://app@db/shop', true],
    ['POSTGRES://app@db/shop', true],
    ['data/catalog.db', false],
    [':memory:', false],
    ['postgres.db', false],
  ])('%s → %s', (location, expected) => {
    expect(isPostgresLocation(location)).toBe(expected);
  });
});

describe('PostgresCatalogDatabase', () => {
  it.each([0, 1.5, -1])('refuses a pool of %d connections', (maxConnections) => {
    expect(() => new PostgresCatalogDatabase('postgres://nobody@127.0.0.1/none', { maxConnections })).toThrow(
      new TypeError('PostgresCatalogDatabase: maxConnections must be an integer ≥ 1'),
    );
  });
});

describe.each(postgresBackends)('PostgresCatalogDatabase on a server', (backend) => {
  let db: CatalogDatabase;

  beforeAll(async () => {
    db = await backend.open({ seed: false });
  });

  it('returns counts, sums and averages as numbers, as SQLite does', async () => {
    const row = await db.get(
      `SELECT COUNT(*) AS n, SUM(CAST(2 AS BIGINT)) AS total, AVG(CAST(3 AS INTEGER)) AS mean,
         CAST(9007199254740991 AS BIGINT) AS largest`,
    );

    expect(row).toEqual({ n: 1, total: 2, mean: 3, largest: Number.MAX_SAFE_INTEGER });
  });

  it('refuses a bigint that a JavaScript number cannot hold exactly, rather than rounding it', async () => {
    await expect(db.get('SELECT CAST(9007199254740993 AS BIGINT) AS n')).rejects.toThrow(
      new RangeError('PostgresCatalogDatabase: 9007199254740993 is beyond the integers JavaScript holds exactly'),
    );
  });

  it('sorts text byte by byte, as SQLite does, whatever the database collation', async () => {
    await db.run("INSERT INTO categories (name, slug) VALUES ('b', 'b'), ('B', 'b2'), ('a', 'a'), ('_', 'u')");

    const names = await db.all<{ name: string }>('SELECT name FROM categories ORDER BY name');
    const collations = await db.all(
      `SELECT DISTINCT collation_name AS collation FROM information_schema.columns
       WHERE table_schema = current_schema() AND data_type = 'text'
         AND table_name <> 'catalog_schema_migrations'`,
    );

    expect(names.map((row) => row.name)).toEqual(['B', '_', 'a', 'b']);
    expect(collations).toEqual([{ collation: 'C' }]);
  });

  it('runs every statement of a transaction on one connection', async () => {
    const pids = await db.transaction(async (tx) => {
      const seen = [];
      for (let n = 0; n < 5; n += 1) seen.push(await tx.get('SELECT pg_backend_pid() AS pid'));
      return new Set(seen.map((row) => JSON.stringify(row)));
    });

    expect(pids.size).toBe(1);
  });
});
