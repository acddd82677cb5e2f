import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative as relativePath } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { describeDatabaseUrl } from '../../src/cli/key-store.js';
import { runCli } from '../../src/cli/main.js';
import { apiKeyPattern, publicDirective, requiresApiKeyDirective, SqliteApiKeyStore } from '../../src/index.js';
import { capturedOutput } from '../support/captured-output.js';
import { errorCodes, protectedSchema, run } from '../support/harness.js';
import { postgresAvailable, temporaryPostgresDatabase } from '../support/postgres.js';
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
  const key = stdout
    .split('\n')
    .map((line) => line.trim())
    .find((line) => apiKeyPattern.test(line));
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
    const schema = protectedSchema(
      'type Query { x: String @requiresApiKey(scopes: ["orders"]) }',
      [requiresApiKeyDirective({ store }), publicDirective()],
      { Query: { x: () => 'ok' } },
    );
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
    expect(revoked.stdout).toBe(`Revoked API key ${id}. Every server using this data directory refuses it from its next request.`);
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

  it('create says where the key is stored: the absolute path of keys.db', async () => {
    const { code, stdout } = await cli('keys', 'create', '--app', 'demo');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const keyLine = lines.findIndex((line) => apiKeyPattern.test(line.trim()));
    expect(lines.slice(keyLine + 1)).toEqual([
      '',
      `Stored in ${join(dataDir.path, 'keys.db')}: a server started with the same DATA_DIR accepts it.`,
      'Send it in the X-API-Key header, never in the URL.',
    ]);
  });

  it('create with a relative DATA_DIR names the absolute path', async () => {
    const out = capturedOutput();
    const relative = relativePath(process.cwd(), dataDir.path);
    expect(await runCli(['keys', 'create', '--app', 'demo', '--json'], { DATA_DIR: relative }, out)).toBe(0);
    expect((JSON.parse(out.stdout.join('')) as { storedIn: string }).storedIn).toBe(join(dataDir.path, 'keys.db'));
  });

  it('create without better-sqlite3 installed says to install it (or to set DATABASE_URL), not "Cannot find package"', async () => {
    const out = capturedOutput();
    const code = await runCli(['keys', 'create', '--app', 'demo'], { DATA_DIR: dataDir.path }, out, {
      load: importWithout('better-sqlite3'),
    });
    expect(code).toBe(1);
    expect(out.stdout).toEqual([]);
    expect(out.stderr).toEqual([
      'rampart keys create: The API keys are kept in SQLite (keys.db in DATA_DIR), which needs the better-sqlite3 package: ' +
        'run npm install better-sqlite3, or set DATABASE_URL=postgres://… to keep them in PostgreSQL.',
    ]);
    expect(readdirSync(dataDir.path)).toEqual([]);
  });

  it('keys list with DATABASE_URL and without pg installed says to install pg', async () => {
    const out = capturedOutput();
    const code = await runCli(['keys', 'list'], { DATABASE_URL: 'postgres://127.0.0.1:1/none' }, out, { load: importWithout('pg') });
    expect(code).toBe(1);
    expect(out.stderr.join('\n')).toContain('needs the pg package: run npm install pg');
    expect(out.stderr.join('\n')).not.toContain('Cannot find package');
  });

  it('a driver that is installed but fails to load is not reported as missing', async () => {
    const broken = new Error('Could not locate the bindings file');
    const load = async (specifier: string) => (specifier === 'better-sqlite3' ? Promise.reject(broken) : import(specifier));
    await expect(runCli(['keys', 'list'], { DATA_DIR: dataDir.path }, capturedOutput(), { load })).rejects.toBe(broken);
  });
});

/** Imports modules as Node does, except `missing`, which fails as an uninstalled package does. */
function importWithout(missing: string) {
  return (specifier: string) => import(specifier === missing ? `${missing}-not-installed-in-this-test` : specifier);
}

