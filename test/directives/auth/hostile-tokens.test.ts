import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { authDirective, publicDirective } from '../../../src/index.js';
import { errorCodes, protectedSchema, run, type TestRequest } from '../../support/harness.js';
import { startJsonServer, json, type JsonServer } from '../../support/json-server.js';
import { createTestIssuer, encodeSegment, nowSeconds, type TestIssuer } from '../../support/token-issuer.js';

let issuer: TestIssuer;
let attackerServer: JsonServer;
let attacker: Awaited<ReturnType<typeof generateKeyPair>>;
let attackerJwk: Record<string, unknown>;

beforeAll(async () => {
  issuer = await createTestIssuer();
  attacker = await generateKeyPair('ES256', { extractable: true });
  attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: issuer.kid, alg: 'ES256' };
  attackerServer = await startJsonServer(json({ keys: [attackerJwk] }));
});
afterAll(() => attackerServer.close());

function schema() {
  const auth = authDirective({
    issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks }, tokenType: 'at+jwt' }],
  });
  return protectedSchema('type Query { me: String @auth health: String @public }', [auth, publicDirective()], {
    Query: { me: () => 'user-1', health: () => 'ok' },
  });
}

const signWithAttackerKey = (header: Record<string, unknown>) =>
  new SignJWT({ iss: issuer.issuer, aud: issuer.audience, sub: 'user-1', exp: nowSeconds() + 600, scope: 'catalog:admin' })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: issuer.kid, ...header })
    .sign(attacker.privateKey);

/** [what is sent, how to build the request, the server-side reason recorded for the refusal] */
type Case = [string, () => Promise<TestRequest>, string];
const bearer = async (token: string | Promise<string>): Promise<TestRequest> => ({
  headers: { authorization: `Bearer ${await token}` },
});

const refused: Case[] = [
  [
    'alg none, empty signature',
    () =>
      bearer(
        `${encodeSegment({ alg: 'none', typ: 'at+jwt' })}.${encodeSegment({ iss: 'https://issuer.test/', aud: 'https://api.test', sub: 'u', exp: nowSeconds() + 600 })}.`,
      ),
    'not_a_jws',
  ],
  [
    'alg none with a signature',
    () =>
      bearer(
        `${encodeSegment({ alg: 'none', typ: 'at+jwt' })}.${encodeSegment({ iss: 'https://issuer.test/', aud: 'https://api.test', sub: 'u', exp: nowSeconds() + 600 })}.c2ln`,
      ),
    'algorithm_not_allowed',
  ],
  [
    'HS256 signed with the issuer’s public key',
    async () => {
      const secret = new TextEncoder().encode(JSON.stringify(issuer.publicJwk));
      return bearer(
        new SignJWT({ iss: issuer.issuer, aud: issuer.audience, sub: 'u', exp: nowSeconds() + 600 })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: issuer.kid })
          .sign(secret),
      );
    },
    'algorithm_not_allowed',
  ],
  ['expired', () => bearer(issuer.sign({ exp: nowSeconds() - 60 })), 'expired'],
  ['nbf in the future', () => bearer(issuer.sign({ nbf: nowSeconds() + 600 })), 'claim_nbf_check_failed'],
  ['wrong iss', () => bearer(issuer.sign({ iss: 'https://evil.test/' })), 'untrusted_issuer'],
  ['wrong aud', () => bearer(issuer.sign({ aud: 'https://other-api.test' })), 'claim_aud_check_failed'],
  ['no exp', () => bearer(issuer.sign({ exp: undefined })), 'claim_exp_missing'],
  ['no sub', () => bearer(issuer.sign({ sub: undefined })), 'claim_sub_missing'],
  ['no typ', () => bearer(issuer.sign({}, { typ: undefined })), 'claim_typ_check_failed'],
  ['unknown kid', () => bearer(issuer.sign({}, { kid: 'rotated-away' })), 'unknown_key'],
  ['kid with path characters', () => bearer(issuer.sign({}, { kid: '../../../../etc/passwd' })), 'unknown_key'],
  ['kid with SQL', () => bearer(issuer.sign({}, { kid: "' OR '1'='1'; DROP TABLE keys; --" })), 'unknown_key'],
  ['jku pointing at the attacker’s keys', () => bearer(signWithAttackerKey({ jku: `${attackerServer.origin}/jwks` })), 'bad_signature'],
  ['x5u pointing at the attacker', () => bearer(signWithAttackerKey({ x5u: `${attackerServer.origin}/cert.pem` })), 'bad_signature'],
  [
    'jwk header embedding the attacker’s key',
    () =>
      bearer(signWithAttackerKey({ jwk: { kty: attackerJwk['kty'], crv: attackerJwk['crv'], x: attackerJwk['x'], y: attackerJwk['y'] } })),
    'bad_signature',
  ],
  [
    'tampered payload',
    async () => {
      const [head, , signature] = (await issuer.sign()).split('.');
      const forged = encodeSegment({
        iss: issuer.issuer,
        aud: issuer.audience,
        sub: 'admin',
        exp: nowSeconds() + 600,
        scope: 'catalog:admin',
      });
      return bearer(`${head}.${forged}.${signature}`);
    },
    'bad_signature',
  ],
  ['truncated', async () => bearer((await issuer.sign()).slice(0, -12)), 'bad_signature'],
  ['100 KB', () => bearer(issuer.sign({ padding: 'x'.repeat(100 * 1024) })), 'too_long'],
  ['garbage', () => bearer('not-a-token'), 'not_a_jws'],
  ['garbage with dots', () => bearer('a.b.c'), 'malformed'],
  [
    'non-JSON segments',
    () => bearer(`${Buffer.from('{oops').toString('base64url')}.${Buffer.from('[]').toString('base64url')}.AAAA`),
    'malformed',
  ],
  [
    'two Authorization headers',
    async () => ({ headers: { authorization: [`Bearer ${await issuer.sign()}`, `Bearer ${await issuer.sign()}`] } }),
    'duplicate_header',
  ],
  [
    'another scheme',
    () => Promise.resolve({ headers: { authorization: `Basic ${Buffer.from('user:password').toString('base64')}` } }),
    'unsupported_scheme',
  ],
  ['a tab instead of a space', async () => ({ headers: { authorization: `Bearer\t${await issuer.sign()}` } }), 'no_scheme'],
  [
    'an ID token (typ JWT, aud = the client)',
    () => bearer(issuer.sign({ aud: 'mobile-app-client-id', nonce: 'n', auth_time: nowSeconds() }, { typ: 'JWT' })),
    'claim_typ_check_failed',
  ],
  [
    'an Approov token (HS256, no iss)',
    async () =>
      bearer(
        new SignJWT({ exp: nowSeconds() + 300, did: 'device-1' }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32).fill(7)),
      ),
    'untrusted_issuer',
  ],
  [
    'a Firebase App Check token',
    async () => {
      const google = await generateKeyPair('RS256');
      return bearer(
        new SignJWT({
          iss: 'https://firebaseappcheck.googleapis.com/123',
          aud: ['projects/123'],
          sub: '1:123:ios:abc',
          exp: nowSeconds() + 300,
        })
          .setProtectedHeader({ alg: 'RS256', kid: 'appcheck', typ: 'JWT' })
          .sign(google.privateKey),
      );
    },
    'untrusted_issuer',
  ],
];

