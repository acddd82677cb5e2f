import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPattern } from '../../src/index.js';
import { repositoryRoot, startDemoProcess, waitForOutput, type DemoProcess } from '../support/demo-process.js';
import { startInFlightRequest } from '../support/in-flight-request.js';
import { postgresAdminUrl, postgresAvailable, temporaryPostgresDatabase } from '../support/postgres.js';
import { redisAvailable, redisUrl } from '../support/redis.js';
import { temporaryDirectory } from '../support/temp-directory.js';
import { within } from '../support/within.js';

const run = promisify(execFile);
let dataDir: ReturnType<typeof temporaryDirectory>;

beforeAll(async () => {
  dataDir = temporaryDirectory();
  // The rampart command runs the compiled CLI, as after `npm install`.
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repositoryRoot });
}, 120_000);
afterAll(() => dataDir.remove());

async function rampart(...args: string[]) {
  return run('npx', ['rampart', ...args], { cwd: repositoryRoot, env: { ...process.env, DATA_DIR: dataDir.path } });
}

async function graphql(endpoint: URL, query: string, headers: Record<string, string> = {}, url = endpoint.href) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ extensions: { code: string } }> };
}

describe('npm start and npx rampart, from the outside', () => {
  let demo: DemoProcess;
  beforeAll(async () => {
    demo = await startDemoProcess({ DATA_DIR: dataDir.path });
  });
  afterAll(() => {
    demo.child.kill('SIGKILL');
  });

  it('prints the URL and the exact command that creates a key, with its DATA_DIR', () => {
    expect(demo.output()).toContain(`\n  DATA_DIR=${dataDir.path} npx rampart keys create --app demo\n`);
    expect(demo.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(demo.output()).toContain(
      `Or open ${demo.endpoint.href} in a browser: GraphiQL, with the key in its Headers tab (development only).`,
    );
  });

  it('the printed command, run as printed in the project, creates a key the running server accepts', async () => {
    const line = demo
      .output()
      .split('\n')
      .find((text) => text.includes('npx rampart keys create'));
    const { DATA_DIR: _unset, ...env } = process.env;
    const { stdout } = await run('sh', ['-c', (line as string).trim()], { cwd: repositoryRoot, env });
    expect(stdout).toContain(`Stored in ${join(dataDir.path, 'keys.db')}: a server started with the same DATA_DIR accepts it.`);
    const key = stdout
      .split('\n')
      .map((text) => text.trim())
      .find((text) => apiKeyPattern.test(text)) as string;
    const served = await graphql(demo.endpoint, '{ categories { name } }', { 'x-api-key': key });
    expect(served.errors).toBeUndefined();
  });

  it('walks the contract: key created, products served, refused without it and in the URL, a user token accepted, the key refused after revocation', async () => {
    const created = await rampart('keys', 'create', '--app', 'demo');
    const key = created.stdout
      .split('\n')
      .map((line) => line.trim())
      .find((line) => apiKeyPattern.test(line));
    expect(key).toBeDefined();
    const query = '{ products(first: 3) { edges { node { name price } } } }';

    const served = await graphql(demo.endpoint, query, { 'x-api-key': key as string });
    expect(served.errors).toBeUndefined();
    expect(served.data.products.edges).toHaveLength(3);

    expect((await graphql(demo.endpoint, query)).errors?.[0]?.extensions.code).toBe('API_KEY_REQUIRED');
    expect((await graphql(demo.endpoint, query, {}, `${demo.endpoint.href}?api_key=${key}`)).errors?.[0]?.extensions.code).toBe(
      'API_KEY_REQUIRED',
    );

    const signUp = await graphql(demo.endpoint, 'mutation { signUp(email: "e2e@example.com", password: "correct horse battery") { id } }', {
      'x-api-key': key as string,
      'x-captcha-token': (await rampart('token', 'captcha', '--action', 'signup')).stdout.trim(),
    });
    const token = (await rampart('token', 'user', '--sub', signUp.data.signUp.id)).stdout.trim();
    const me = await graphql(demo.endpoint, '{ me { email } }', { 'x-api-key': key as string, authorization: `Bearer ${token}` });
    expect(me).toEqual({
      data: { me: { email: 'e2e@example.com' } },
      extensions: { cost: expect.objectContaining({ actualQueryCost: 3 }) },
    });
    expect(demo.output()).not.toContain(token.split('.')[2]);

    const listed = await rampart('keys', 'list');
    expect(listed.stdout).not.toContain(key as string);
    await rampart('keys', 'revoke', (key as string).slice(8, 24));
    const refused = await graphql(demo.endpoint, query, { 'x-api-key': key as string });
    expect(refused.errors?.[0]?.extensions.code).toBe('API_KEY_INVALID');
    expect(demo.output()).not.toContain((key as string).slice(-43));
  });
});

/** How long a shutdown may take before a test calls it hung: generous next to the grace period (10 s). */
const exitBoundMs = 20_000;

describe('graceful shutdown', { timeout: 60_000 }, () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s, lets an in-flight request finish, closes both SQLite databases (their -wal files gone) and exits 0',
    async (signal) => {
      const directory = temporaryDirectory();
      const demo = await startDemoProcess({ DATA_DIR: directory.path });
      try {
        expect(existsSync(join(directory.path, 'catalog.db-wal'))).toBe(true);
        const request = await startInFlightRequest(demo.endpoint);
        demo.child.kill(signal);
        await waitForOutput(demo, `${signal}: finishing in-flight requests, then exiting.`);
        request.finish();
        const response = await request.response;
        expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
        expect(response).toContain('"data":{"__typename":"Query"}');
        expect(await within(demo.exited, exitBoundMs)).toBe(0);
        // SQLite checkpoints and removes the -wal file when the last connection closes.
        expect(readdirSync(directory.path).filter((file) => file.endsWith('-wal'))).toEqual([]);
      } finally {
        demo.child.kill('SIGKILL');
        directory.remove();
      }
    },
  );

  it('stops waiting for a request still unfinished after SHUTDOWN_GRACE_MS, closes it and exits 0', async () => {
    const directory = temporaryDirectory();
    const demo = await startDemoProcess({ DATA_DIR: directory.path, SHUTDOWN_GRACE_MS: '500' });
    try {
      const request = await startInFlightRequest(demo.endpoint);
      demo.child.kill('SIGTERM');
      // The body never comes: the connection is closed once the grace period is over.
      expect(await within(request.response, 5_000)).not.toBe('timed out');
      expect(await within(demo.exited, 5_000)).toBe(0);
    } finally {
      demo.child.kill('SIGKILL');
      directory.remove();
    }
  });

  it('exits at once, with 1, on a second signal while a request is still in flight', async () => {
    const directory = temporaryDirectory();
    const demo = await startDemoProcess({ DATA_DIR: directory.path, SHUTDOWN_GRACE_MS: '60000' });
    try {
      await startInFlightRequest(demo.endpoint);
      demo.child.kill('SIGTERM');
      await waitForOutput(demo, 'SIGTERM: finishing in-flight requests, then exiting.');
      demo.child.kill('SIGINT');
      expect(await within(demo.exited, 5_000)).toBe(1);
      expect(demo.output()).toContain('SIGINT again: exiting now, without waiting for in-flight requests.');
    } finally {
      demo.child.kill('SIGKILL');
      directory.remove();
    }
  });
});

