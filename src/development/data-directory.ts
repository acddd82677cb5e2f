import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the demo and the `rampart` command keep their files inside `DATA_DIR`. */
export interface DataDirectory {
  /** The directory itself, absolute (mode 0700). */
  readonly root: string;
  /** SQLite file of issued API keys (hashes only); open it after {@link preparePrivateDatabaseFile}. */
  readonly keysDatabase: string;
  /** SQLite file of the demo catalog (emails, password hashes); open it after {@link preparePrivateDatabaseFile}. */
  readonly catalogDatabase: string;
  /** SQLite file of the trusted documents (each app version's manifest); open it after {@link preparePrivateDatabaseFile}. */
  readonly documentsDatabase: string;
  /** The development issuer's key pair and settings (mode 0600). */
  readonly developmentIssuer: string;
  /** The development attester's secret (mode 0600). */
  readonly developmentAttester: string;
  /** The development captcha provider's secret (mode 0600). */
  readonly developmentCaptcha: string;
}

/** The default `DATA_DIR`, relative to the working directory. */
export const defaultDataDirectory = '.data';

/**
 * The layout of a data directory. Creates the directory (and missing parents) with mode 0700, and
 * narrows an existing one of this user's that group or others may enter to 0700: it holds password
 * hashes, key hashes and the development providers' private keys. A directory owned by someone
 * else is left as it is (only its owner could change it); the files in it are 0600 either way.
 */
export function openDataDirectory(path: string | undefined): DataDirectory {
  const root = resolve(path && path.length > 0 ? path : defaultDataDirectory);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const { mode, uid } = statSync(root);
  if ((mode & 0o077) !== 0 && uid === process.getuid?.()) chmodSync(root, 0o700);
  return {
    root,
    keysDatabase: join(root, 'keys.db'),
    catalogDatabase: join(root, 'catalog.db'),
    documentsDatabase: join(root, 'documents.db'),
    developmentIssuer: join(root, 'dev-issuer.json'),
    developmentAttester: join(root, 'dev-attester.json'),
    developmentCaptcha: join(root, 'dev-captcha.json'),
  };
}

/** The files SQLite keeps next to a database. */
const sqliteCompanions = ['-wal', '-shm', '-journal'];

/**
 * Makes a SQLite database file readable by the owner only before it is opened: creates it empty
 * with mode 0600 when missing (SQLite itself would create it 0644), and narrows it and any
 * `-wal`, `-shm` or `-journal` file an earlier run left to 0600. SQLite gives the `-wal` and
 * `-shm` files it creates later the database file's mode, so they are 0600 too.
 *
 * @returns `path`, for `new Database(preparePrivateDatabaseFile(path))`.
 */
export function preparePrivateDatabaseFile(path: string): string {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, ...sqliteCompanions.map((suffix) => `${path}${suffix}`)]) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if ((mode & 0o777) !== 0o600) chmodSync(file, 0o600);
  }
  return path;
}
