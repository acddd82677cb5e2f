import { describe, expect, it, vi } from 'vitest';
import {
  authDirective,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryRateLimitStore,
  publicDirective,
  rateLimitDirective,
  type RateLimitOptions,
  type RateLimitStore,
  requiresApiKeyDirective,
} from '../../../src/index.js';
import { errorCodes, protectedSchema, run, type TestRequest } from '../../support/harness.js';
import { createTestIssuer } from '../../support/token-issuer.js';

const sdl = `
  type Item { id: ID! price: Int @rateLimit(window: "1m", max: 10, by: [IP]) }
  type Stats @rateLimit(window: "1m", max: 2, by: [IP]) { a: Int b: Int }
  input Redeem { card: Card! }
  input Card { code: String! }
  type Query {
    x: Int @rateLimit(window: "1m", max: 10, by: [IP])
    items(count: Int!): [Item!]! @public
    stats: Stats @public
    bulk(ids: [ID!]!): Int @rateLimit(window: "1m", max: 10, by: [IP], arrayLengthField: "ids")
    redeem(input: Redeem!): Int @rateLimit(window: "1h", max: 2, by: [GLOBAL], identityArgs: ["input.card.code"])
    twice: Int @rateLimit(window: "1m", max: 1, by: [IP]) @rateLimit(window: "1h", max: 3, by: [GLOBAL])
    defaultIdentity: Int @rateLimit(window: "1m", max: 1)
    byAgent: Int @rateLimit(window: "1m", max: 1, by: [USER_AGENT])
    polite: Int @rateLimit(window: "1m", max: 1, by: [IP], message: "Slow down, please.")
  }
  type Mutation { x: Int @rateLimit(window: "1m", max: 10, by: [IP]) }
`;
const one = () => 1;
const resolvers = {
  Query: {
    x: one,
    bulk: one,
    redeem: one,
    twice: one,
    defaultIdentity: one,
    byAgent: one,
    polite: one,
    items: (_: unknown, args: { count: number }) => Array.from({ length: args.count }, (_, i) => ({ id: String(i), price: i })),
    stats: () => ({ a: 1, b: 2 }),
  },
  Mutation: { x: one },
};

function setUp(overrides: Partial<RateLimitOptions> = {}) {
  let now = 1_000_000;
  const store = new MemoryRateLimitStore();
  const rateLimit = rateLimitDirective({ store, clock: () => now, ...overrides });
  const schema = protectedSchema(sdl, [rateLimit, publicDirective()], resolvers);
  return { schema, store, advance: (ms: number) => (now += ms) };
}

const allowed = (result: { data?: unknown; errors?: readonly unknown[] }, prefix: string) =>
  Object.entries((result.data ?? {}) as Record<string, unknown>).filter(([key, value]) => key.startsWith(prefix) && value !== null).length;

