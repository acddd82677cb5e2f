import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExecutionResult } from 'graphql';
import {
  type ApiKeyStore,
  getSecurityContext,
  issueApiKey,
  MemoryApiKeyStore,
  publicDirective,
  requiresApiKeyDirective,
  type RequiresApiKeyOptions,
} from '../../../src/index.js';
import { errorCodes, protectedSchema, run, type TestRequest } from '../../support/harness.js';

const sdl = `
  interface Node @requiresApiKey { id: ID! }
  type Product implements Node { id: ID! name: String! }
  type Report @requiresApiKey(scopes: ["reports:read"]) { total: Int! }
  type Query {
    product: Product @requiresApiKey
    report: Report @requiresApiKey
    nodes: [Node!]! @public
    admin: String @requiresApiKey(scopes: ["catalog:admin"])
    health: String @public
  }
`;
const resolvers = {
  Query: {
    product: () => ({ id: 'p1', name: 'Kettle' }),
    report: () => ({ total: 3 }),
    nodes: () => [{ id: 'p1', name: 'Kettle' }],
    admin: () => 'secret',
    health: () => 'ok',
  },
  Node: { __resolveType: () => 'Product' },
};

let now = 1_000_000;
const clock = () => now;

async function setUp(options: Partial<RequiresApiKeyOptions> = {}) {
  const store = new MemoryApiKeyStore();
  const live = await issueApiKey(store, { app: 'ios', scopes: ['reports:read'], now: clock });
  const admin = await issueApiKey(store, { app: 'back-office', scopes: ['catalog:admin'], now: clock });
  const revoked = await issueApiKey(store, { app: 'old', now: clock });
  store.revoke(revoked.record.id, now);
  const expiring = await issueApiKey(store, { app: 'beta', expiresAt: now + 1000, now: clock });
  const apiKey = requiresApiKeyDirective({ store, clock, ...options });
  const schema = protectedSchema(sdl, [apiKey, publicDirective()], resolvers);
  return { store, schema, live, admin, revoked, expiring };
}

let logged: string[];
beforeEach(() => {
  now = 1_000_000;
  logged = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
  }
});
afterEach(() => vi.restoreAllMocks());

/** Nothing of the presented key reached the response or any log line. */
function expectNoLeak(result: ExecutionResult, key: string): void {
  const secretPart = key.length > 12 ? key.slice(-20) : key;
  expect(JSON.stringify(result)).not.toContain(secretPart);
  expect(logged.join('\n')).not.toContain(secretPart);
}

