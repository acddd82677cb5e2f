import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { documentIdOf } from '../../src/trusted-documents.js';
import { capturedOutput } from '../support/captured-output.js';
import { postgresAvailable, temporaryPostgresDatabase } from '../support/postgres.js';
import { temporaryDirectory } from '../support/temp-directory.js';

const listing = 'query Listing { products(first: 20) { edges { node { id name } } } }';
const categories = 'query Categories { categories { id name } }';

let dataDir: { path: string; remove: () => void };
beforeEach(() => {
  dataDir = temporaryDirectory();
});
afterEach(() => dataDir.remove());

function manifest(name: string, documents: Record<string, string>): string {
  const path = `${dataDir.path}/${name}`;
  writeFileSync(path, JSON.stringify(documents));
  return path;
}

const postgres = await postgresAvailable();
let database: Awaited<ReturnType<typeof temporaryPostgresDatabase>> | undefined;
beforeAll(async () => {
  if (postgres) database = await temporaryPostgresDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const backends: Array<[string, () => Record<string, string>]> = [
  ['SQLite in DATA_DIR', () => ({})],
  ...(postgres
    ? [['PostgreSQL (DATABASE_URL)', () => ({ DATABASE_URL: database?.url ?? '' })] as [string, () => Record<string, string>]]
    : []),
];

describe.each(backends)('rampart documents on %s', (_name, extraEnv) => {
  async function cli(...argv: string[]) {
    const out = capturedOutput();
    const code = await runCli(argv, { DATA_DIR: dataDir.path, ...extraEnv() }, out);
    return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
  }

  it('imports a manifest for an app version, lists it live, and retires it', async () => {
    const version = `1.${Math.floor(Math.random() * 1e6)}`;
    const file = manifest('v1.json', { [documentIdOf(listing)]: listing, [documentIdOf(categories)]: categories });
    const imported = await cli('documents', 'import', file, '--app-version', version);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`Imported 2 trusted documents for app version ${version}.`);
    const listed = JSON.parse((await cli('documents', 'list', '--json')).stdout) as Array<{
      appVersion: string;
      documents: number;
      status: string;
    }>;
    expect(listed.find((row) => row.appVersion === version)).toMatchObject({ documents: 2, status: 'live' });
    expect((await cli('documents', 'retire', version)).code).toBe(0);
    const after = JSON.parse((await cli('documents', 'list', '--json')).stdout) as Array<{ appVersion: string; status: string }>;
    expect(after.find((row) => row.appVersion === version)?.status).toBe('retired');
  });

  it('refuses a manifest whose id and document disagree, importing nothing, and says which id', async () => {
    const edited = listing.replace('name', 'name price');
    const file = manifest('bad.json', { [documentIdOf(categories)]: categories, [documentIdOf(listing)]: edited });
    const result = await cli('documents', 'import', file, '--app-version', 'bad-1');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${documentIdOf(listing)}: the id is not the SHA-256 of its document`);
    expect(result.stderr).not.toContain('price');
    const listed = JSON.parse((await cli('documents', 'list', '--json')).stdout) as Array<{ appVersion: string }>;
    expect(listed.map((row) => row.appVersion)).not.toContain('bad-1');
  });

  it('says when the version to retire does not exist', async () => {
    const result = await cli('documents', 'retire', 'never-imported');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No app version never-imported');
  });

  it.each([
    ['no file', ['documents', 'import', '--app-version', '1.0.0'], 2],
    ['no app version', ['documents', 'import', 'x.json'], 2],
    ['a hostile app version', ['documents', 'import', 'FILE', '--app-version', "1'; DROP TABLE x"], 2],
    ['a file that does not exist', ['documents', 'import', '/nonexistent/manifest.json', '--app-version', '1.0.0'], 1],
    ['a file that is not JSON', ['documents', 'import', 'NOT_JSON', '--app-version', '1.0.0'], 1],
  ])('refuses %s with a clear line', async (_name, argv, code) => {
    const file = manifest('ok.json', { [documentIdOf(listing)]: listing });
    writeFileSync(`${dataDir.path}/not.json`, '{ nope');
    const resolved = argv.map((word) => (word === 'FILE' ? file : word === 'NOT_JSON' ? `${dataDir.path}/not.json` : word));
    const result = await cli(...resolved);
    expect(result.code).toBe(code);
    expect(result.stderr.length).toBeGreaterThan(10);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