const storesAvailable = (await redisAvailable()) && (await postgresAvailable());

describe.skipIf(!storesAvailable)('graceful shutdown with Redis and PostgreSQL', { timeout: 60_000 }, () => {
  it('on SIGTERM, lets an in-flight request finish, closes Redis and the PostgreSQL pools and exits 0', async () => {
    const database = await temporaryPostgresDatabase();
    const directory = temporaryDirectory();
    const name = new URL(database.url).pathname.slice(1);
    const connections = async () => {
      const admin = new pg.Client({ connectionString: postgresAdminUrl });
      await admin.connect();
      try {
        return (await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0].n as number;
      } finally {
        await admin.end();
      }
    };
    const demo = await startDemoProcess({
      DATA_DIR: directory.path,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `test-${randomUUID()}:`,
    });
    try {
      expect(await connections()).toBeGreaterThan(0);
      const request = await startInFlightRequest(demo.endpoint);
      demo.child.kill('SIGTERM');
      await waitForOutput(demo, 'SIGTERM: finishing in-flight requests, then exiting.');
      request.finish();
      const response = await request.response;
      expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(response).toContain('"data":{"__typename":"Query"}');
      expect(await within(demo.exited, exitBoundMs)).toBe(0);
      expect(demo.output()).toContain('"event":"stopped"');
      expect(await connections()).toBe(0);
    } finally {
      demo.child.kill('SIGKILL');
      await database.drop();
      directory.remove();
    }
  });
});

describe('a store that cannot be reached at start', () => {
  it('exits 1 with one clear line: no stack trace, no password', async () => {
    const closedPort = 'postgres://shop:start-password-never-shown@127.0.0.1:1/shop';
    const started = startDemoProcess({ DATA_DIR: dataDir.path, DATABASE_URL: closedPort });
    const failure = await started.then(
      () => expect.unreachable('the demo started without its database'),
      (error: unknown) => (error as Error).message,
    );
    expect(failure).toContain('graphql-rampart demo: could not start: ECONNREFUSED');
    expect(failure).not.toContain('start-password-never-shown');
    expect(failure).not.toMatch(/^\s+at /m);
  });

  it('exits 1 with one clear line when Redis does not answer, rather than serving refusals', async () => {
    const closedPort = 'redis://:redis-password-never-shown@127.0.0.1:1';
    const started = startDemoProcess({ DATA_DIR: dataDir.path, REDIS_URL: closedPort });
    const failure = await started.then(
      () => expect.unreachable('the demo started without its Redis'),
      (error: unknown) => (error as Error).message,
    );
    expect(failure).toContain('graphql-rampart demo: could not start: Redis (REDIS_URL) did not answer within 5 s');
    expect(failure).not.toContain('redis-password-never-shown');
    expect(failure).not.toMatch(/^\s+at /m);
  });
});