describe('@requiresApiKey', () => {
  it('serves a field to a live key', async () => {
    const { schema, live } = await setUp();
    const result = await run(schema, '{ product { id name } }', { headers: { 'X-API-Key': live.key } });
    expect(result).toEqual({ data: { product: { id: 'p1', name: 'Kettle' } } });
  });

  describe('refuses hostile and broken input with the exact code and no leak', () => {
    const cases: Array<[string, (keys: Awaited<ReturnType<typeof setUp>>) => TestRequest, string]> = [
      ['no header', () => ({}), 'API_KEY_REQUIRED'],
      ['an empty header', () => ({ headers: { 'x-api-key': '' } }), 'API_KEY_REQUIRED'],
      ['a blank header', () => ({ headers: { 'x-api-key': '   ' } }), 'API_KEY_REQUIRED'],
      ['a 10 KB header', () => ({ headers: { 'x-api-key': 'k'.repeat(10_240) } }), 'API_KEY_INVALID'],
      ['non-ASCII bytes', ({ live }) => ({ headers: { 'x-api-key': `${live.key.slice(0, -1)}é` } }), 'API_KEY_INVALID'],
      [
        'a well-formed unknown key',
        ({ live }) => ({ headers: { 'x-api-key': live.key.replace(/_[0-9a-f]{16}_/, '_0123456789abcdef_') } }),
        'API_KEY_INVALID',
      ],
      ['a known id with the wrong secret', ({ live }) => ({ headers: { 'x-api-key': `${live.key.slice(0, -4)}AAAA` } }), 'API_KEY_INVALID'],
      ['a revoked key', ({ revoked }) => ({ headers: { 'x-api-key': revoked.key } }), 'API_KEY_INVALID'],
      ['two X-API-Key headers', ({ live }) => ({ headers: { 'x-api-key': [live.key, live.key] } }), 'API_KEY_INVALID'],
      ['the key in the URL as api_key', ({ live }) => ({ url: `/graphql?api_key=${live.key}` }), 'API_KEY_REQUIRED'],
      ['the key in the URL as apikey', ({ live }) => ({ url: `/graphql?apikey=${live.key}` }), 'API_KEY_REQUIRED'],
      ['the key in the URL as KEY', ({ live }) => ({ url: `/graphql?KEY=${live.key}` }), 'API_KEY_REQUIRED'],
      ['the key in the URL under the header name', ({ live }) => ({ url: `/graphql?x-api-key=${live.key}` }), 'API_KEY_REQUIRED'],
      [
        'the key in the URL even with a valid header',
        ({ live }) => ({ url: `/graphql?key=${live.key}`, headers: { 'x-api-key': live.key } }),
        'API_KEY_REQUIRED',
      ],
      ['a bearer token in the key header', () => ({ headers: { 'x-api-key': 'Bearer eyJhbGciOiJub25lIn0.e30.' } }), 'API_KEY_INVALID'],
      ['SQL in the key header', () => ({ headers: { 'x-api-key': "rampart_' OR 1=1 --" } }), 'API_KEY_INVALID'],
    ];

    it.each(cases)('%s', async (_name, makeRequest, code) => {
      const keys = await setUp();
      const request = makeRequest(keys);
      const result = await run(keys.schema, '{ product { id } health }', request);
      expect(result.data).toEqual({ product: null, health: 'ok' });
      expect(errorCodes(result)).toEqual([['product', code]]);
      const presented = request.headers?.['x-api-key'];
      for (const value of [presented ?? [], request.url ?? ''].flat()) {
        if (value.trim().length > 0) expectNoLeak(result, value.includes('=') ? (value.split('=')[1] as string) : value);
      }
      expectNoLeak(result, keys.live.key);
    });
  });

  describe('a credential in the URL, however it is spelt, refused even with a valid header', () => {
    it.each([
      ['after ;', (key: string) => `a=1;api_key=${key}`],
      ['as access_token', (key: string) => `access_token=${key}`],
      ['as token', (key: string) => `token=${key}`],
      ['as auth_token', (key: string) => `auth_token=${key}`],
      ['as app_key', (key: string) => `app_key=${key}`],
      ['as accessToken', (key: string) => `accessToken=${key}`],
      ['as ACCESS-TOKEN', (key: string) => `ACCESS-TOKEN=${key}`],
      ['as Api.Key', (key: string) => `Api.Key=${key}`],
      ['as api+key', (key: string) => `api+key=${key}`],
      ['as X_API_KEY', (key: string) => `X_API_KEY=${key}`],
      ['percent-encoded', (key: string) => `%61pi%5Fkey=${key}`],
      ['in full-width letters', (key: string) => `${encodeURIComponent('ａｐｉ＿ｋｅｙ')}=${key}`],
      ['with a zero-width joiner', (key: string) => `api%E2%80%8D_key=${key}`],
      ['with brackets', (key: string) => `api_key[]=${key}`],
      ['inside brackets', (key: string) => `auth[token]=${key}`],
      ['repeated', (key: string) => `key=${key}&key=${key}`],
      ['behind an encoded &', (key: string) => `q=1%26api_key%3D${key}`],
      ['behind an encoded ;', (key: string) => `q=1%3Btoken%3D${key}`],
      ['after a second ?', (key: string) => `?api_key=${key}`],
      ['after a #', (key: string) => `a=1#&api_key=${key}`],
      ['with a dotless i', (key: string) => `ap%C4%B1_key=${key}`],
      ['with a dotted capital I', (key: string) => `AP%C4%B0_KEY=${key}`],
      ['under a name of its own', (key: string) => `k=${key}`],
      ['inside another value', (key: string) => `search=shoes%20${key}`],
      ['as the whole query', (key: string) => key],
      ['double-encoded under any name', (key: string) => `x=${encodeURIComponent(encodeURIComponent(key))}`],
    ])('%s: API_KEY_REQUIRED, and the key in no message', async (_name, query) => {
      const { schema, live } = await setUp();
      const result = await run(schema, '{ product { id } health }', {
        url: `/graphql?${query(live.key)}`,
        headers: { 'x-api-key': live.key },
      });
      expect(result.data).toEqual({ product: null, health: 'ok' });
      expect(errorCodes(result)).toEqual([['product', 'API_KEY_REQUIRED']]);
      expectNoLeak(result, live.key);
    });

    it('serves parameters that merely contain a refused name (monkey, keyboard, tokens_left) or the prefix alone', async () => {
      const { schema, live } = await setUp();
      const result = await run(schema, '{ product { id } }', {
        url: '/graphql?monkey=1&keyboard=2;tokens_left=3&q=rampart_docs',
        headers: { 'x-api-key': live.key },
      });
      expect(result).toEqual({ data: { product: { id: 'p1' } } });
    });
  });

  it('says that keys belong in the header when one is sent in the URL', async () => {
    const { schema, live } = await setUp();
    const result = await run(schema, '{ product { id } }', { url: `/graphql?api_key=${live.key}` });
    expect(result.errors?.[0]?.message).toBe(
      'API keys are accepted only in the X-API-Key header, never in the URL: URLs are logged. Treat a key or token sent in the URL as leaked and rotate it.',
    );
  });

  it('gives unknown, revoked and expired keys the same message', async () => {
    const { schema, revoked, expiring, live } = await setUp();
    now += 5000;
    const messages = await Promise.all(
      [revoked.key, expiring.key, live.key.replace(/_[0-9a-f]{16}_/, '_0123456789abcdef_')].map(
        async (key) => (await run(schema, '{ product { id } }', { headers: { 'x-api-key': key } })).errors?.[0]?.message,
      ),
    );
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toBe('The API key in the X-API-Key header is not valid (unknown, revoked or expired). Use a current key.');
  });

  it('refuses a key once its expiry has passed (injected clock)', async () => {
    const { schema, expiring } = await setUp();
    const request = { headers: { 'x-api-key': expiring.key } };
    expect(errorCodes(await run(schema, '{ product { id } }', request))).toEqual([]);
    now += 1000;
    expect(errorCodes(await run(schema, '{ product { id } }', request))).toEqual([['product', 'API_KEY_INVALID']]);
  });

  it('refuses a key revoked after it was used, on the very next request', async () => {
    const { schema, store, live } = await setUp();
    const request = { headers: { 'x-api-key': live.key } };
    expect(errorCodes(await run(schema, '{ product { id } }', request))).toEqual([]);
    store.revoke(live.record.id, now);
    expect(errorCodes(await run(schema, '{ product { id } }', request))).toEqual([['product', 'API_KEY_INVALID']]);
  });

  it('refuses a key revoked from a machine whose clock runs an hour ahead, at once', async () => {
    const { schema, store, live } = await setUp();
    const request = { headers: { 'x-api-key': live.key } };
    store.revoke(live.record.id, now + 3_600_000);
    expect(errorCodes(await run(schema, '{ product { id } }', request))).toEqual([['product', 'API_KEY_INVALID']]);
  });

  describe('scopes', () => {
    it.each([
      ['a key without the scope', 'live', '{ admin }', [['admin', 'API_KEY_INVALID']]],
      ['a key with the scope', 'admin', '{ admin }', []],
      ['a type-level scope the key holds', 'live', '{ report { total } }', []],
      ['a type-level scope the key lacks', 'admin', '{ report { total } }', [['report.total', 'API_KEY_INVALID']]],
    ] as const)('%s', async (_name, which, query, expected) => {
      const keys = await setUp();
      const result = await run(keys.schema, query, { headers: { 'x-api-key': keys[which].key } });
      expect(errorCodes(result)).toEqual(expected);
    });

    it('does not say which scope is missing or which the key holds', async () => {
      const { schema, live } = await setUp();
      const result = await run(schema, '{ admin }', { headers: { 'x-api-key': live.key } });
      expect(result.errors?.[0]?.message).toBe('This API key is not allowed to use this field. Ask for a key with the scopes it needs.');
      expect(JSON.stringify(result)).not.toMatch(/catalog:admin|reports:read/);
    });
  });

  it('protects every implementation of a protected interface, even behind a public root field', async () => {
    const { schema } = await setUp();
    const result = await run(schema, '{ nodes { id ... on Product { name } } }');
    expect(result.data).toEqual(null);
    expect(errorCodes(result)).toEqual([['nodes.0.id', 'API_KEY_REQUIRED']]);
  });

  it('verifies the key once per request, whatever the number of fields and aliases', async () => {
    const { store, schema, live } = await setUp();
    const findById = vi.spyOn(store, 'findById');
    const aliases = Array.from({ length: 50 }, (_, i) => `p${i}: product { id name }`).join(' ');
    const result = await run(schema, `{ ${aliases} report { total } }`, { headers: { 'x-api-key': live.key } });
    expect(result.errors).toBeUndefined();
    expect(findById).toHaveBeenCalledTimes(1);
  });

  it('makes the key identity (never the key) available to resolvers', async () => {
    const store = new MemoryApiKeyStore();
    const { key, record } = await issueApiKey(store, { app: 'android', scopes: ['s'] });
    const schema = protectedSchema('type Query { whoami: String @requiresApiKey }', [requiresApiKeyDirective({ store })], {
      Query: {
        whoami: (_: unknown, __: unknown, context: unknown) => {
          const proven = getSecurityContext(context)?.proven.apiKey;
          return `${proven?.app}:${proven?.id}:${[...(proven?.scopes ?? [])].join()}`;
        },
      },
    });
    const result = await run(schema, '{ whoami }', { headers: { 'x-api-key': key } });
    expect(result).toEqual({ data: { whoami: `android:${record.id}:s` } });
  });

  it('records the last use at most once per resolution interval', async () => {
    const { store, schema, live } = await setUp({ lastUsedResolutionMs: 60_000 });
    const recordUse = vi.spyOn(store, 'recordUse');
    const request = { headers: { 'x-api-key': live.key } };
    await run(schema, '{ product { id } }', request);
    now += 30_000;
    await run(schema, '{ product { id } }', request);
    now += 30_000;
    await run(schema, '{ product { id } }', request);
    expect(recordUse.mock.calls).toEqual([
      [live.record.id, 1_000_000],
      [live.record.id, 1_060_000],
    ]);
  });

  describe('fails closed when the store cannot answer', () => {
    const failing = (mode: 'throws' | 'rejects'): ApiKeyStore => {
      const store = new MemoryApiKeyStore();
      return Object.assign(store, {
        findById: () => {
          if (mode === 'throws') throw new Error('SQLITE_BUSY near password=hunter2');
          return Promise.reject(new Error('connection refused, password=hunter2'));
        },
      });
    };

    it.each(['throws', 'rejects'] as const)('when it %s: PROTECTION_UNAVAILABLE, reported, not leaked', async (mode) => {
      const reported: unknown[] = [];
      const { live } = await setUp();
      const apiKey = requiresApiKeyDirective({ store: failing(mode), onDependencyError: (error) => reported.push(error) });
      const schema = protectedSchema(sdl, [apiKey, publicDirective()], resolvers);
      const result = await run(schema, '{ product { id } health }', { headers: { 'x-api-key': live.key } });
      expect(result.data).toEqual({ product: null, health: 'ok' });
      expect(errorCodes(result)).toEqual([['product', 'PROTECTION_UNAVAILABLE']]);
      expect(JSON.stringify(result)).not.toContain('hunter2');
      expect(reported).toHaveLength(1);
      expectNoLeak(result, live.key);
    });

    it('still answers when recording the last use fails', async () => {
      const { store, schema, live } = await setUp();
      vi.spyOn(store, 'recordUse').mockImplementation(() => {
        throw new Error('disk full');
      });
      const result = await run(schema, '{ product { id } }', { headers: { 'x-api-key': live.key } });
      expect(result).toEqual({ data: { product: { id: 'p1' } } });
    });
  });

  it('works with a store that answers asynchronously', async () => {
    const { store, live } = await setUp();
    const slow: ApiKeyStore = {
      findById: (id) => Promise.resolve(store.findById(id)),
      insert: (record) => {
        store.insert(record);
        return Promise.resolve();
      },
      list: () => Promise.resolve(store.list()),
      revoke: (id, at) => Promise.resolve(store.revoke(id, at)),
      recordUse: (id, at) => {
        store.recordUse(id, at);
        return Promise.resolve();
      },
    };
    const schema = protectedSchema(sdl, [requiresApiKeyDirective({ store: slow }), publicDirective()], resolvers);
    expect(await run(schema, '{ product { id } }', { headers: { 'x-api-key': live.key } })).toEqual({
      data: { product: { id: 'p1' } },
    });
    expect(errorCodes(await run(schema, '{ product { id } }'))).toEqual([['product', 'API_KEY_REQUIRED']]);
  });

  it('honours a custom directive name and header', async () => {
    const store = new MemoryApiKeyStore();
    const { key } = await issueApiKey(store, { app: 'ios' });
    const appKey = requiresApiKeyDirective({ store, name: 'appKey', header: 'X-App-Key' });
    expect(appKey.typeDefs).toContain('directive @appKey(');
    const schema = protectedSchema('type Query { x: String @appKey }', [appKey], { Query: { x: () => 'ok' } });
    expect(await run(schema, '{ x }', { headers: { 'x-app-key': key } })).toEqual({ data: { x: 'ok' } });
    const refused = await run(schema, '{ x }', { headers: { 'x-api-key': key } });
    expect(errorCodes(refused)).toEqual([['x', 'API_KEY_REQUIRED']]);
    expect(refused.errors?.[0]?.message).toBe('This field requires an API key. Send it in the X-App-Key header.');
    expect(errorCodes(await run(schema, '{ x }', { url: `/graphql?x-app-key=${key}` }))).toEqual([['x', 'API_KEY_REQUIRED']]);
  });

  describe('bad options and bad usages', () => {
    it.each([
      ['no store', {}],
      ['a store without findById', { store: {} }],
      ['a directive name with @', { store: new MemoryApiKeyStore(), name: '@key' }],
      ['a header name with a space', { store: new MemoryApiKeyStore(), header: 'X API Key' }],
      ['a negative last-use resolution', { store: new MemoryApiKeyStore(), lastUsedResolutionMs: -1 }],
    ])('throws a TypeError for %s', (_name, options) => {
      expect(() => requiresApiKeyDirective(options as RequiresApiKeyOptions)).toThrow(TypeError);
    });

    it('names the schema coordinate of a bad scopes argument', () => {
      const apiKey = requiresApiKeyDirective({ store: new MemoryApiKeyStore() });
      expect(() => protectedSchema('type Query { x: String @requiresApiKey(scopes: [""]) }', [apiKey])).toThrow(
        new TypeError('@requiresApiKey on Query.x: scopes must be strings of 1 to 64 characters of A-Z a-z 0-9 : . _ -'),
      );
    });
  });
});
