import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPattern } from '../../src/index.js';
import { repositoryRoot, startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { temporaryDirectory } from '../support/temp-directory.js';

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
  afterAll(async () => {
    demo.child.kill('SIGKILL');
  });

  it('prints the URL and the exact command that creates a key', () => {
    expect(demo.output()).toContain('npx rampart keys create --app demo');
    expect(demo.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\/graphql/);
  });

  it('walks the contract: key created, products served, refused without it and in the URL, a user token accepted, the key refused after revocation', async () => {
    const created = await rampart('keys', 'create', '--app', 'demo');
    const key = created.stdout.split('\n').map((line) => line.trim()).find((line) => apiKeyPattern.test(line));
    expect(key).toBeDefined();
    const query = '{ products(first: 3) { edges { node { name price } } } }';

    const served = await graphql(demo.endpoint, query, { 'x-api-key': key as string });
    expect(served.errors).toBeUndefined();
    expect(served.data.products.edges).toHaveLength(3);

    expect((await graphql(demo.endpoint, query)).errors?.[0]?.extensions.code).toBe('API_KEY_REQUIRED');
    expect((await graphql(demo.endpoint, query, {}, `${demo.endpoint.href}?api_key=${key}`)).errors?.[0]?.extensions.code).toBe(
      'API_KEY_REQUIRED',
    );

    const signUp = await graphql(
      demo.endpoint,
      'mutation { signUp(email: "e2e@example.com", password: "correct horse battery") { id } }',
      { 'x-api-key': key as string, 'x-captcha-token': (await rampart('token', 'captcha', '--action', 'signup')).stdout.trim() },
    );
    const token = (await rampart('token', 'user', '--sub', signUp.data.signUp.id)).stdout.trim();
    const me = await graphql(demo.endpoint, '{ me { email } }', { 'x-api-key': key as string, authorization: `Bearer ${token}` });
    expect(me).toEqual({ data: { me: { email: 'e2e@example.com' } } });
    expect(demo.output()).not.toContain(token.split('.')[2]);

    const listed = await rampart('keys', 'list');
    expect(listed.stdout).not.toContain(key as string);
    await rampart('keys', 'revoke', (key as string).slice(8, 24));
    const refused = await graphql(demo.endpoint, query, { 'x-api-key': key as string });
    expect(refused.errors?.[0]?.extensions.code).toBe('API_KEY_INVALID');
    expect(demo.output()).not.toContain((key as string).slice(-43));
  });
});

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s, lets an in-flight request finish, then exits 0', async (signal) => {
    const demo = await startDemoProcess({ DATA_DIR: dataDir.path });
    const body = JSON.stringify({ query: '{ __typename }' });
    const socket = connect(Number(demo.endpoint.port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Headers and half of the body: the request is in flight when the signal arrives.
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    demo.child.kill(signal);
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.write(body.slice(10));
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(response).toContain('"data":{"__typename":"Query"}');
    expect(await demo.exited).toBe(0);
    expect(demo.output()).toContain(`${signal}: finishing in-flight requests, then exiting.`);
  });
});

describe('a store that cannot be reached at start', () => {
  it('exits 1 with one clear line: no stack trace, no password', async () => {
    const closedPort = 'postgres://shop:start-password-never-shown@127.0.0.1:1/shop';
    const started = startDemoProcess({ DATA_DIR: dataDir.path, DATABASE_URL: closedPort });
    const failure = await started.then(
      () => expect.unreachable('the demo started without its database'),
      (error: Error) => error.message,
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
      (error: Error) => error.message,
    );
    expect(failure).toContain('graphql-rampart demo: could not start: Redis (REDIS_URL) did not answer within 5 s');
    expect(failure).not.toContain('redis-password-never-shown');
    expect(failure).not.toMatch(/^\s+at /m);
  });
});
