import { PostgresApiKeyStore, SqliteApiKeyStore, type ApiKeyStore } from '../index.js';
import { openDataDirectory, preparePrivateDatabaseFile } from '../development.js';
import { PostgresTrustedDocumentStore, SqliteTrustedDocumentStore, type TrustedDocumentStore } from '../trusted-documents.js';

/** Loads a module by name, as `import()` does; injected so that tests can make a driver missing. */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

/** The key store the command works on, where it is, and how to close it. */
export interface OpenedKeyStore {
  readonly store: ApiKeyStore;
  /**
   * Where the keys are, for a person: the absolute path of the SQLite file, or the PostgreSQL
   * database's URL without credentials or parameters.
   */
  readonly location: string;
  /** The setting a server needs to read the same keys (`DATA_DIR` or `DATABASE_URL`). */
  readonly setting: 'DATA_DIR' | 'DATABASE_URL';
  close(): Promise<void>;
}

/** A database driver the key store needs is not installed; the message says what to install. */
export class MissingDriverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingDriverError';
  }
}

/**
 * The key store the demo uses: PostgreSQL when `DATABASE_URL` is set (shared by every instance),
 * otherwise the SQLite file in `DATA_DIR`. The drivers load only when needed, so a project that
 * has neither installed gets {@link MissingDriverError} with the command to run, not Node's
 * "Cannot find package".
 */
export async function openKeyStore(
  env: Readonly<Record<string, string | undefined>>,
  load: ModuleLoader = (specifier) => import(specifier),
): Promise<OpenedKeyStore> {
  const opened = await openStore<ApiKeyStore>(env, load, 'keysDatabase', 'the API keys', {
    postgres: (pool) => PostgresApiKeyStore.open(pool),
    sqlite: (database) => new SqliteApiKeyStore(database),
  });
  return opened;
}

/** The trusted documents the command works on, where they are, and how to close them. */
export interface OpenedDocumentStore {
  readonly store: TrustedDocumentStore;
  readonly location: string;
  readonly setting: 'DATA_DIR' | 'DATABASE_URL';
  close(): Promise<void>;
}

/**
 * The trusted documents the demo serves: PostgreSQL when `DATABASE_URL` is set (shared by every
 * instance), otherwise documents.db in `DATA_DIR`; the drivers load as {@link openKeyStore}'s do.
 */
export function openDocumentStore(
  env: Readonly<Record<string, string | undefined>>,
  load: ModuleLoader = (specifier) => import(specifier),
): Promise<OpenedDocumentStore> {
  return openStore<TrustedDocumentStore>(env, load, 'documentsDatabase', 'the trusted documents', {
    postgres: (pool) => PostgresTrustedDocumentStore.open(pool),
    sqlite: (database) => new SqliteTrustedDocumentStore(database),
  });
}

async function openStore<S>(
  env: Readonly<Record<string, string | undefined>>,
  load: ModuleLoader,
  file: 'keysDatabase' | 'documentsDatabase',
  what: string,
  open: {
    readonly postgres: (pool: import('pg').Pool) => Promise<S>;
    readonly sqlite: (database: import('better-sqlite3').Database) => S;
  },
): Promise<{ store: S; location: string; setting: 'DATA_DIR' | 'DATABASE_URL'; close(): Promise<void> }> {
  const databaseUrl = env['DATABASE_URL'];
  if (databaseUrl !== undefined && databaseUrl !== '') {
    const { default: pg } = (await loadDriver(
      load,
      'pg',
      `DATABASE_URL keeps ${what} in PostgreSQL, which needs the pg package: run npm install pg (or unset DATABASE_URL to keep them in SQLite).`,
    )) as typeof import('pg');
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 5000 });
    // An idle connection the server closes (restart, failover) is an 'error' event: without a
    // listener it would crash the command. The next query reconnects or fails with a clear line.
    pool.on('error', () => undefined);
    return {
      store: await open.postgres(pool),
      location: `PostgreSQL ${describeDatabaseUrl(databaseUrl)}`,
      setting: 'DATABASE_URL',
      close: () => pool.end(),
    };
  }
  const { default: Database } = (await loadDriver(
    load,
    'better-sqlite3',
    `${what === 'the API keys' ? 'The API keys are kept in SQLite (keys.db in DATA_DIR)' : 'The trusted documents are kept in SQLite (documents.db in DATA_DIR)'}, which needs the better-sqlite3 package: run npm install better-sqlite3, or set DATABASE_URL=postgres://… to keep them in PostgreSQL.`,
  )) as { default: typeof import('better-sqlite3') };
  const path = openDataDirectory(env['DATA_DIR'])[file];
  const database = new Database(preparePrivateDatabaseFile(path));
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return {
    store: open.sqlite(database),
    location: path,
    setting: 'DATA_DIR',
    close: () => {
      database.close();
      return Promise.resolve();
    },
  };
}

async function loadDriver(load: ModuleLoader, specifier: string, advice: string): Promise<unknown> {
  try {
    return await load(specifier);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new MissingDriverError(advice);
    throw error;
  }
}

/** `postgres://host:port/database`: no user, no password, no parameters (which may hold one). */
export function describeDatabaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '(DATABASE_URL)';
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return `${url.protocol}//${url.host}${database === '' ? '' : `/${encodeURIComponent(database)}`}`;
}
