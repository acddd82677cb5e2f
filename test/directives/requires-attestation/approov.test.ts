import { createHash, randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import {
  approovVerifier,
  type AttestationVerifier,
  getSecurityContext,
  MemoryReplayCache,
  publicDirective,
  requiresAttestationDirective,
  type RequiresAttestationOptions,
} from '../../../src/index.js';
import { errorCodes, protectedSchema, run, type TestRequest } from '../../support/harness.js';
import { encodeSegment, nowSeconds } from '../../support/token-issuer.js';

const secret = randomBytes(32);
const secretBase64 = secret.toString('base64');
const userToken = 'Bearer user-token-of-alice';

const sdl = `
  interface Sensitive @requiresAttestation { id: ID! }
  type Order implements Sensitive { id: ID! total: Int }
  type Query {
    catalog: String @requiresAttestation
    bound: String @requiresAttestation(bindToAuthorization: true)
    once: String @requiresAttestation(consume: true)
    orders: [Sensitive!]! @public
    device: String @requiresAttestation
    health: String @public
  }
`;
const resolvers = {
  Query: {
    catalog: () => 'ok',
    bound: () => 'ok',
    once: () => 'ok',
    orders: () => [{ id: 'o1', total: 3 }],
    device: (_: unknown, __: unknown, context: unknown) => getSecurityContext(context)?.proven.attestation?.deviceId ?? null,
    health: () => 'ok',
  },
  Sensitive: { __resolveType: () => 'Order' },
};

function schema(
  overrides: Partial<RequiresAttestationOptions> = {},
  verifier: AttestationVerifier = approovVerifier({ secret: secretBase64 }),
) {
  const attestation = requiresAttestationDirective({ verifiers: [verifier], replayCache: new MemoryReplayCache(), ...overrides });
  return protectedSchema(sdl, [attestation, publicDirective()], resolvers);
}

const pay = (value: string) => createHash('sha256').update(value).digest('base64');

function approov(claims: Record<string, unknown> = {}, key: Uint8Array = secret, header: Record<string, unknown> = {}) {
  const payload = Object.fromEntries(
    Object.entries<unknown>({ exp: nowSeconds() + 300, did: 'device-42', ...claims }).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(key);
}

const request = (token: string | string[], authorization = userToken): TestRequest => ({
  headers: { 'approov-token': token, authorization },
});

describe('@requiresAttestation with Approov tokens', () => {
  it('serves a genuine app instance and tells resolvers its device id', async () => {
    const result = await run(schema(), '{ catalog device }', request(await approov()));
    expect(result).toEqual({ data: { catalog: 'ok', device: 'device-42' } });
  });

  it('refuses a call without a token with ATTESTATION_REQUIRED, still serving public siblings', async () => {
    const result = await run(schema(), '{ catalog health }', { headers: { authorization: userToken } });
    expect(result.data).toEqual({ catalog: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['catalog', 'ATTESTATION_REQUIRED']]);
  });

  it('accepts the secret as base64, base64url or bytes', async () => {
    const token = await approov();
    for (const form of [secretBase64, secret.toString('base64url'), new Uint8Array(secret)]) {
      expect(await run(schema({}, approovVerifier({ secret: form })), '{ catalog }', request(token))).toEqual({ data: { catalog: 'ok' } });
    }
  });

  describe('token binding', () => {
    it('serves a token bound to this request’s Authorization header', async () => {
      const result = await run(schema(), '{ bound }', request(await approov({ pay: pay(userToken) })));
      expect(result).toEqual({ data: { bound: 'ok' } });
    });

    it('refuses a genuine token replayed with another user’s Authorization header', async () => {
      const lifted = await approov({ pay: pay(userToken) });
      const result = await run(schema(), '{ bound catalog }', request(lifted, 'Bearer token-of-mallory'));
      expect(result.data).toEqual({ bound: null, catalog: 'ok' });
      expect(errorCodes(result)).toEqual([['bound', 'ATTESTATION_INVALID']]);
    });

    it('binds several headers concatenated in order when configured', async () => {
      const verifier = approovVerifier({ secret: secretBase64, bindingHeaders: ['authorization', 'x-session'] });
      const token = await approov({ pay: pay(`${userToken}session-7`) });
      const served = await run(schema({}, verifier), '{ bound }', {
        headers: { 'approov-token': token, authorization: userToken, 'x-session': 'session-7' },
      });
      expect(served).toEqual({ data: { bound: 'ok' } });
      const refused = await run(schema({}, verifier), '{ bound }', { headers: { 'approov-token': token, authorization: userToken } });
      expect(errorCodes(refused)).toEqual([['bound', 'ATTESTATION_INVALID']]);
    });
  });

  describe('single use (consume)', () => {
    it('passes a token for one call: a second alias in the same request is a replay', async () => {
      const result = await run(schema(), '{ a: once b: once catalog }', request(await approov()));
      expect(result.data).toEqual({ a: 'ok', b: null, catalog: 'ok' });
      expect(errorCodes(result)).toEqual([['b', 'ATTESTATION_INVALID']]);
      expect((result.errors?.[0]?.originalError as { reason?: string }).reason).toBe('replayed_in_request');
    });

    it('passes a token once across requests', async () => {
      const protectedSchema = schema();
      const token = await approov();
      expect(await run(protectedSchema, '{ once }', request(token))).toEqual({ data: { once: 'ok' } });
      const replay = await run(protectedSchema, '{ once catalog }', request(token));
      expect(replay.data).toEqual({ once: null, catalog: 'ok' });
      expect(errorCodes(replay)).toEqual([['once', 'ATTESTATION_INVALID']]);
    });

    it('refuses the same token with its signature respelled (spare base64url bits)', async () => {
      const protectedSchema = schema();
      const token = await approov();
      const last = token.at(-1) as string;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      // HS256 signatures are 32 bytes: the last character carries 2 spare bits.
      const respelled = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
      expect(await run(protectedSchema, '{ catalog }', request(respelled))).toEqual({ data: { catalog: 'ok' } });
      expect(await run(protectedSchema, '{ once }', request(token))).toEqual({ data: { once: 'ok' } });
      expect(errorCodes(await run(protectedSchema, '{ once }', request(respelled)))).toEqual([['once', 'ATTESTATION_INVALID']]);
    });

    it('remembers a consumed token for as long as the tolerated skew accepts it', async () => {
      let now = Date.now();
      const verifier = approovVerifier({ secret: secretBase64, clockToleranceSeconds: 30, clock: () => now });
      const protectedSchema = schema({ replayCache: new MemoryReplayCache({ clock: () => now }), clock: () => now }, verifier);
      const token = await approov({ exp: Math.floor(now / 1000) + 2 });
      expect(await run(protectedSchema, '{ once }', request(token))).toEqual({ data: { once: 'ok' } });
      now += 20_000; // past exp, within the tolerance
      const replayed = await run(protectedSchema, '{ once }', request(token));
      expect(errorCodes(replayed)).toEqual([['once', 'ATTESTATION_INVALID']]);
      expect((replayed.errors?.[0]?.originalError as { reason?: string }).reason).toBe('replayed');
    });

    it('fails closed when the replay cache is down', async () => {
      const result = await run(
        schema({ replayCache: { firstUse: () => Promise.reject(new Error('redis down')) } }),
        '{ once }',
        request(await approov()),
      );
      expect(errorCodes(result)).toEqual([['once', 'PROTECTION_UNAVAILABLE']]);
    });

    it('needs a replay cache to build', () => {
      const attestation = requiresAttestationDirective({ verifiers: [approovVerifier({ secret: secretBase64 })] });
      expect(() => protectedSchema('type Query { x: String @requiresAttestation(consume: true) }', [attestation])).toThrow(
        "@requiresAttestation on Query.x: consume: true needs the directive's replayCache option",
      );
    });

    it.each([
      ['an object type', 'type Order @requiresAttestation(consume: true) { total: Int } type Query { order: Order @public }', 'type Order'],
      [
        'an interface',
        'interface Paid @requiresAttestation(consume: true) { total: Int } type Order implements Paid { total: Int } type Query { order: Order @public }',
        'interface Paid',
      ],
    ])('refuses to build consume: true on %s, where every field would spend the one attestation', (_where, sdl, origin) => {
      const attestation = requiresAttestationDirective({
        verifiers: [approovVerifier({ secret: secretBase64 })],
        replayCache: new MemoryReplayCache(),
      });
      expect(() => protectedSchema(sdl, [attestation, publicDirective()])).toThrow(
        `@requiresAttestation on ${origin}: consume: true belongs on a field, not on a type or interface`,
      );
    });
  });

  it('protects every implementation of a protected interface', async () => {
    const result = await run(schema(), '{ orders { ... on Order { total } } }');
    expect(errorCodes(result)).toEqual([['orders.0.total', 'ATTESTATION_REQUIRED']]);
  });

  it('verifies a token once per request and remembers it across requests', async () => {
    const inner = approovVerifier({ secret: secretBase64 });
    const verify = vi.fn((token: string) => inner.verify(token));
    const verifier: AttestationVerifier = { ...inner, verify };
    const protectedSchema = schema({}, verifier);
    const token = await approov();
    const aliases = Array.from({ length: 20 }, (_, i) => `c${i}: catalog`).join(' ');
    await run(protectedSchema, `{ ${aliases} }`, request(token));
    await run(protectedSchema, '{ catalog }', request(token));
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('proves the app instance on every request served from the cache, and a bound token still only with its own Authorization', async () => {
    const protectedSchema = schema();
    const plain = await approov();
    for (let i = 0; i < 3; i++)
      expect(await run(protectedSchema, '{ catalog device }', request(plain))).toEqual({ data: { catalog: 'ok', device: 'device-42' } });
    const bound = await approov({ pay: pay(userToken) });
    expect(await run(protectedSchema, '{ bound }', request(bound))).toEqual({ data: { bound: 'ok' } });
    const replayed = await run(protectedSchema, '{ bound device }', request(bound, 'Bearer someone-else'));
    expect(errorCodes(replayed)).toEqual([['bound', 'ATTESTATION_INVALID']]);
    expect(replayed.data).toEqual({ bound: null, device: 'device-42' });
  });

  const hostile: Array<[string, () => Promise<TestRequest>, string, string]> = [
    [
      'alg none',
      () => Promise.resolve(request(`${encodeSegment({ alg: 'none' })}.${encodeSegment({ exp: nowSeconds() + 300 })}.`)),
      'ATTESTATION_INVALID',
      'not_a_jws',
    ],
    [
      'alg none with a signature',
      () => Promise.resolve(request(`${encodeSegment({ alg: 'none' })}.${encodeSegment({ exp: nowSeconds() + 300 })}.AAAA`)),
      'ATTESTATION_INVALID',
      'algorithm_not_allowed',
    ],
    [
      'an RS256 token',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return request(await new SignJWT({ exp: nowSeconds() + 300 }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey));
      },
      'ATTESTATION_INVALID',
      'algorithm_not_allowed',
    ],
    [
      'an ES256 token',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return request(await new SignJWT({ exp: nowSeconds() + 300 }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey));
      },
      'ATTESTATION_INVALID',
      'algorithm_not_allowed',
    ],
    ['the wrong secret', async () => request(await approov({}, randomBytes(32))), 'ATTESTATION_INVALID', 'bad_signature'],
    ['no exp', async () => request(await approov({ exp: undefined })), 'ATTESTATION_INVALID', 'claim_exp_missing'],
    [
      'expired a second ago (no skew by default)',
      async () => request(await approov({ exp: nowSeconds() - 1 })),
      'ATTESTATION_INVALID',
      'expired',
    ],
    ['a 50 KB token', async () => request(await approov({ padding: 'x'.repeat(50 * 1024) })), 'ATTESTATION_INVALID', 'too_long'],
    ['garbage', () => Promise.resolve(request('garbage')), 'ATTESTATION_INVALID', 'not_a_jws'],
    ['garbage with dots', () => Promise.resolve(request('a.b.c')), 'ATTESTATION_INVALID', 'err_jws_invalid'],
    ['two Approov-Token headers', async () => request([await approov(), await approov()]), 'ATTESTATION_INVALID', 'duplicate_header'],
    ['an empty header', () => Promise.resolve(request('')), 'ATTESTATION_REQUIRED', 'empty'],
  ];

  it.each(hostile)('refuses %s', async (_name, makeRequest, code, reason) => {
    const sent = await makeRequest();
    const result = await run(schema(), '{ catalog health }', sent);
    expect(result.data).toEqual({ catalog: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['catalog', code]]);
    expect((result.errors?.[0]?.originalError as { reason?: string }).reason).toBe(reason);
    const token = [sent.headers?.['approov-token'] ?? []].flat()[0] ?? '';
    if (token.length > 20) expect(JSON.stringify(result)).not.toContain(token.slice(-20));
  });

  const bindingHostile: Array<[string, () => Promise<string>, string]> = [
    ['pay missing', () => approov(), 'binding_missing'],
    ['pay of another header value', () => approov({ pay: pay('Bearer someone-else') }), 'binding_mismatch'],
    ['pay without padding', () => approov({ pay: pay(userToken).replace(/=+$/, '') }), 'binding_mismatch'],
    [
      'pay in the URL-safe alphabet',
      () => approov({ pay: Buffer.from(pay(userToken), 'base64').toString('base64url') }),
      'binding_mismatch',
    ],
    ['pay that is not a string', () => approov({ pay: 42 }), 'bad_pay'],
  ];

  it.each(bindingHostile)('refuses a binding with %s', async (_name, makeToken, reason) => {
    const result = await run(schema(), '{ bound }', request(await makeToken()));
    expect(errorCodes(result)).toEqual([['bound', 'ATTESTATION_INVALID']]);
    expect((result.errors?.[0]?.originalError as { reason?: string }).reason).toBe(reason);
  });

  it('refuses a bound token when the request carries no Authorization header', async () => {
    const result = await run(schema(), '{ bound }', { headers: { 'approov-token': await approov({ pay: pay(userToken) }) } });
    expect((result.errors?.[0]?.originalError as { reason?: string }).reason).toBe('bound_header_missing');
  });

  it('honours a clock skew when configured', async () => {
    const verifier = approovVerifier({ secret: secretBase64, clockToleranceSeconds: 10 });
    const result = await run(schema({}, verifier), '{ catalog }', request(await approov({ exp: nowSeconds() - 5 })));
    expect(result).toEqual({ data: { catalog: 'ok' } });
  });

  describe('bad options', () => {
    it.each([
      ['no verifiers', () => requiresAttestationDirective({ verifiers: [] })],
      ['a short secret', () => approovVerifier({ secret: randomBytes(8).toString('base64') })],
      ['a secret that is not base64', () => approovVerifier({ secret: 'not base64!' })],
      ['a skew over 60 s', () => approovVerifier({ secret: secretBase64, clockToleranceSeconds: 120 })],
      ['a bad directive name', () => requiresAttestationDirective({ verifiers: [approovVerifier({ secret: secretBase64 })], name: 'x y' })],
    ])('throws a TypeError for %s', (_name, build) => {
      expect(build).toThrow(TypeError);
    });

    it('honours a custom directive name', async () => {
      const app = requiresAttestationDirective({ name: 'genuineApp', verifiers: [approovVerifier({ secret: secretBase64 })] });
      expect(app.typeDefs).toContain('directive @genuineApp(');
      const protectedSchema = protectedSchema2(app);
      expect(await run(protectedSchema, '{ x }', request(await approov()))).toEqual({ data: { x: 'ok' } });
    });
  });
});

function protectedSchema2(directive: ReturnType<typeof requiresAttestationDirective>) {
  return protectedSchema('type Query { x: String @genuineApp }', [directive], { Query: { x: () => 'ok' } });
}