describe('@auth refuses hostile and broken tokens with UNAUTHENTICATED, no crash, no leak', () => {
  it.each(refused)('%s', async (_name, makeRequest, reason) => {
    const logged: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.join(' ')));
    }
    const request = await makeRequest();
    const result = await run(schema(), '{ me health }', request);
    vi.restoreAllMocks();
    expect(result.data).toEqual({ me: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['me', 'UNAUTHENTICATED']]);
    expect((result.errors?.[0]?.originalError as { reason?: string }).reason).toBe(reason);
    const presented = [request.headers?.['authorization'] ?? []].flat().join(' ');
    const secretPart = presented.split(/\s+/).pop()?.slice(-16) ?? '';
    if (secretPart.length > 8) {
      expect(JSON.stringify(result)).not.toContain(secretPart);
      expect(logged.join('\n')).not.toContain(secretPart);
    }
  });

  it('never fetches a jku or x5u URL from a token', async () => {
    attackerServer.hits.clear();
    await run(
      schema(),
      '{ me }',
      await bearer(signWithAttackerKey({ jku: `${attackerServer.origin}/jwks`, x5u: `${attackerServer.origin}/cert.pem` })),
    );
    expect([...attackerServer.hits.values()].reduce((sum, count) => sum + count, 0)).toBe(0);
  });

  it.each([
    ['lower-case bearer', (token: string) => `bearer ${token}`],
    ['upper-case BEARER', (token: string) => `BEARER ${token}`],
    ['several spaces after the scheme', (token: string) => `Bearer    ${token}`],
    ['surrounding whitespace', (token: string) => `  Bearer ${token}  `],
  ])('accepts %s (the scheme is case-insensitive, RFC 9110 §11.1)', async (_name, format) => {
    const result = await run(schema(), '{ me }', { headers: { authorization: format(await issuer.sign()) } });
    expect(result).toEqual({ data: { me: 'user-1' } });
  });

  it('accepts a token within the clock tolerance of its exp', async () => {
    const result = await run(schema(), '{ me }', await bearer(issuer.sign({ exp: nowSeconds() - 2 })));
    expect(result).toEqual({ data: { me: 'user-1' } });
  });
});
