import { parseDuration } from '../development.js';
import { issueApiKey, type ApiKeyRecord, type ApiKeyStore } from '../index.js';
import type { CliOutput } from './cli-output.js';

/** Where a created key is stored, as {@link createKeyCommand} tells it. */
export interface KeyStoreLocation {
  /** The SQLite file's absolute path, or the PostgreSQL database without credentials. */
  readonly location: string;
  /** The setting a server needs to read the same keys. */
  readonly setting: 'DATA_DIR' | 'DATABASE_URL';
}

/**
 * `rampart keys create --app NAME [--scopes a,b] [--expires-in 90d] [--json]`: prints the key
 * once, then where it is stored (`storedIn`), so that the server reading the same store is found.
 */
export async function createKeyCommand(
  store: ApiKeyStore,
  options: {
    app?: string | undefined;
    scopes?: string | undefined;
    expiresIn?: string | undefined;
    json?: boolean | undefined;
    storedIn?: KeyStoreLocation | undefined;
  },
  out: CliOutput,
  now: () => number = Date.now,
): Promise<number> {
  if (options.app === undefined) return out.usage('keys create needs --app NAME');
  const scopes = (options.scopes ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope.length > 0);
  let expiresAt: number | null = null;
  if (options.expiresIn !== undefined) {
    const duration = parseExpiresIn(options.expiresIn);
    if (duration === undefined) return out.usage('--expires-in takes a duration such as 90d, 12h or 30m');
    expiresAt = now() + duration;
  }
  let issued;
  try {
    issued = await issueApiKey(store, { app: options.app, scopes, expiresAt, now });
  } catch (error) {
    if (error instanceof TypeError) return out.usage(error.message.replace(/^issueApiKey: /, ''));
    throw error;
  }
  const { key, record } = issued;
  if (options.json) {
    out.print(JSON.stringify({ key, ...describe(record, now()), ...(options.storedIn ? { storedIn: options.storedIn.location } : {}) }));
    return 0;
  }
  out.print(
    `Created API key ${record.id} for app "${record.app}" (scopes: ${record.scopes.join(', ') || 'none'}${
      record.expiresAt === null ? '' : `; expires ${new Date(record.expiresAt).toISOString()}`
    }).`,
  );
  out.print('Copy it now: it is shown only this once and stored only as a hash.');
  out.print('');
  out.print(`  ${key}`);
  out.print('');
  if (options.storedIn !== undefined) {
    const { location, setting } = options.storedIn;
    out.print(`Stored in ${location}: a server started with the same ${setting} accepts it.`);
  }
  out.print('Send it in the X-API-Key header, never in the URL.');
  return 0;
}

/** `rampart keys list [--json]`: never shows a key, only ids and metadata. */
export async function listKeysCommand(
  store: ApiKeyStore,
  options: { json?: boolean | undefined },
  out: CliOutput,
  now: () => number = Date.now,
): Promise<number> {
  const records = await store.list();
  const rows = records.map((record) => describe(record, now()));
  if (options.json) {
    out.print(JSON.stringify(rows));
    return 0;
  }
  if (rows.length === 0) {
    out.print('No API keys yet. Create one with: npx rampart keys create --app NAME');
    return 0;
  }
  const header = ['ID', 'APP', 'SCOPES', 'STATUS', 'CREATED', 'LAST USED', 'EXPIRES'];
  const table = rows.map((row) => [
    row.id,
    row.app,
    row.scopes.join(',') || '-',
    row.status,
    row.createdAt,
    row.lastUsedAt ?? '-',
    row.expiresAt ?? '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((row) => String(row[column]).length)));
  for (const line of [header, ...table]) {
    out.print(
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
  return 0;
}

/** `rampart keys revoke ID` */
export async function revokeKeyCommand(
  store: ApiKeyStore,
  id: string | undefined,
  out: CliOutput,
  now: () => number = Date.now,
): Promise<number> {
  if (id === undefined || !/^[0-9a-f]{16}$/.test(id)) {
    return out.usage('keys revoke needs the key id (16 hex characters) that keys list shows');
  }
  if (!(await store.revoke(id, now()))) {
    out.error(`No API key with id ${id}.`);
    return 1;
  }
  out.print(`Revoked API key ${id}. Every server using this data directory refuses it from its next request.`);
  return 0;
}

interface KeyDescription {
  id: string;
  app: string;
  scopes: readonly string[];
  status: 'active' | 'revoked' | 'expired';
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

function describe(record: ApiKeyRecord, now: number): KeyDescription {
  const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
  const status =
    record.revokedAt !== null && record.revokedAt <= now
      ? 'revoked'
      : record.expiresAt !== null && record.expiresAt <= now
        ? 'expired'
        : 'active';
  return {
    id: record.id,
    app: record.app,
    scopes: record.scopes,
    status,
    createdAt: iso(record.createdAt) as string,
    lastUsedAt: iso(record.lastUsedAt),
    expiresAt: iso(record.expiresAt),
  };
}

function parseExpiresIn(text: string): number | undefined {
  const value = parseDuration(text);
  return value !== undefined && value > 0 ? value : undefined;
}
