import { resolve } from 'node:path';
import { defaultDataDirectory } from '../development.js';
import type { DemoConfig } from './config.js';

/**
 * The command that creates an API key this demo accepts, as its start message and its browser
 * page show it: with `DATA_DIR=<absolute path>` in front when the demo's data directory is not the
 * one `npx rampart` uses by default (`.data` in the working directory), and with `DATABASE_URL`
 * when the keys are in PostgreSQL, so that the key goes where the running server reads.
 */
export function keyCreateCommand(config: Pick<DemoConfig, 'dataDir' | 'databaseUrl'>, workingDirectory: string = process.cwd()): string {
  const command = 'npx rampart keys create --app demo';
  // The URL holds credentials: named, never printed.
  if (config.databaseUrl !== undefined) return `DATABASE_URL=<the demo's DATABASE_URL> ${command}`;
  const dataDir = resolve(workingDirectory, config.dataDir && config.dataDir.length > 0 ? config.dataDir : defaultDataDirectory);
  if (dataDir === resolve(workingDirectory, defaultDataDirectory)) return command;
  return `DATA_DIR=${shellQuoted(dataDir)} ${command}`;
}

/** `text` as one POSIX shell word: as it is when plain, else in single quotes. */
export function shellQuoted(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
