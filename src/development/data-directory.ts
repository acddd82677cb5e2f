import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the demo and the `rampart` command keep their files inside `DATA_DIR`. */
export interface DataDirectory {
  /** The directory itself, absolute. */
  readonly root: string;
  /** SQLite file of issued API keys (hashes only). */
  readonly keysDatabase: string;
  /** SQLite file of the demo catalog. */
  readonly catalogDatabase: string;
  /** The development issuer's key pair and settings (mode 0600). */
  readonly developmentIssuer: string;
  /** The development attester's secret (mode 0600). */
  readonly developmentAttester: string;
  /** The development captcha provider's secret (mode 0600). */
  readonly developmentCaptcha: string;
}

/** The default `DATA_DIR`, relative to the working directory. */
export const defaultDataDirectory = '.data';

/** The layout of a data directory; creates the directory (mode 0700) when missing. */
export function openDataDirectory(path: string | undefined): DataDirectory {
  const root = resolve(path && path.length > 0 ? path : defaultDataDirectory);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return {
    root,
    keysDatabase: join(root, 'keys.db'),
    catalogDatabase: join(root, 'catalog.db'),
    developmentIssuer: join(root, 'dev-issuer.json'),
    developmentAttester: join(root, 'dev-attester.json'),
    developmentCaptcha: join(root, 'dev-captcha.json'),
  };
}
