import type { PostgresQueryable } from '../api-keys/postgres-api-key-store.js';
import { hasMethod, isObject } from '../shape-checks.js';
import { assertAppVersion, type AppVersionRecord, type TrustedDocumentStore } from './trusted-document-store.js';

/**
 * The advisory lock key that serialises creating the tables across processes:
 * `0x7261_6d70_646f_6301`, "rampdoc\x01" in ASCII.
 */
export const TRUSTED_DOCUMENT_SCHEMA_LOCK = 8_241_989_122_553_504_513n;

// One simple query holding several statements runs as one transaction, so the advisory lock is
// held until the tables exist.
const schema = `
SELECT pg_advisory_xact_lock(${TRUSTED_DOCUMENT_SCHEMA_LOCK});
CREATE TABLE IF NOT EXISTS rampart_trusted_documents (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rampart_app_versions (
  app_version TEXT PRIMARY KEY,
  documents INTEGER NOT NULL,
  imported_at BIGINT NOT NULL,
  retired_at BIGINT
);
CREATE TABLE IF NOT EXISTS rampart_trusted_document_versions (
  app_version TEXT NOT NULL,
  document_id TEXT NOT NULL,
  PRIMARY KEY (document_id, app_version)
)`;

// One statement, so one transaction on whichever pooled connection runs it: the documents, the
// version's list (replaced) and the version itself (live again) change together.
const importStatement = `
WITH listed AS (
  SELECT * FROM unnest($2::text[], $3::text[]) AS listed(id, body)
), documents AS (
  INSERT INTO rampart_trusted_documents (id, body) SELECT id, body FROM listed ON CONFLICT (id) DO NOTHING
), version AS (
  INSERT INTO rampart_app_versions (app_version, documents, imported_at, retired_at)
  VALUES ($1, cardinality($2::text[]), $4, NULL)
  ON CONFLICT (app_version) DO UPDATE SET documents = EXCLUDED.documents, imported_at = EXCLUDED.imported_at, retired_at = NULL
), unlisted AS (
  DELETE FROM rampart_trusted_document_versions WHERE app_version = $1 AND NOT (document_id = ANY($2::text[]))
)
INSERT INTO rampart_trusted_document_versions (app_version, document_id) SELECT $1, id FROM listed ON CONFLICT DO NOTHING`;

const findStatement = `
SELECT d.body FROM rampart_trusted_documents d
WHERE d.id = $1 AND EXISTS (
  SELECT 1 FROM rampart_trusted_document_versions v JOIN rampart_app_versions a ON a.app_version = v.app_version
  WHERE v.document_id = d.id AND a.retired_at IS NULL
)`;

interface VersionRow {
  app_version: string;
  /** INTEGER: a number through pg's default parsers, whatever the caller's pool parses it into otherwise. */
  documents: number | string;
  imported_at: string;
  retired_at: string | null;
}

/**
 * Trusted documents in PostgreSQL, shared by every instance and every app version at once: an
 * import through any instance (or `rampart documents import`) is served by all, and a retired
 * version's documents stop being served by all (within the trusted-documents cache's lifetime).
 * Open it with {@link PostgresTrustedDocumentStore.open}, which creates its tables idempotently.
 */
export class PostgresTrustedDocumentStore implements TrustedDocumentStore {
  readonly #database: PostgresQueryable;

  private constructor(database: PostgresQueryable) {
    this.#database = database;
  }

  /** The store on `database` (a pg Pool or Client), its tables created if missing. */
  static async open(database: PostgresQueryable): Promise<PostgresTrustedDocumentStore> {
    if (!isObject(database) || !hasMethod(database, 'query')) {
      throw new TypeError('PostgresTrustedDocumentStore: database must be a pg Pool or Client');
    }
    await database.query(schema);
    return new PostgresTrustedDocumentStore(database);
  }

  async find(id: string): Promise<string | undefined> {
    const { rows } = await this.#database.query(findStatement, [id]);
    return (rows[0] as { body: string } | undefined)?.body;
  }

  async importManifest(appVersion: string, documents: ReadonlyMap<string, string>, at: number): Promise<void> {
    assertAppVersion(appVersion);
    await this.#database.query(importStatement, [appVersion, [...documents.keys()], [...documents.values()], at]);
  }

  async listVersions(): Promise<readonly AppVersionRecord[]> {
    const { rows } = await this.#database.query(
      'SELECT app_version, documents, imported_at, retired_at FROM rampart_app_versions ORDER BY imported_at DESC, app_version',
    );
    return (rows as VersionRow[]).map((row) => ({
      appVersion: row.app_version,
      documents: Number(row.documents),
      importedAt: Number(row.imported_at),
      retiredAt: row.retired_at === null ? null : Number(row.retired_at),
    }));
  }

  async retire(appVersion: string, at: number): Promise<boolean> {
    const { rowCount } = await this.#database.query(
      'UPDATE rampart_app_versions SET retired_at = COALESCE(retired_at, $2) WHERE app_version = $1',
      [appVersion, at],
    );
    return (rowCount ?? 0) > 0;
  }
}