describe('@rateLimit', () => {
  it('allows exactly max of 100 aliases in one request', async () => {
    const { schema } = setUp();
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: x`).join(' ');
    const result = await run(schema, `{ ${aliases} }`);
    expect(allowed(result, 'a')).toBe(10);
    expect(result.errors).toHaveLength(90);
    expect(new Set(errorCodes(result).map(([, code]) => code))).toEqual(new Set(['RATE_LIMITED']));
  });

  it('counts every call of a limited field inside a list', async () => {
    const { schema } = setUp();
    const result = await run(schema, '{ items(count: 25) { price } }');
    const prices = (result.data?.['items'] as Array<{ price: number | null }>).map((item) => item.price);
    expect(prices.filter((price) => price !== null)).toHaveLength(10);
    expect(result.errors).toHaveLength(15);
  });

  it('gives each field of a limited object type its own counter', async () => {
    const { schema } = setUp();
    const result = await run(schema, '{ s1: stats { a b } s2: stats { a b } s3: stats { a b } }');
    expect(errorCodes(result)).toEqual([
      ['s3.a', 'RATE_LIMITED'],
      ['s3.b', 'RATE_LIMITED'],
    ]);
  });

  it('names a counter as every instance names it, whatever its version (a Redis counter is shared)', async () => {
    const keys: string[] = [];
    const store: RateLimitStore = {
      consume: (key) => {
        keys.push(key);
        return { allowed: true, remaining: 9, retryAfterMs: 0 };
      },
    };
    const schema = protectedSchema(sdl, [rateLimitDirective({ store }), publicDirective()], resolvers);
    await run(schema, '{ x }');
    expect(keys).toEqual(['Query.x:GsLyndH3xMCr:3M6x_FCoTRPzKWGTg4Oy_sDnN_ROAGsC1GNszliPdvE']);
  });

  it('keys on Type.field: Query.x and Mutation.x never share a counter', async () => {
    const { schema } = setUp();
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: x`).join(' ');
    await run(schema, `{ ${aliases} }`);
    expect(errorCodes(await run(schema, `mutation { ${aliases} }`))).toEqual([]);
  });

  it('counts a list argument’s length: 7 of 10 allowed, then 4 refused', async () => {
    const { schema } = setUp();
    const ids = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => String(i)));
    expect(errorCodes(await run(schema, `{ bulk(ids: ${ids(7)}) }`))).toEqual([]);
    expect(errorCodes(await run(schema, `{ bulk(ids: ${ids(4)}) }`))).toEqual([['bulk', 'RATE_LIMITED']]);
    expect(errorCodes(await run(schema, `{ bulk(ids: ${ids(3)}) }`))).toEqual([]);
  });

  it('keys on nested identity arguments, shared by every client only with by: [GLOBAL]', async () => {
    const { schema } = setUp();
    const redeem = (code: string, ip: string) => run(schema, `{ redeem(input: { card: { code: "${code}" } }) }`, { remoteAddress: ip });
    expect(errorCodes(await redeem('GIFT-1', '198.51.100.1'))).toEqual([]);
    expect(errorCodes(await redeem('GIFT-1', '198.51.100.2'))).toEqual([]);
    expect(errorCodes(await redeem('GIFT-1', '198.51.100.3'))).toEqual([['redeem', 'RATE_LIMITED']]);
    expect(errorCodes(await redeem('GIFT-2', '198.51.100.3'))).toEqual([]);
  });

  it('counts identity arguments in a canonical form: case, spaces and Unicode forms share a counter', async () => {
    const { schema } = setUp();
    const redeem = (code: string) => run(schema, `{ redeem(input: { card: { code: ${JSON.stringify(code)} } }) }`);
    expect(errorCodes(await redeem('GIFT-ABCD'))).toEqual([]);
    expect(errorCodes(await redeem(' gift-abcd '))).toEqual([]);
    expect(errorCodes(await redeem('ＧＩＦＴ-ＡＢＣＤ'))).toEqual([['redeem', 'RATE_LIMITED']]);
  });

  it.each([
    ['a dotless ı', 'gıft-abcd'],
    ['a dotted İ', 'GİFT-ABCD'],
    ['full-width letters', 'ＧＩＦＴ-ＡＢＣＤ'],
    ['a zero-width joiner', 'GI\u200dFT-ABCD'],
    ['a combining mark', 'GI\u0301FT-ABCD'],
  ])('counts %s with the plain spelling of the same code', async (_name, spelling) => {
    const { schema } = setUp();
    const redeem = (code: string) => run(schema, `{ redeem(input: { card: { code: ${JSON.stringify(code)} } }) }`);
    expect(errorCodes(await redeem('GIFT-ABCD'))).toEqual([]);
    expect(errorCodes(await redeem('gift-abcd'))).toEqual([]);
    expect(errorCodes(await redeem(spelling))).toEqual([['redeem', 'RATE_LIMITED']]);
  });

  it.each([
    ['ß', 'STRASSE', 'straße'],
    ['ﬁ', 'FILE', 'ﬁle'],
  ])('counts a ligature or sharp s (%s) with its expansion', async (_name, plain, spelling) => {
    const { schema } = setUp();
    const redeem = (code: string) => run(schema, `{ redeem(input: { card: { code: ${JSON.stringify(code)} } }) }`);
    expect(errorCodes(await redeem(plain))).toEqual([]);
    expect(errorCodes(await redeem(plain.toLowerCase()))).toEqual([]);
    expect(errorCodes(await redeem(spelling))).toEqual([['redeem', 'RATE_LIMITED']]);
  });

  describe('with the application’s own canonical form (canonicalArguments)', () => {
    // The application looks codes up without separators and in upper case, and knows no other alphabet.
    const lookedUp = (value: unknown) =>
      typeof value === 'string' && /^[A-Za-z0-9 -]{1,32}$/.test(value) ? value.replace(/[ -]/g, '').toUpperCase() : undefined;

    it('counts what the application looks up: spellings it merges share a counter', async () => {
      const { schema } = setUp({ canonicalArguments: { 'Query.redeem.input.card.code': lookedUp } });
      const redeem = (code: string) => run(schema, `{ redeem(input: { card: { code: ${JSON.stringify(code)} } }) }`);
      expect(errorCodes(await redeem('GIFT-ABCD'))).toEqual([]);
      expect(errorCodes(await redeem('gift abcd'))).toEqual([]);
      expect(errorCodes(await redeem('GIFTABCD'))).toEqual([['redeem', 'RATE_LIMITED']]);
      expect(errorCodes(await redeem('GIFT-WXYZ'))).toEqual([]);
    });

    it('counts every value outside the application’s alphabet under one counter', async () => {
      const { schema } = setUp({ canonicalArguments: { 'Query.redeem.input.card.code': lookedUp } });
      const redeem = (code: string) => run(schema, `{ redeem(input: { card: { code: ${JSON.stringify(code)} } }) }`);
      expect(errorCodes(await redeem('gıft-1'))).toEqual([]);
      expect(errorCodes(await redeem('straße'))).toEqual([]);
      expect(errorCodes(await redeem('ﬁle'))).toEqual([['redeem', 'RATE_LIMITED']]);
    });

    it('refuses to build when it names an argument no identityArgs counts', () => {
      expect(() => setUp({ canonicalArguments: { 'Query.redeem.code': lookedUp } })).toThrow(
        'rateLimitDirective: canonicalArguments names Query.redeem.code, which no @rateLimit counts in identityArgs',
      );
    });
  });

  it('gives two usages that differ only in by their own counters', async () => {
    const rateLimit = rateLimitDirective({ store: new MemoryRateLimitStore() });
    const schema = protectedSchema(
      'type Query { x: Int @rateLimit(window: "1m", max: 1, by: [IP]) @rateLimit(window: "1m", max: 1, by: [API_KEY]) }',
      [rateLimit],
      { Query: { x: one } },
    );
    // Without a proven key, API_KEY falls back to the address: two limits, each counting once.
    expect(errorCodes(await run(schema, '{ x }'))).toEqual([]);
    expect(errorCodes(await run(schema, '{ x }'))).toEqual([['x', 'RATE_LIMITED']]);
  });

  it('applies every usage of a repeated directive', async () => {
    // The per-address usage: a second call from one address is refused (the global one allows 3).
    const perAddress = setUp().schema;
    expect(errorCodes(await run(perAddress, '{ twice }', { remoteAddress: '198.51.100.1' }))).toEqual([]);
    expect(errorCodes(await run(perAddress, '{ twice }', { remoteAddress: '198.51.100.1' }))).toEqual([['twice', 'RATE_LIMITED']]);
    // The global usage: a fourth address is refused, though each address called once.
    const { schema } = setUp();
    const fromIp = (ip: string) => run(schema, '{ twice }', { remoteAddress: ip });
    expect(errorCodes(await fromIp('198.51.100.1'))).toEqual([]);
    expect(errorCodes(await fromIp('198.51.100.2'))).toEqual([]);
    expect(errorCodes(await fromIp('198.51.100.3'))).toEqual([]);
    expect(errorCodes(await fromIp('198.51.100.4'))).toEqual([['twice', 'RATE_LIMITED']]);
  });

  it('says when to retry, in whole seconds, and allows again after the window (injected clock)', async () => {
    const { schema, advance } = setUp();
    const ten = Array.from({ length: 10 }, (_, i) => `a${i}: x`).join(' ');
    await run(schema, `{ ${ten} }`);
    advance(20_500);
    const refused = await run(schema, '{ x }');
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 40 });
    advance(39_500);
    expect(errorCodes(await run(schema, '{ x }'))).toEqual([]);
  });

  it('refuses with a message that states no limit, or the configured one', async () => {
    const { schema } = setUp();
    await run(schema, '{ polite }');
    expect((await run(schema, '{ polite }')).errors?.[0]?.message).toBe('Slow down, please.');
    const ten = Array.from({ length: 11 }, (_, i) => `a${i}: x`).join(' ');
    const message = (await run(schema, `{ ${ten} }`)).errors?.[0]?.message;
    expect(message).toBe('Too many calls to this field. Retry after the time given in retryAfter (seconds).');
    expect(message).not.toMatch(/10|minute/);
  });

  describe('identities', () => {
    it('counts per client address through trusted proxies only', async () => {
      const { schema } = setUp();
      const viaProxy = (client: string): TestRequest => ({ remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': client } });
      const ten = Array.from({ length: 10 }, (_, i) => `a${i}: x`).join(' ');
      await run(schema, `{ ${ten} }`, viaProxy('203.0.113.1'), { trustedProxies: ['10.0.0.0/8'] });
      expect(errorCodes(await run(schema, '{ x }', viaProxy('203.0.113.2'), { trustedProxies: ['10.0.0.0/8'] }))).toEqual([]);
      // Without trusting the proxy, a forged X-Forwarded-For changes nothing.
      await run(schema, `{ ${ten} }`, { remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': '1.1.1.1' } });
      expect(errorCodes(await run(schema, '{ x }', { remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': '2.2.2.2' } }))).toEqual([
        ['x', 'RATE_LIMITED'],
      ]);
    });

    it('counts IPv6 clients per /64', async () => {
      const { schema } = setUp();
      const ten = Array.from({ length: 10 }, (_, i) => `a${i}: x`).join(' ');
      await run(schema, `{ ${ten} }`, { remoteAddress: '2001:db8:1:2::1' });
      expect(errorCodes(await run(schema, '{ x }', { remoteAddress: '2001:db8:1:2:ffff::9' }))).toEqual([['x', 'RATE_LIMITED']]);
      expect(errorCodes(await run(schema, '{ x }', { remoteAddress: '2001:db8:1:3::1' }))).toEqual([]);
    });

    it('counts per user agent when asked', async () => {
      const { schema } = setUp();
      expect(errorCodes(await run(schema, '{ byAgent }', { headers: { 'user-agent': 'app/1' } }))).toEqual([]);
      expect(errorCodes(await run(schema, '{ byAgent }', { headers: { 'user-agent': 'app/1' } }))).toEqual([['byAgent', 'RATE_LIMITED']]);
      expect(errorCodes(await run(schema, '{ byAgent }', { headers: { 'user-agent': 'app/2' } }))).toEqual([]);
    });

    it('by default counts per verified user, else per API key and address', async () => {
      const issuer = await createTestIssuer();
      const keys = new MemoryApiKeyStore();
      const key = (await issueApiKey(keys, { app: 'ios' })).key;
      const store = new MemoryRateLimitStore();
      const directives = [
        requiresApiKeyDirective({ store: keys }),
        authDirective({ issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } }] }),
        rateLimitDirective({ store }),
      ];
      const schema = protectedSchema(
        'type Query { keyed: Int @requiresApiKey @rateLimit(window: "1m", max: 1) user: Int @auth @rateLimit(window: "1m", max: 1) }',
        directives,
        { Query: { keyed: one, user: one } },
      );
      const alice = await issuer.sign({ sub: 'alice' });
      const bob = await issuer.sign({ sub: 'bob' });
      const asUser = (token: string, ip: string) =>
        run(schema, '{ user }', { headers: { authorization: `Bearer ${token}` }, remoteAddress: ip });
      expect(errorCodes(await asUser(alice, '198.51.100.1'))).toEqual([]);
      expect(errorCodes(await asUser(alice, '198.51.100.2'))).toEqual([['user', 'RATE_LIMITED']]);
      expect(errorCodes(await asUser(bob, '198.51.100.2'))).toEqual([]);
      const withKey = (ip: string) => run(schema, '{ keyed }', { headers: { 'x-api-key': key }, remoteAddress: ip });
      expect(errorCodes(await withKey('198.51.100.1'))).toEqual([]);
      expect(errorCodes(await withKey('198.51.100.1'))).toEqual([['keyed', 'RATE_LIMITED']]);
      expect(errorCodes(await withKey('198.51.100.2'))).toEqual([]);
    });

    it('spends no unit on a call an earlier check refused', async () => {
      const issuer = await createTestIssuer();
      const store = new MemoryRateLimitStore();
      const consume = vi.spyOn(store, 'consume');
      const schema = protectedSchema(
        'type Query { x: Int @auth @rateLimit(window: "1m", max: 1, by: [IP]) }',
        [
          authDirective({ issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } }] }),
          rateLimitDirective({ store }),
        ],
        { Query: { x: one } },
      );
      for (let i = 0; i < 5; i++) expect(errorCodes(await run(schema, '{ x }'))).toEqual([['x', 'UNAUTHENTICATED']]);
      expect(consume).not.toHaveBeenCalled();
    });
  });

  it('fails closed when the store fails, and says so to the host', async () => {
    const errors: unknown[] = [];
    const failing: RateLimitStore = { consume: () => Promise.reject(new Error('redis down')) };
    const throwing: RateLimitStore = {
      consume: () => {
        throw new Error('boom');
      },
    };
    for (const store of [failing, throwing]) {
      const schema = protectedSchema(
        sdl,
        [rateLimitDirective({ store, onDependencyError: (error) => errors.push(error) }), publicDirective()],
        resolvers,
      );
      expect(errorCodes(await run(schema, '{ x }'))).toEqual([['x', 'PROTECTION_UNAVAILABLE']]);
    }
    expect(errors).toHaveLength(2);
  });

  it('tells onLimited of each refusal, without argument values', async () => {
    const events: unknown[] = [];
    const { schema } = setUp({ onLimited: (event) => events.push(event) });
    await run(schema, '{ a: polite b: polite }', { remoteAddress: '198.51.100.7' });
    expect(events).toEqual([
      { coordinate: 'Query.polite', clientIp: '198.51.100.7', requestId: expect.any(String), retryAfterSeconds: 60 },
    ]);
  });

  describe('bad usages fail at build, naming the coordinate', () => {
    it.each([
      ['max: 0', '@rateLimit(window: "1m", max: 0)', 'max must be an integer > 0'],
      ['a negative max', '@rateLimit(window: "1m", max: -5)', 'max must be an integer > 0'],
      ['a window that is not a duration', '@rateLimit(window: "soon", max: 5)', 'window must be a duration'],
      ['a window under a second', '@rateLimit(window: "10ms", max: 5)', 'window must be a duration'],
      ['GLOBAL combined', '@rateLimit(window: "1m", max: 5, by: [GLOBAL, IP])', 'by: [GLOBAL] shares one counter'],
      ['an empty by', '@rateLimit(window: "1m", max: 5, by: [])', 'by must list identities'],
      ['a bad argument path', '@rateLimit(window: "1m", max: 5, identityArgs: ["a..b"])', 'identityArgs must be argument paths'],
    ])('%s', (_name, usage, message) => {
      const rateLimit = rateLimitDirective({ store: new MemoryRateLimitStore() });
      expect(() => protectedSchema(`type Query { x: Int ${usage} }`, [rateLimit])).toThrow(`@rateLimit on Query.x: ${message}`);
    });

    it('throws a TypeError without a store', () => {
      expect(() => rateLimitDirective({} as RateLimitOptions)).toThrow(TypeError);
    });

    it('honours a custom directive name', async () => {
      const throttle = rateLimitDirective({ store: new MemoryRateLimitStore(), name: 'throttle' });
      expect(throttle.typeDefs).toContain('directive @throttle(');
      const schema = protectedSchema('type Query { x: Int @throttle(window: "1m", max: 1, by: [IP]) }', [throttle], { Query: { x: one } });
      expect(errorCodes(await run(schema, '{ a: x b: x }'))).toEqual([['b', 'RATE_LIMITED']]);
    });
  });
});
