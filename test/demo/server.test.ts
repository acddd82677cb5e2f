import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDemoConfig } from '../../src/demo/config.js';
import { createDemoServer, type DemoServer } from '../../src/demo/server.js';
import { issueApiKey, SqliteApiKeyStore } from '../../src/index.js';
import { ifSetUp } from '../support/set-up.js';
import { temporaryDirectory } from '../support/temp-directory.js';

let dataDir: ReturnType<typeof temporaryDirectory>;
let server: DemoServer;
let endpoint: URL;
let key: string;
let keyId: string;
let scopedOut: string;
const logLines: string[] = [];

beforeAll(async () => {
  dataDir = temporaryDirectory();
  server = createDemoServer(readDemoConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir.path }), (line) => logLines.push(line));
  endpoint = await server.start();
  const store = new SqliteApiKeyStore(new Database(`${dataDir.path}/keys.db`));
  const issued = await issueApiKey(store, { app: 'demo-test' });
  key = issued.key;
  keyId = issued.record.id;
  scopedOut = (await issueApiKey(store, { app: 'to-revoke' })).key;
});

afterAll(async () => {
  await ifSetUp(server)?.stop();
  ifSetUp(dataDir)?.remove();
});

async function post(body: unknown, headers: Record<string, string> = {}, url: URL | string = endpoint) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: safeJson(text) };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A request with raw, possibly repeated, header lines (fetch would merge them). */
function rawPost(headers: Record<string, string | string[]>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      endpoint,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const listing = { query: '{ products(first: 2) { edges { cursor node { id name price category { name } } } pageInfo { hasNextPage } } }' };

describe('the demo server', () => {
  it('answers /healthz', async () => {
    const response = await fetch(new URL('/healthz', endpoint));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves the catalog to a caller with a key', async () => {
    const { status, json } = await post(listing, { 'x-api-key': key });
    expect(status).toBe(200);
    expect(json.errors).toBeUndefined();
    expect(json.data.products.edges).toHaveLength(2);
    expect(json.data.products.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses a caller without a key with API_KEY_REQUIRED on the field, HTTP 200', async () => {
    const { status, json } = await post(listing);
    expect(status).toBe(200);
    expect(json).toEqual({
      errors: [
        {
          message: 'This field requires an API key. Send it in the X-API-Key header.',
          locations: [{ line: 1, column: 3 }],
          path: ['products'],
          extensions: { code: 'API_KEY_REQUIRED' },
        },
      ],
      data: null,
    });
  });

  it('refuses a key in the URL even with a valid header, and never logs it', async () => {
    const { json } = await post(listing, { 'x-api-key': key }, `${endpoint.href}?api_key=${key}`);
    expect(json.errors[0].extensions).toEqual({ code: 'API_KEY_REQUIRED' });
    expect(json.errors[0].message).toContain('never in the URL');
    expect(logLines.join('\n')).not.toContain(key.slice(-43));
  });

  it('refuses two X-API-Key header lines', async () => {
    const { status, text } = await rawPost({ 'x-api-key': [key, key] }, JSON.stringify(listing));
    expect(status).toBe(200);
    expect(JSON.parse(text).errors[0].extensions).toEqual({ code: 'API_KEY_INVALID' });
  });

  it('refuses a 10 KB key and non-ASCII bytes on the wire without echoing them', async () => {
    const long = await rawPost({ 'x-api-key': 'k'.repeat(10_240) }, JSON.stringify(listing));
    expect(JSON.parse(long.text).errors[0].extensions).toEqual({ code: 'API_KEY_INVALID' });
    expect(long.text).not.toContain('kkkkkkkk');
    const latin1 = await rawPost({ 'x-api-key': `${key.slice(0, -1)}\u00e9` }, JSON.stringify(listing));
    expect(JSON.parse(latin1.text).errors[0].extensions).toEqual({ code: 'API_KEY_INVALID' });
    expect(latin1.text).not.toContain(key.slice(-43, -1));
  });

  it('refuses a revoked key from the next request', async () => {
    expect((await post(listing, { 'x-api-key': scopedOut })).json.errors).toBeUndefined();
    const store = new SqliteApiKeyStore(new Database(`${dataDir.path}/keys.db`));
    store.revoke(scopedOut.slice(8, 24), Date.now());
    const { json } = await post(listing, { 'x-api-key': scopedOut });
    expect(json.errors[0].extensions).toEqual({ code: 'API_KEY_INVALID' });
  });

  const getQuery = (headers: Record<string, string>) => {
    const url = new URL(endpoint);
    url.searchParams.set('query', '{ categories { name } }');
    return fetch(url, { headers });
  };

  it("serves a GET query that carries only X-API-Key (urql's default): the key forces a browser preflight", async () => {
    const response = await getQuery({ 'x-api-key': key });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { categories: unknown[] } }).data.categories.length).toBeGreaterThan(0);
  });

  it('keeps CSRF prevention on: a simple GET without any preflight-forcing header is refused before execution', async () => {
    const response = await getQuery({});
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]?.message).toMatch(/Cross-Site Request Forgery/);
    // A simple request's headers (Accept, Accept-Language, a simple Content-Type) do not count.
    expect((await getQuery({ accept: 'application/json', 'content-type': 'text/plain' })).status).toBe(400);
  });

  it.each(['x-apollo-operation-name', 'apollo-require-preflight'])("still accepts Apollo's own preflight header %s", async (header) => {
    const response = await getQuery({ [header]: 'true' });
    expect(response.status).toBe(200);
    // Served, and refused by the field's protection: the header is no credential.
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors.map((error) => error.extensions.code)).toEqual(['API_KEY_REQUIRED']);
  });

  it('keeps HTTP batching off', async () => {
    const { status } = await post([listing, listing], { 'x-api-key': key });
    expect(status).toBe(400);
  });

  it('answers 413 to a body over the limit and 400 to malformed JSON, with no stack trace', async () => {
    const big = await post({ query: `{ categories { name } } # ${'x'.repeat(200_000)}` }, { 'x-api-key': key });
    expect(big.status).toBe(413);
    const malformed = await post('{"query": ', { 'x-api-key': key });
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].message).toBe('The request body is not valid JSON.');
    for (const text of [big.text, malformed.text]) expect(text).not.toMatch(/stacktrace|at .*\.(ts|js):\d+/);
  });

  it('sends no stack trace with a GraphQL error', async () => {
    const { text } = await post({ query: '{ products(first: 2, after: "not-a-cursor") { edges { cursor } } }' }, { 'x-api-key': key });
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(text).not.toContain('stacktrace');
  });

  it('answers 404 elsewhere and 405 to other methods on /graphql', async () => {
    expect((await fetch(new URL('/admin', endpoint))).status).toBe(404);
    const put = await fetch(endpoint, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });

  it('answers introspection in development', async () => {
    const { json } = await post({ query: '{ __schema { queryType { name } } }' }, { 'x-api-key': key });
    expect(json.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('answers the standard introspection query (GraphiQL, codegen) and refuses the deep cyclic one', async () => {
    const standard = await post({
      query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true }),
    });
    expect(standard.status).toBe(200);
    expect(standard.json.errors).toBeUndefined();
    expect(standard.json.data.__schema.queryType).toMatchObject({ name: 'Query' });
    const cyclic = await post({ query: '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }' });
    expect(cyclic.status).toBe(400);
    // graphql-js's own MaxIntrospectionDepthRule refuses it too; the operation limits do not rely on it.
    expect(cyclic.json.errors).toContainEqual(
      expect.objectContaining({
        message: 'The introspection query is nested too deeply.',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    );
  });

  it('logs refusals with the key id, never the key', async () => {
    await post({ query: '{ me { id } }' }, { 'x-api-key': key });
    const log = logLines.join('\n');
    expect(log).toContain(`"apiKeyId":"${keyId}"`);
    expect(log).toContain('"code":"UNAUTHENTICATED"');
    expect(log).not.toContain(key.slice(-43));
  });
});

describe('the demo server in production', () => {
  it('refuses introspection', async () => {
    const directory = temporaryDirectory();
    const production = createDemoServer(
      readDemoConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: directory.path,
        NODE_ENV: 'production',
        PUBLIC_ORIGIN: 'https://api.example.com',
        OIDC_ISSUER: 'https://id.example.com/',
        OIDC_AUDIENCE: 'https://api.example.com',
        APPROOV_SECRET: Buffer.alloc(32, 7).toString('base64'),
        CAPTCHA_PROVIDER: 'turnstile',
        CAPTCHA_SECRET: 'not-a-real-secret',
        CAPTCHA_HOSTNAMES: 'shop.example.com',
        // Not the trusted documents: they would refuse the query before introspection is decided.
        TRUSTED_DOCUMENTS: 'off',
      }),
      () => undefined,
    );
    try {
      const url = await production.start();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
      });
      const json = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(response.status).toBe(400);
      expect(json.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await production.stop();
      directory.remove();
    }
  });
});

describe("the demo server's files", () => {
  it('keeps DATA_DIR at 0700 and the databases, their -wal and -shm files and the development keys at 0600', async () => {
    const parent = temporaryDirectory();
    const root = join(parent.path, 'data');
    mkdirSync(root, { mode: 0o755 });
    const demo = createDemoServer(readDemoConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: root }), () => undefined);
    try {
      await demo.start();
      const modes = readdirSync(root).map((file) => [file, statSync(join(root, file)).mode & 0o777] as const);
      expect(modes.map(([file]) => file)).toEqual(
        expect.arrayContaining([
          'catalog.db',
          'catalog.db-wal',
          'catalog.db-shm',
          'keys.db',
          'keys.db-wal',
          'keys.db-shm',
          'dev-issuer.json',
        ]),
      );
      expect(modes.filter(([, mode]) => mode !== 0o600)).toEqual([]);
      expect(statSync(root).mode & 0o777).toBe(0o700);
    } finally {
      await demo.stop();
      parent.remove();
    }
  });
});
