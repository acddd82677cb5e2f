import { parseArgs } from 'node:util';
import { PostgresApiKeyStore, SqliteApiKeyStore, type ApiKeyStore } from '../index.js';
import { processOutput, type CliOutput } from './cli-output.js';
import { openDataDirectory, preparePrivateDatabaseFile } from '../development.js';
import { createKeyCommand, listKeysCommand, revokeKeyCommand } from './keys-command.js';
import { attestationTokenCommand, captchaTokenCommand, dpopProofCommand, userTokenCommand } from './token-command.js';

const help = `rampart: manage graphql-rampart credentials for the demo server

Usage:
  npx rampart keys create --app NAME [--scopes a,b] [--expires-in 90d] [--json]
      Issue an API key. It is printed once and stored only as a hash.
  npx rampart keys list [--json]
      List keys: id, app, scopes, status, times. Never the keys themselves.
  npx rampart keys revoke ID
      Revoke a key by id. Servers sharing the data directory refuse it from their next request.
  npx rampart token user --sub ID [--scope "a b"] [--ttl 15m] [--dpop-key FILE]
      Development issuer only: print an access token the running demo accepts. Scopes among
      orders:read orders:write reviews:write catalog:admin (default: the first three). With
      --dpop-key, the token is bound to that key pair (created when FILE does not exist).
  npx rampart token attestation [--bind "AUTHORIZATION HEADER VALUE"] [--ttl 5m]
      Development attester only: print an Approov-format attestation token the running demo
      accepts (send it as Approov-Token). --bind ties it to that exact Authorization value.
  npx rampart token captcha --action NAME [--score 0.9]
      Development captcha provider only: print a single-use token the running demo accepts
      for that action (send it as X-Captcha-Token).
  npx rampart token dpop-proof --dpop-key FILE --url URL --token TOKEN [--method POST]
      Print a DPoP proof for one request (send it in the DPoP header, the token as
      Authorization: DPoP TOKEN). One proof per request.

Environment:
  DATA_DIR      where the demo keeps its files (default: .data in the working directory)
  DATABASE_URL  postgres://… : keys in PostgreSQL, as the demo's instances share them
  NODE_ENV   production refuses the token commands (development providers only)
`;

/** Runs the `rampart` command; returns the exit code (0 done, 1 failed, 2 usage). */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: CliOutput = processOutput(),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        app: { type: 'string' },
        scopes: { type: 'string' },
        'expires-in': { type: 'string' },
        sub: { type: 'string' },
        scope: { type: 'string' },
        ttl: { type: 'string' },
        'dpop-key': { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        method: { type: 'string' },
        bind: { type: 'string' },
        action: { type: 'string' },
        score: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return out.usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [group, command, ...rest] = positionals;
  if (values.help || group === undefined || group === 'help') {
    out.print(help.trimEnd());
    return group === undefined && !values.help ? 2 : 0;
  }
  if (group === 'token') {
    if (env['NODE_ENV'] === 'production') {
      out.error('rampart token: development providers only; NODE_ENV=production refuses them.');
      return 1;
    }
    if (command === 'user' && rest.length === 0) {
      const directory = openDataDirectory(env['DATA_DIR']);
      return userTokenCommand(
        directory,
        { sub: values.sub, scope: values.scope, ttl: values.ttl, dpopKey: values['dpop-key'], port: env['PORT'] },
        out,
      );
    }
    if (command === 'dpop-proof' && rest.length === 0) {
      return dpopProofCommand(
        { dpopKey: values['dpop-key'], url: values.url, token: values.token, method: values.method },
        out,
      );
    }
    if (command === 'attestation' && rest.length === 0) {
      return attestationTokenCommand(openDataDirectory(env['DATA_DIR']), { bind: values.bind, ttl: values.ttl }, out);
    }
    if (command === 'captcha' && rest.length === 0) {
      return captchaTokenCommand(openDataDirectory(env['DATA_DIR']), { action: values.action, score: values.score }, out);
    }
    return out.usage('token takes one of: user, attestation, captcha, dpop-proof');
  }
  if (group !== 'keys') return out.usage(`unknown command "${group}"`);
  if (command === undefined || !['create', 'list', 'revoke'].includes(command)) {
    return out.usage('keys takes one of: create, list, revoke');
  }
  if (rest.length > (command === 'revoke' ? 1 : 0)) return out.usage(`unexpected argument "${rest.at(-1)}"`);

  const { store, close } = await openKeyStore(env);
  try {
    if (command === 'create') {
      return await createKeyCommand(
        store,
        { app: values.app, scopes: values.scopes, expiresIn: values['expires-in'], json: values.json },
        out,
      );
    }
    if (command === 'list') return await listKeysCommand(store, { json: values.json }, out);
    return await revokeKeyCommand(store, rest[0], out);
  } finally {
    await close();
  }
}

/**
 * The key store the demo uses: PostgreSQL when `DATABASE_URL` is set (shared by every instance),
 * otherwise the SQLite file in `DATA_DIR`. The drivers load only when needed.
 */
async function openKeyStore(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ store: ApiKeyStore; close: () => Promise<void> }> {
  const databaseUrl = env['DATABASE_URL'];
  if (databaseUrl !== undefined && databaseUrl !== '') {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 5000 });
    // An idle connection the server closes (restart, failover) is an 'error' event: without a
    // listener it would crash the command. The next query reconnects or fails with a clear line.
    pool.on('error', () => undefined);
    return { store: await PostgresApiKeyStore.open(pool), close: () => pool.end() };
  }
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(preparePrivateDatabaseFile(openDataDirectory(env['DATA_DIR']).keysDatabase));
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return {
    store: new SqliteApiKeyStore(database),
    close: async () => {
      database.close();
    },
  };
}