describe.runIf(await postgresAvailable())('rampart keys with DATABASE_URL', () => {
  let database: Awaited<ReturnType<typeof temporaryPostgresDatabase>>;
  beforeAll(async () => {
    database = await temporaryPostgresDatabase();
  });
  afterAll(() => database.drop());

  it('create says which PostgreSQL database holds the key, without user, password or parameters', async () => {
    const url = new URL(database.url);
    url.username = 'postgres';
    url.password = 's3cret-pass';
    url.search = '?application_name=rampart-cli&password=s3cret-param';
    const out = capturedOutput();
    expect(await runCli(['keys', 'create', '--app', 'demo'], { DATABASE_URL: url.href }, out)).toBe(0);
    const stdout = out.stdout.join('\n');
    expect(stdout).toContain(
      `Stored in PostgreSQL postgres://${url.host}${url.pathname}: a server started with the same DATABASE_URL accepts it.`,
    );
    expect(stdout).not.toMatch(/s3cret|postgres:s|application_name/);
  });
});

describe('describeDatabaseUrl', () => {
  it.each([
    ['postgres://user:pw@db.internal:5432/shop?sslmode=require', 'postgres://db.internal:5432/shop'],
    ['postgresql://user@[::1]/shop', 'postgresql://[::1]/shop'],
    ['postgres://host', 'postgres://host'],
    ['not a url user:pw@', '(DATABASE_URL)'],
  ])('describes %s as %s', (url, described) => {
    expect(describeDatabaseUrl(url)).toBe(described);
  });
});

describe('rampart help and version', () => {
  it('--help lists every command with its usage line and exits 0', async () => {
    const { code, stdout, stderr } = await cli('--help');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const command of commands) expect(stdout).toContain(`  npx rampart ${command.name} ${command.synopsis}`.trimEnd());
    expect(stdout).toContain('Run npx rampart COMMAND --help for one command');
  });

  it('with no arguments prints the commands and exits 2', async () => {
    const { code, stdout } = await cli();
    expect(code).toBe(2);
    expect(stdout).toContain('npx rampart keys create --app NAME');
  });

  it.each(commands.map((command) => [command.name, command] as const))(
    "%s --help prints that command's usage, options and an example",
    async (name, command) => {
      const { code, stdout, stderr } = await cli(...name.split(' '), '--help');
      expect(code).toBe(0);
      expect(stderr).toBe('');
      const lines = stdout.split('\n');
      expect(lines[0]).toBe(`Usage: npx rampart ${name} ${command.synopsis}`.trimEnd());
      for (const option of Object.keys(command.options)) expect(stdout).toMatch(new RegExp(`^  --${option}\\b`, 'm'));
      expect(lines.slice(-2)).toEqual(['Example:', `  ${command.example}`]);
      expect(command.example.startsWith(`npx rampart ${name}`)).toBe(true);
      // Its own page: no other command's usage.
      for (const other of commands.filter((candidate) => candidate !== command)) {
        expect(stdout).not.toContain(`npx rampart ${other.name} `);
      }
    },
  );

  it('keys create --help prints exactly this page', async () => {
    const { stdout } = await cli('keys', 'create', '-h');
    expect(stdout).toBe(
      [
        'Usage: npx rampart keys create --app NAME [--scopes a,b] [--expires-in 90d] [--json]',
        '',
        'Issue an API key for an app and print it once; only its hash is stored, in keys.db in DATA_DIR',
        '(or in PostgreSQL with DATABASE_URL), where a demo started with the same setting reads it.',
        '',
        'Options:',
        '  --app NAME        the app the key is issued to (required)',
        '  --scopes a,b      comma-separated scopes the key carries (default: none)',
        '  --expires-in 90d  the key expires after this long (default: never)',
        '  --json            print JSON instead of text',
        '  -h, --help        this help',
        '',
        'Environment:',
        "  DATA_DIR      the demo's data directory, where keys and development keys live (default: .data in the working directory)",
        "  DATABASE_URL  postgres://… : keys in PostgreSQL, as the demo's instances share them (needs npm install pg)",
        '',
        'Example:',
        '  npx rampart keys create --app ios --scopes catalog:read --expires-in 90d',
      ].join('\n'),
    );
  });

  it('--help after a command runs nothing, whatever else is given', async () => {
    expect((await cli('keys', 'create', '--app', 'demo', '--help')).code).toBe(0);
    expect((await cli('keys', 'create', '--colour', '--help')).code).toBe(0);
    expect((await cli('keys', 'list', '--json')).stdout).toBe('[]');
  });

  it('help COMMAND is the same page as COMMAND --help', async () => {
    expect((await cli('help', 'token', 'captcha')).stdout).toBe((await cli('token', 'captcha', '--help')).stdout);
  });

  it('keys --help lists the keys commands only', async () => {
    const { code, stdout } = await cli('keys', '--help');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('Usage: npx rampart keys create|list|revoke [options]');
    expect(stdout).not.toContain('token user');
  });

  it('token COMMAND --help answers even under NODE_ENV=production', async () => {
    const out = capturedOutput();
    expect(await runCli(['token', 'user', '--help'], { NODE_ENV: 'production' }, out)).toBe(0);
    expect(out.stdout[0]).toMatch(/^Usage: npx rampart token user --sub ID/);
  });

  it.each([['--version'], ['-v']])('%s prints the version of package.json', async (flag) => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const { code, stdout } = await cli(flag);
    expect(code).toBe(0);
    expect(stdout).toBe(manifest.version);
  });
});

