import { describe, expect, it, vi } from 'vitest';
import { authDirective, type AuthOptions, getSecurityContext, MemoryReplayCache, publicDirective } from '../../../src/index.js';
import { errorCodes, protectedSchema, run } from '../../support/harness.js';
import { createTestIssuer, type TestIssuer } from '../../support/token-issuer.js';

const sdl = `
  interface Owned @auth { owner: String }
  type Order implements Owned { id: ID! owner: String total: Float @auth(requires: ["orders:read"]) }
  type Admin @auth(requires: ["catalog:admin"]) { secret: String }
  type Query {
    me: String @auth
    orders: [Order!]! @auth(requires: ["orders:read"])
    owned: [Owned!]! @public
    admin: Admin @auth
    either: String @auth(anyOf: [["catalog:admin"], ["orders:read", "orders:write"]])
    both: String @auth(requires: ["orders:read"], anyOf: [["reviews:write"], ["catalog:admin"]])
    health: String @public
  }
`;
const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, context: unknown) => getSecurityContext(context)?.proven.user?.subject,
    orders: () => [{ id: 'o1', owner: 'user-1', total: 12.5 }],
    owned: () => [{ __typename: 'Order', id: 'o1', owner: 'user-1', total: 12.5 }],
    admin: () => ({ secret: 's3cret' }),
    either: () => 'either',
    both: () => 'both',
    health: () => 'ok',
  },
  Owned: { __resolveType: () => 'Order' },
};

