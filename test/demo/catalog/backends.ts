// The two back ends the catalog's specifications run against, as `describe.each` rows: SQLite
// always; PostgreSQL when it answers at DATABASE_ADMIN_URL (default: the local server, user
// postgres, trust authentication). Without PostgreSQL the PostgreSQL rows are skipped with a
// warning, except under CI=true, where every PostgreSQL test fails instead.
//
// Every database a test file creates (a temporary SQLite file, or a PostgreSQL database from
// `temporaryPostgresDatabase`) is closed and removed by `releaseCatalogs`, which each file runs
// afterAll.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { openCatalogDatabase } from '../../../src/demo/catalog/open-catalog-database.js';
import type { CatalogDatabase, CatalogDialect, OpenCatalogDatabaseOptions } from '../../../src/demo/catalog/database.js';
import { postgresAdminUrl, temporaryPostgresDatabase } from '../../support/postgres.js';

/** One back end of the catalog, for `describe.each(catalogBackends)('… on $name', …)`. */
export interface CatalogBackend {
  readonly name: 'SQLite' | 'PostgreSQL';
  readonly dialect: CatalogDialect;
  /** A new, empty place for a catalog: a temporary SQLite file, or a new PostgreSQL database. */
  location(): Promise<string>;
  /** A fresh catalog of its own (`':memory:'` on SQLite, a new database on PostgreSQL). */
  open(options?: OpenCatalogDatabaseOptions): Promise<CatalogDatabase>;
  /** Another instance on an existing location: on PostgreSQL, a second pool, as another process. */
  openAt(location: string, options?: OpenCatalogDatabaseOptions): Promise<CatalogDatabase>;
}

const opened: CatalogDatabase[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

async function track(catalog: Promise<CatalogDatabase>): Promise<CatalogDatabase> {
  const db = await catalog;
  opened.push(db);
  return db;
}

/** SQLite, always available. */
export const sqliteBackend: CatalogBackend = {
  name: 'SQLite',
  dialect: 'sqlite',
  location() {
    const directory = mkdtempSync(join(tmpdir(), 'rampart-catalog-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    return Promise.resolve(join(directory, 'catalog.db'));
  },
  open: (options) => track(openCatalogDatabase(':memory:', options)),
  openAt: (location, options) => track(openCatalogDatabase(location, options)),
};

function postgres(unavailable: Error | undefined): CatalogBackend {
  const backend: CatalogBackend = {
    name: 'PostgreSQL',
    dialect: 'postgres',
    async location() {
      if (unavailable !== undefined) throw unavailable;
      const database = await temporaryPostgresDatabase();
      cleanups.push(() => database.drop());
      return database.url;
    },
    open: async (options) => backend.openAt(await backend.location(), options),
    openAt: (location, options) => track(openCatalogDatabase(location, options)),
  };
  return backend;
}

// Undefined when PostgreSQL answers; otherwise why not.
async function postgresProblem(): Promise<Error | undefined> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new Error(`PostgreSQL does not answer at ${postgresAdminUrl} (${reason})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const problem = await postgresProblem();
if (problem !== undefined && process.env['CI'] !== 'true') {
  console.warn(`${problem.message}: skipping the catalog's PostgreSQL tests (CI=true fails them).`);
}

/** SQLite, and PostgreSQL unless it is missing outside CI. */
export const catalogBackends: readonly CatalogBackend[] =
  problem === undefined || process.env['CI'] === 'true' ? [sqliteBackend, postgres(problem)] : [sqliteBackend];

/** The PostgreSQL back end when it is in {@link catalogBackends}, for PostgreSQL-only tests. */
export const postgresBackends: readonly CatalogBackend[] = catalogBackends.filter((backend) => backend.dialect === 'postgres');

/** Closes every catalog the file opened and removes every database and file it created. */
export async function releaseCatalogs(): Promise<void> {
  await Promise.all(opened.splice(0).map((db) => db.close()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}
