import { type CatalogDatabase, type OpenCatalogDatabaseOptions } from './database.js';
import { migrateCatalog } from './migrations.js';
import { PostgresCatalogDatabase } from './postgres-database.js';
import { seedCatalog } from './seed.js';
import { SqliteCatalogDatabase } from './sqlite-database.js';

/**
 * The PostgreSQL advisory lock key that serialises migrating and seeding the catalog across
 * processes (`pg_advisory_xact_lock`): `0x7261_6d70_6361_7401`, "rampcat\x01" in ASCII.
 */
export const CATALOG_MIGRATION_LOCK = 8_241_989_122_535_814_145n;

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/**
 * Whether `location` names a PostgreSQL database (a `postgres://` or `postgresql://` URL) rather
 * than a SQLite file.
 *
 * @example
 * ```ts
 * isPostgresLocation('postgres://app@db:5432/shop'); // true
 * isPostgresLocation('data/catalog.db'); // false
 * ```
 */
export function isPostgresLocation(location: string): boolean {
  return POSTGRES_URL.test(location);
}

/**
 * Opens the catalog at `location`: a `postgres://` or `postgresql://` URL opens a pool on that
 * PostgreSQL database; anything else is a SQLite file (created if needed; `':memory:'` for a
 * private one). Then, in one transaction, it applies the migrations not yet recorded in
 * `catalog_schema_migrations` and, when the catalog has no category yet, seeds the demo data. On
 * PostgreSQL that transaction first takes an advisory lock ({@link CATALOG_MIGRATION_LOCK}), so
 * that instances starting together migrate and seed once; on SQLite BEGIN IMMEDIATE does it.
 *
 * @throws whatever the database reports when it cannot be reached or migrated; nothing is left
 * open then.
 *
 * @example
 * ```ts
 * const db = await openCatalogDatabase(process.env.DATABASE_URL ?? join(dataDir, 'catalog.db'));
 * ```
 */
export async function openCatalogDatabase(location: string, options: OpenCatalogDatabaseOptions = {}): Promise<CatalogDatabase> {
  const db: CatalogDatabase = isPostgresLocation(location)
    ? new PostgresCatalogDatabase(location, options)
    : new SqliteCatalogDatabase(location, options);
  try {
    await db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') {
        await tx.run('SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))', CATALOG_MIGRATION_LOCK);
      }
      await migrateCatalog(tx);
      if (options.seed ?? true) {
        const existing = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM categories');
        if (existing?.n === 0) await seedCatalog(tx);
      }
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