async function setUp(overrides: Partial<AuthOptions> = {}) {
  const issuer = await createTestIssuer();
  const auth = authDirective({
    issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks }, tokenType: 'at+jwt' }],
    dpop: { replayCache: new MemoryReplayCache() },
    ...overrides,
  });
  const schema = protectedSchema(sdl, [auth, publicDirective()], resolvers);
  return { issuer, auth, schema };
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('@auth', () => {
  it('serves a field to a valid token and tells resolvers who the user is', async () => {
    const { issuer, schema } = await setUp();
    expect(await run(schema, '{ me }', bearer(await issuer.sign()))).toEqual({ data: { me: 'user-1' } });
  });

  it('refuses a call without a token with UNAUTHENTICATED, and still serves public siblings', async () => {
    const { schema } = await setUp();
    const result = await run(schema, '{ me health }');
    expect(result.data).toEqual({ me: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['me', 'UNAUTHENTICATED']]);
    expect(result.errors?.[0]?.message).toBe('This field requires a user access token: send Authorization: Bearer <token>.');
  });

  describe('scopes', () => {
    it.each([
      ['requires, granted', 'orders:read', '{ orders { id } }', []],
      ['requires, not granted', 'reviews:write', '{ orders { id } }', [['orders', 'FORBIDDEN']]],
      ['type-level requires, granted', 'catalog:admin', '{ admin { secret } }', []],
      ['type-level requires, not granted', 'orders:read', '{ admin { secret } }', [['admin.secret', 'FORBIDDEN']]],
      ['field on an object, not granted', 'orders:write', '{ orders { total } }', [['orders', 'FORBIDDEN']]],
      ['anyOf, first set', 'catalog:admin', '{ either }', []],
      ['anyOf, second set complete', 'orders:read orders:write', '{ either }', []],
      ['anyOf, second set incomplete', 'orders:read', '{ either }', [['either', 'FORBIDDEN']]],
      ['requires and anyOf, both met', 'orders:read reviews:write', '{ both }', []],
      ['requires met, anyOf not', 'orders:read orders:write', '{ both }', [['both', 'FORBIDDEN']]],
      ['anyOf met, requires not', 'catalog:admin', '{ both }', [['both', 'FORBIDDEN']]],
    ] as const)('%s', async (_name, scope, query, expected) => {
      const { issuer, schema } = await setUp();
      const result = await run(schema, query, bearer(await issuer.sign({ scope })));
      expect(errorCodes(result)).toEqual(expected);
    });

    it('reads scopes from scp as an array and as a space-separated string', async () => {
      const { issuer, schema } = await setUp();
      for (const scp of [['orders:read'], 'orders:read orders:write']) {
        const result = await run(schema, '{ orders { id } }', bearer(await issuer.sign({ scope: undefined, scp })));
        expect(errorCodes(result)).toEqual([]);
      }
    });

    it('says FORBIDDEN without listing the scopes needed or held', async () => {
      const { issuer, schema } = await setUp();
      const result = await run(schema, '{ admin { secret } }', bearer(await issuer.sign({ scope: 'orders:read' })));
      expect(result.errors?.[0]?.message).toBe('The access token does not grant access to this field.');
      expect(JSON.stringify(result)).not.toMatch(/orders:read|catalog:admin/);
    });
  });

  describe('an access token in the URL (RFC 6750 §2.3), refused even with a valid Authorization header', () => {
    it.each([
      ['access_token', (token: string) => `access_token=${token}`],
      ['ACCESS_TOKEN after ;', (token: string) => `a=1;ACCESS_TOKEN=${token}`],
      ['access-token', (token: string) => `access-token=${token}`],
      ['accessToken', (token: string) => `accessToken=${token}`],
      ['percent-encoded', (token: string) => `%61ccess%5Ftoken=${token}`],
      ['access_token[]', (token: string) => `access_token[]=${token}`],
      ['token', (token: string) => `token=${token}`],
      ['id_token', (token: string) => `id_token=${token}`],
      ['bearer', (token: string) => `bearer=${token}`],
      ['authorization', (token: string) => `authorization=Bearer+${token}`],
      ['behind an encoded &', (token: string) => `q=1%26access_token%3D${token}`],
      ['after a second ?', (token: string) => `?access_token=${token}`],
      ['after a #', (token: string) => `a=1#&token=${token}`],
      ['with a dotless i', (token: string) => `%C4%B1d_token=${token}`],
      ['under a name of its own (t)', (token: string) => `t=${token}`],
      ['inside GET variables', (token: string) => `query=%7Bme%7D&variables=${encodeURIComponent(JSON.stringify({ x: token }))}`],
    ])('%s: UNAUTHENTICATED, and the token in no message', async (_name, query) => {
      const { issuer, schema } = await setUp();
      const token = await issuer.sign();
      const result = await run(schema, '{ me health }', { url: `/graphql?${query(token)}`, headers: { authorization: `Bearer ${token}` } });
      expect(result.data).toEqual({ me: null, health: 'ok' });
      expect(errorCodes(result)).toEqual([['me', 'UNAUTHENTICATED']]);
      expect(result.errors?.[0]?.message).toBe(
        'Access tokens are accepted only in the Authorization header, never in the URL: URLs are logged. Treat that token as leaked and sign in again.',
      );
      expect(JSON.stringify(result)).not.toContain(token.split('.')[2]);
    });

    it('serves a request whose query string names no token', async () => {
      const { issuer, schema } = await setUp();
      const result = await run(schema, '{ me }', { url: '/graphql?query=%7Bme%7D&tokens_left=3', ...bearer(await issuer.sign()) });
      expect(result).toEqual({ data: { me: 'user-1' } });
    });
  });

  it('protects every implementation of a protected interface', async () => {
    const { schema } = await setUp();
    const result = await run(schema, '{ owned { owner } }');
    expect(errorCodes(result)).toEqual([['owned.0.owner', 'UNAUTHENTICATED']]);
  });

  it('verifies the token once per request and remembers it across requests', async () => {
    const { issuer, auth, schema } = await setUp();
    const token = await issuer.sign({ scope: 'orders:read catalog:admin' });
    const aliases = Array.from({ length: 30 }, (_, i) => `o${i}: orders { total }`).join(' ');
    const first = await run(schema, `{ ${aliases} admin { secret } me }`, bearer(token));
    expect(first.errors).toBeUndefined();
    expect(auth.tokenCacheStats()).toEqual({ hits: 0, misses: 1, size: 1 });
    for (let i = 0; i < 5; i++) await run(schema, '{ me }', bearer(token));
    expect(auth.tokenCacheStats()).toEqual({ hits: 5, misses: 1, size: 1 });
  });

  it('proves the user on every request served from the cache, with the same frozen record each time', async () => {
    const { issuer, schema } = await setUp();
    const token = await issuer.sign({ scope: 'orders:read' });
    const seen: unknown[] = [];
    const proving = protectedSchema(
      sdl,
      [
        authDirective({
          issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks }, tokenType: 'at+jwt' }],
        }),
        publicDirective(),
      ],
      {
        ...resolvers,
        Query: {
          ...resolvers.Query,
          me: (_: unknown, __: unknown, context: unknown) => (seen.push(getSecurityContext(context)?.proven.user), 'seen'),
        },
      },
    );
    for (let i = 0; i < 3; i++) expect(await run(proving, '{ me }', bearer(token))).toEqual({ data: { me: 'seen' } });
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(seen[0]).toMatchObject({ subject: 'user-1', scheme: 'Bearer' });
    expect(await run(schema, '{ me }')).toMatchObject({ data: { me: null } });
  });

  it('never trusts a cached token past its exp', async () => {
    let now = Date.now();
    const { issuer, schema } = await setUp({ clock: () => now, tokenCache: { maxAgeMs: 3_600_000, clock: () => now } });
    const token = await issuer.sign({ exp: Math.floor(now / 1000) + 60 }, {}, Math.floor(now / 1000));
    expect(errorCodes(await run(schema, '{ me }', bearer(token)))).toEqual([]);
    now += 120_000;
    expect(errorCodes(await run(schema, '{ me }', bearer(token)))).toEqual([['me', 'UNAUTHENTICATED']]);
  });

  it('refuses with PROTECTION_UNAVAILABLE when the keys cannot be fetched, and reports it', async () => {
    const issuer = await createTestIssuer({ issuer: 'http://127.0.0.1:9/' });
    const reported: unknown[] = [];
    const auth = authDirective({
      issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwksUri: 'http://127.0.0.1:9/jwks' } }],
      onDependencyError: (error) => reported.push(error),
    });
    const schema = protectedSchema(sdl, [auth, publicDirective()], resolvers);
    const token = await issuer.sign();
    const result = await run(schema, '{ me health }', bearer(token));
    expect(result.data).toEqual({ me: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['me', 'PROTECTION_UNAVAILABLE']]);
    expect(reported.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(result)).not.toContain(token);
  });

  it('accepts tokens of several issuers, each with its own keys', async () => {
    const a = await createTestIssuer({ issuer: 'https://a.test/' });
    const b = await createTestIssuer({ issuer: 'https://b.test/', alg: 'RS256' });
    const auth = authDirective({
      issuers: [a, b].map((issuer) => ({ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } })),
    });
    const schema = protectedSchema(sdl, [auth, publicDirective()], resolvers);
    expect(errorCodes(await run(schema, '{ me }', bearer(await a.sign())))).toEqual([]);
    expect(errorCodes(await run(schema, '{ me }', bearer(await b.sign())))).toEqual([]);
    // b's iss with a's signature
    const forged = await a.sign({ iss: 'https://b.test/' });
    expect(errorCodes(await run(schema, '{ me }', bearer(forged)))).toEqual([['me', 'UNAUTHENTICATED']]);
  });

  it('honours a custom directive name', async () => {
    const issuer: TestIssuer = await createTestIssuer();
    const user = authDirective({
      name: 'user',
      issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } }],
    });
    expect(user.typeDefs).toContain('directive @user(');
    const schema = protectedSchema('type Query { x: String @user }', [user], { Query: { x: () => 'ok' } });
    expect(await run(schema, '{ x }', bearer(await issuer.sign()))).toEqual({ data: { x: 'ok' } });
    expect(errorCodes(await run(schema, '{ x }'))).toEqual([['x', 'UNAUTHENTICATED']]);
  });

  describe('bad options and usages', () => {
    const jwks = { keys: [] };
    it.each([
      ['no issuers', { issuers: [] }],
      ['an issuer without audience', { issuers: [{ issuer: 'https://a.test/', audience: [], keys: { jwks } }] }],
      ['HS256 among the algorithms', { issuers: [{ issuer: 'https://a.test/', audience: 'x', keys: { jwks }, algorithms: ['HS256'] }] }],
      ['alg none', { issuers: [{ issuer: 'https://a.test/', audience: 'x', keys: { jwks }, algorithms: ['none'] }] }],
      [
        'a clock tolerance over 60 s',
        { issuers: [{ issuer: 'https://a.test/', audience: 'x', keys: { jwks }, clockToleranceSeconds: 300 }] },
      ],
      ['keys over plain http', { issuers: [{ issuer: 'http://idp.example.com/', audience: 'x' }] }],
      [
        'the same issuer twice',
        {
          issuers: [
            { issuer: 'https://a.test/', audience: 'x', keys: { jwks } },
            { issuer: 'https://a.test/', audience: 'y', keys: { jwks } },
          ],
        },
      ],
      ['a DPoP option without replay cache', { issuers: [{ issuer: 'https://a.test/', audience: 'x', keys: { jwks } }], dpop: {} }],
      [
        'a DPoP public origin with a path',
        {
          issuers: [{ issuer: 'https://a.test/', audience: 'x', keys: { jwks } }],
          dpop: { replayCache: new MemoryReplayCache(), publicOrigin: 'https://api.test/graphql' },
        },
      ],
    ])('throws a TypeError for %s', (_name, options) => {
      expect(() => authDirective(options as unknown as AuthOptions)).toThrow(TypeError);
    });

    it.each([
      ['an empty anyOf', '@auth(anyOf: [])', '@auth on Query.x: anyOf must list at least one scope set'],
      ['an empty scope set', '@auth(anyOf: [[]])', '@auth on Query.x: anyOf: a scope set must not be empty'],
      ['a scope with a space', '@auth(requires: ["a b"])', '@auth on Query.x: requires must list scope tokens'],
    ])('names the coordinate of %s', (_name, usage, message) => {
      const auth = authDirective({ issuers: [{ issuer: 'https://a.test/', audience: 'x', keys: { jwks } }] });
      expect(() => protectedSchema(`type Query { x: String ${usage} }`, [auth])).toThrow(message);
    });

    it('refuses dpop: true when DPoP is not configured', () => {
      const auth = authDirective({ issuers: [{ issuer: 'https://a.test/', audience: 'x', keys: { jwks } }] });
      expect(() => protectedSchema('type Query { x: String @auth(dpop: true) }', [auth])).toThrow('@auth on Query.x: dpop: true needs');
    });
  });

  it('never calls the resolver of a refused field', async () => {
    const resolve = vi.fn(() => 's3cret');
    const { issuer } = await setUp();
    const auth = authDirective({ issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } }] });
    const schema = protectedSchema('type Query { x: String @auth(requires: ["catalog:admin"]) }', [auth], { Query: { x: resolve } });
    await run(schema, '{ x }', bearer(await issuer.sign()));
    await run(schema, '{ x }');
    expect(resolve).not.toHaveBeenCalled();
  });
});

describe('@auth with a broken issuer key set', () => {
  it('refuses with PROTECTION_UNAVAILABLE, not UNAUTHENTICATED, when two keys share the token’s kid', async () => {
    const issuer = await createTestIssuer({ kid: 'same' });
    const twin = await createTestIssuer({ kid: 'same' });
    const auth = authDirective({
      issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: { keys: [...issuer.jwks.keys, ...twin.jwks.keys] } } }],
    });
    const schema = protectedSchema('type Query { x: String @auth }', [auth], { Query: { x: () => 'ok' } });
    const result = await run(schema, '{ x }', { headers: { authorization: `Bearer ${await issuer.sign()}` } });
    expect(errorCodes(result)).toEqual([['x', 'PROTECTION_UNAVAILABLE']]);
  });
});
