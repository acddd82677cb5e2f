import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { apiKeyPattern, publicDirective, requiresApiKeyDirective, SqliteApiKeyStore } from '../../src/index.js';
import { capturedOutput } from '../support/captured-output.js';
import { errorCodes, protectedSchema, run } from '../support/harness.js';
import { temporaryDirectory } from '../support/temp-directory.js';

let dataDir: { path: string; remove: () => void };
beforeEach(() => {
  dataDir = temporaryDirectory();
});
afterEach(() => dataDir.remove());

async function cli(...argv: string[]) {
  const out = capturedOutput();
  const code = await runCli(argv, { DATA_DIR: dataDir.path }, out);
  return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

function createdKey(stdout: string): string {
  const key = stdout.split('\n').map((line) => line.trim()).find((line) => apiKeyPattern.test(line));
  if (key === undefined) throw new Error('no key printed');
  return key;
}

describe('rampart keys', () => {
  it('create prints a new key once, which the directive then accepts', async () => {
    const { code, stdout } = await cli('keys', 'create', '--app', 'demo', '--scopes', 'catalog:read, orders');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Created API key [0-9a-f]{16} for app "demo" \(scopes: catalog:read, orders\)\./);
    const key = createdKey(stdout);

    const store = new SqliteApiKeyStore(new Database(`${dataDir.path}/keys.db`));
    const schema = protectedSchema('type Query { x: String @requiresApiKey(scopes: ["orders"]) }', [
      requiresApiKeyDirective({ store }),
      publicDirective(),
    ], { Query: { x: () => 'ok' } });
    expect(await run(schema, '{ x }', { headers: { 'x-api-key': key } })).toEqual({ data: { x: 'ok' } });
  });

  it('list shows ids, apps and status but never a key', async () => {
    const created = await cli('keys', 'create', '--app', 'ios');
    const key = createdKey(created.stdout);
    const { code, stdout } = await cli('keys', 'list');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^ID\s+APP\s+SCOPES\s+STATUS\s+CREATED\s+LAST USED\s+EXPIRES$/);
    expect(stdout).toContain(' ios ');
    expect(stdout).toContain('active');
    expect(stdout).not.toContain(key.slice(-43));
    expect(stdout).not.toContain(key);
  });

  it('revoke makes the key refused on the next request of a server sharing the data directory', async () => {
    const store = new SqliteApiKeyStore(new Database(`${dataDir.path}/keys.db`));
    const schema = protectedSchema('type Query { x: String @requiresApiKey }', [requiresApiKeyDirective({ store })], {
      Query: { x: () => 'ok' },
    });
    const key = createdKey((await cli('keys', 'create', '--app', 'ios')).stdout);
    expect(await run(schema, '{ x }', { headers: { 'x-api-key': key } })).toEqual({ data: { x: 'ok' } });

    const id = key.slice('rampart_'.length, 'rampart_'.length + 16);
    const revoked = await cli('keys', 'revoke', id);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(
      `Revoked API key ${id}. Every server using this data directory refuses it from its next request.`,
    );
    expect(errorCodes(await run(schema, '{ x }', { headers: { 'x-api-key': key } }))).toEqual([['x', 'API_KEY_INVALID']]);
    expect((await cli('keys', 'list', '--json')).stdout).toContain('"status":"revoked"');
  });

  it('create --json prints one JSON object with the key', async () => {
    const { stdout } = await cli('keys', 'create', '--app', 'ci', '--json', '--expires-in', '90d');
    const parsed = JSON.parse(stdout) as { key: string; app: string; expiresAt: string; status: string };
    expect(parsed.key).toMatch(apiKeyPattern);
    expect(parsed.app).toBe('ci');
    expect(parsed.status).toBe('active');
    expect(Date.parse(parsed.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
  });

  it.each([
    [['keys', 'create'], 'keys create needs --app NAME'],
    [['keys', 'create', '--app', 'x', '--scopes', 'bad scope'], 'each scope must be'],
    [['keys', 'create', '--app', 'x', '--expires-in', 'soon'], '--expires-in takes a duration'],
    [['keys', 'revoke'], 'keys revoke needs the key id'],
    [['keys', 'revoke', "1' OR '1'='1"], 'keys revoke needs the key id'],
    [['keys', 'rotate'], 'keys takes one of: create, list, revoke'],
    [['tokens'], 'unknown command "tokens"'],
    [['keys', 'list', '--colour'], "Unknown option '--colour'"],
  ])('exits 2 with a usage message for %j', async (argv, message) => {
    const { code, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('exits 1 when revoking an unknown id', async () => {
    const { code, stderr } = await cli('keys', 'revoke', '0123456789abcdef');
    expect(code).toBe(1);
    expect(stderr).toBe('No API key with id 0123456789abcdef.');
  });

  it('keeps a DATA_DIR created 0755 at 0700, and keys.db and the development keys it writes at 0600', async () => {
    const root = join(dataDir.path, 'shared');
    mkdirSync(root, { mode: 0o755 });
    const out = capturedOutput();
    expect(await runCli(['keys', 'create', '--app', 'demo'], { DATA_DIR: root }, out)).toBe(0);
    expect(await runCli(['token', 'user', '--sub', 'u1'], { DATA_DIR: root }, out)).toBe(0);
    const modes = readdirSync(root).map((file) => [file, statSync(join(root, file)).mode & 0o777]);
    expect(modes.map(([file]) => file)).toContain('keys.db');
    expect(modes.filter(([, mode]) => mode !== 0o600)).toEqual([]);
    expect(statSync(root).mode & 0o777).toBe(0o700);
  });

  it('prints help', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('npx rampart keys create --app NAME');
  });
});
