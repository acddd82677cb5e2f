import type { SqliteDatabase, SqliteStatement } from '../api-keys/sqlite-api-key-store.js';
import { hasMethod, isObject } from '../shape-checks.js';
import { assertAppVersion, type AppVersionRecord, type TrustedDocumentStore } from './trusted-document-store.js';

const schema = `
CREATE TABLE IF NOT EXISTS rampart_trusted_documents (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rampart_app_versions (
  app_version TEXT PRIMARY KEY,
  documents INTEGER NOT NULL,
  imported_at INTEGER NOT NULL,
  retired_at INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS rampart_trusted_document_versions (
  app_version TEXT NOT NULL,
  document_id TEXT NOT NULL,
  PRIMARY KEY (document_id, app_version)
) STRICT;
`;

interface VersionRow {
  app_version: string;
  documents: number;
  imported_at: number;
  retired_at: number | null;
}

/**
 * Trusted documents in SQLite (better-sqlite3), e.g. a file in `DATA_DIR`: an import or a retirement
 * by any process sharing the file (such as `npx rampart documents import`) is served by the next
 * lookup (within the trusted-documents cache's lifetime). Creates its tables on construction.
 */
export class SqliteTrustedDocumentStore implements TrustedDocumentStore {
  readonly #database: SqliteDatabase;
  readonly #find: SqliteStatement;
  readonly #list: SqliteStatement;
  readonly #retire: SqliteStatement;

  constructor(database: SqliteDatabase) {
    if (!isObject(database) || !hasMethod(database, 'exec') || !hasMethod(database, 'prepare')) {
      throw new TypeError('SqliteTrustedDocumentStore: database must be a better-sqlite3 Database (npm install better-sqlite3)');
    }
    database.exec(schema);
    this.#database = database;
    this.#find = database.prepare(`
      SELECT d.body FROM rampart_trusted_documents d
      WHERE d.id = ? AND EXISTS (
        SELECT 1 FROM rampart_trusted_document_versions v JOIN rampart_app_versions a ON a.app_version = v.app_version
        WHERE v.document_id = d.id AND a.retired_at IS NULL
      )`);
    this.#list = database.prepare(
      'SELECT app_version, documents, imported_at, retired_at FROM rampart_app_versions ORDER BY imported_at DESC, app_version',
    );
    this.#retire = database.prepare('UPDATE rampart_app_versions SET retired_at = COALESCE(retired_at, ?) WHERE app_version = ?');
  }

  find(id: string): string | undefined {
    return (this.#find.get(id) as { body: string } | undefined)?.body;
  }

  importManifest(appVersion: string, documents: ReadonlyMap<string, string>, at: number): void {
    assertAppVersion(appVersion);
    const database = this.#database;
    // One transaction: the documents, the version's list (replaced) and the version (live again).
    database.exec('BEGIN IMMEDIATE');
    try {
      const insertDocument = database.prepare('INSERT INTO rampart_trusted_documents (id, body) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
      const listDocument = database.prepare(
        'INSERT INTO rampart_trusted_document_versions (app_version, document_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
      );
      database.prepare('DELETE FROM rampart_trusted_document_versions WHERE app_version = ?').run(appVersion);
      for (const [id, body] of documents) {
        insertDocument.run(id, body);
        listDocument.run(appVersion, id);
      }
      database
        .prepare(
          `INSERT INTO rampart_app_versions (app_version, documents, imported_at, retired_at) VALUES (?, ?, ?, NULL)
           ON CONFLICT (app_version) DO UPDATE SET documents = excluded.documents, imported_at = excluded.imported_at, retired_at = NULL`,
        )
        .run(appVersion, documents.size, at);
      database.exec('COMMIT');
    } catch (error) {
      database.exec('ROLLBACK');
      throw error;
    }
  }

  listVersions(): readonly AppVersionRecord[] {
    return (this.#list.all() as VersionRow[]).map((row) => ({
      appVersion: row.app_version,
      documents: row.documents,
      importedAt: row.imported_at,
      retiredAt: row.retired_at,
    }));
  }

  retire(appVersion: string, at: number): boolean {
    return Number(this.#retire.run(at, appVersion).changes) > 0;
  }
}