describe('rampart usage mistakes, in its own words', () => {
  it.each([
    [['keys', 'list', '--colour'], 'keys list has no option "--colour" (its options: --json)', 'keys list'],
    [
      ['keys', 'create', '--scope', 'a'],
      'keys create has no option "--scope"; did you mean --scopes? (its options: --app, --scopes, --expires-in, --json)',
      'keys create',
    ],
    [['keys', 'create', '--app'], '--app needs a value, as in --app NAME', 'keys create'],
    [['keys', 'create', '--app', '--json'], '--app needs a value, as in --app NAME', 'keys create'],
    [['keys', 'create', '--app', 'x', '--json=yes'], '--json takes no value', 'keys create'],
    [['keys', 'create', '--app', 'x', '--app', 'y'], '--app is given twice; give it once', 'keys create'],
    [['keys', 'create', 'demo'], 'keys create takes no arguments, only options: unexpected "demo"', 'keys create'],
    [['keys', 'revoke', '0123456789abcdef', 'extra'], 'keys revoke takes ID only: unexpected "extra"', 'keys revoke'],
    [['keys', 'revoke', '0123456789abcdef', '--json'], 'keys revoke takes no options: unexpected "--json"', 'keys revoke'],
    [['token', 'user', '-x'], 'token user has no option "-x"', 'token user'],
    [['token', 'user'], 'token user needs --sub ID', 'token user'],
    [['token', 'captcha', '--action'], '--action needs a value, as in --action NAME', 'token captcha'],
    [['token', 'dpop-proof', '--dpop-key', 'missing.jwk'], 'token dpop-proof needs --dpop-key FILE', 'token dpop-proof'],
    [['tokn', 'user'], 'unknown command "tokn"; did you mean token?', undefined],
    [['--app', 'demo', 'keys', 'create'], 'unknown option "--app": options go after the command', undefined],
    [['help', 'keys', 'rotate'], 'no help for "keys rotate": it is not a command', undefined],
  ])('%j exits 2 saying so, and which help to read', async (argv, message, command) => {
    const { code, stdout, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [first, second, ...more] = stderr.split('\n');
    expect(first).toContain(`rampart: ${message}`);
    expect(second).toBe(
      command === undefined
        ? 'Run npx rampart --help for the commands.'
        : `Run npx rampart ${command} --help for its options and an example.`,
    );
    expect(more).toEqual([]);
    // Never Node's own parseArgs wording.
    expect(stderr).not.toMatch(/Unknown option '|ERR_PARSE_ARGS|To specify a positional argument|argument is ambiguous/);
  });

  it('quotes a hostile option in the message: control characters escaped, length bounded', async () => {
    const { code, stderr } = await cli('keys', 'list', `--\u001b[31m${'x'.repeat(10_000)}`);
    expect(code).toBe(2);
    expect(stderr).not.toContain('\u001b');
    expect(stderr).toContain('"--\\u001b[31mxxx');
    expect(stderr.length).toBeLessThan(300);
  });
});
