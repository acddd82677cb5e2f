import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authDirective, getSecurityContext, MemoryReplayCache, publicDirective, type ReplayCache } from '../../../src/index.js';
import { type DpopKeyPair, generateDpopKeyPair, signDpopProof } from '../../../src/development.js';
import { errorCodes, protectedSchema, run, type TestRequest } from '../../support/harness.js';
import { createTestIssuer, nowSeconds, type TestIssuer } from '../../support/token-issuer.js';

const url = 'https://api.test/graphql';
let issuer: TestIssuer;
let client: DpopKeyPair;
let boundToken: string;

beforeAll(async () => {
  issuer = await createTestIssuer();
  client = await generateDpopKeyPair();
  boundToken = await issuer.sign({ cnf: { jkt: client.thumbprint } });
});

function schema(replayCache: ReplayCache = new MemoryReplayCache(), publicOrigin: string | null = 'https://api.test') {
  const auth = authDirective({
    issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } }],
    dpop: { replayCache, ...(publicOrigin ? { publicOrigin } : {}) },
  });
  return protectedSchema(
    'type Query { bound: String @auth(dpop: true) any: String @auth scheme: String @auth }',
    [auth, publicDirective()],
    {
      Query: {
        bound: () => 'ok',
        any: () => 'ok',
        scheme: (_: unknown, __: unknown, context: unknown) => getSecurityContext(context)?.proven.user?.scheme ?? null,
      },
    },
  );
}

/** The claims of a valid proof for the bound token, fresh `iat` and `jti`. */
function proofClaims(token = boundToken): Record<string, unknown> {
  return { htm: 'POST', htu: url, iat: nowSeconds(), jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') };
}

/** A proof with any claim or header member replaced (undefined drops it). */
async function proof(
  options: { claims?: Record<string, unknown>; header?: Record<string, unknown>; keyPair?: DpopKeyPair; alg?: string; token?: string } = {},
): Promise<string> {
  const keyPair = options.keyPair ?? client;
  const { kty, crv, x, y } = keyPair.publicJwk;
  const claims = Object.fromEntries(
    Object.entries<unknown>({ ...proofClaims(options.token), ...options.claims }).filter(([, value]) => value !== undefined),
  );
  const header = Object.fromEntries(
    Object.entries<unknown>({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty, crv, x, y }, ...options.header }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  const { importJWK } = await import('jose');
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(await importJWK(keyPair.privateJwk, 'ES256'));
}

const dpopRequest = (proofs: string | string[], token = boundToken): TestRequest => ({
  url: '/graphql',
  method: 'POST',
  headers: { authorization: `DPoP ${token}`, dpop: proofs, host: 'api.test' },
});

describe('@auth with DPoP (RFC 9449)', () => {
  it('serves a DPoP-bound token with a valid proof, and says the scheme was DPoP', async () => {
    const request = dpopRequest(await signDpopProof(client, { method: 'POST', url, accessToken: boundToken }));
    expect(await run(schema(), '{ bound any scheme }', request)).toEqual({ data: { bound: 'ok', any: 'ok', scheme: 'DPoP' } });
  });

  it('refuses a plain bearer token on a dpop: true field, but serves it elsewhere', async () => {
    const token = await issuer.sign();
    const result = await run(schema(), '{ bound any }', { headers: { authorization: `Bearer ${token}` } });
    expect(result.data).toEqual({ bound: null, any: 'ok' });
    expect(errorCodes(result)).toEqual([['bound', 'UNAUTHENTICATED']]);
    expect(result.errors?.[0]?.message).toBe(
      'This field requires a sender-constrained access token: send Authorization: DPoP <token> with a DPoP proof.',
    );
  });

  it('refuses a DPoP-bound token presented as a bearer token, on every field', async () => {
    const result = await run(schema(), '{ bound any }', { headers: { authorization: `Bearer ${boundToken}` } });
    expect(errorCodes(result)).toEqual([
      ['bound', 'UNAUTHENTICATED'],
      ['any', 'UNAUTHENTICATED'],
    ]);
  });

  it('refuses an unbound token presented with the DPoP scheme', async () => {
    const token = await issuer.sign();
    const request = dpopRequest(await signDpopProof(client, { method: 'POST', url, accessToken: token }), token);
    expect(errorCodes(await run(schema(), '{ any }', request))).toEqual([['any', 'UNAUTHENTICATED']]);
  });

  const hostile: Array<[string, () => Promise<TestRequest>, string]> = [
    [
      'missing proof',
      () => Promise.resolve({ url: '/graphql', headers: { authorization: `DPoP ${boundToken}`, host: 'api.test' } }),
      'dpop_missing',
    ],
    ['two proofs', async () => dpopRequest([await proof(), await proof()]), 'dpop_several_proofs'],
    ['wrong htm', async () => dpopRequest(await proof({ claims: { htm: 'GET' } })), 'dpop_htm_mismatch'],
    ['wrong htu host', async () => dpopRequest(await proof({ claims: { htu: 'https://other.test/graphql' } })), 'dpop_htu_mismatch'],
    ['wrong htu path', async () => dpopRequest(await proof({ claims: { htu: 'https://api.test/admin' } })), 'dpop_htu_mismatch'],
    ['htu with a query', async () => dpopRequest(await proof({ claims: { htu: `${url}?x=1` } })), 'dpop_htu_mismatch'],
    ['htu over http', async () => dpopRequest(await proof({ claims: { htu: 'http://api.test/graphql' } })), 'dpop_htu_mismatch'],
    ['stale iat', async () => dpopRequest(await proof({ claims: { iat: nowSeconds() - 600 } })), 'dpop_stale_iat'],
    ['iat in the future', async () => dpopRequest(await proof({ claims: { iat: nowSeconds() + 600 } })), 'dpop_claim_iat_check_failed'],
    ['ath of another token', async () => dpopRequest(await proof({ token: 'another.access.token' })), 'dpop_ath_mismatch'],
    ['no ath', async () => dpopRequest(await proof({ claims: { ath: undefined } })), 'dpop_claim_ath_missing'],
    ['no jti', async () => dpopRequest(await proof({ claims: { jti: undefined } })), 'dpop_claim_jti_missing'],
    [
      'signed by a key the token is not bound to',
      async () => dpopRequest(await proof({ keyPair: await generateDpopKeyPair() })),
      'dpop_jkt_mismatch',
    ],
    [
      'a proof carrying the private key',
      async () => dpopRequest(await proof({ header: { jwk: client.privateJwk } })),
      'dpop_private_key_in_jwk',
    ],
    [
      'a proof signed with HS256',
      async () => {
        const secret = new Uint8Array(32).fill(1);
        const token = await new SignJWT(proofClaims())
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') } as JWK })
          .sign(secret);
        return dpopRequest(token);
      },
      'dpop_private_key_in_jwk',
    ],
    [
      'a proof with an RSA key but signed HS256 with it',
      async () => {
        const rsa = await generateKeyPair('RS256', { extractable: true });
        const jwk = await exportJWK(rsa.publicKey);
        const token = await new SignJWT(proofClaims())
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk })
          .sign(new TextEncoder().encode(JSON.stringify(jwk)));
        return dpopRequest(token);
      },
      'dpop_algorithm_not_allowed',
    ],
    ['typ JWT instead of dpop+jwt', async () => dpopRequest(await proof({ header: { typ: 'JWT' } })), 'dpop_claim_typ_check_failed'],
    ['no jwk', async () => dpopRequest(await proof({ header: { jwk: undefined } })), 'dpop_no_jwk'],
    ['garbage', () => Promise.resolve(dpopRequest('garbage')), 'dpop_malformed'],
    ['a 10 KB proof', async () => dpopRequest(await proof({ claims: { pad: 'x'.repeat(10_240) } })), 'dpop_malformed'],
  ];

  it.each(hostile)('refuses %s with UNAUTHENTICATED', async (_name, makeRequest, reason) => {
    const result = await run(schema(), '{ bound }', await makeRequest());
    expect(errorCodes(result)).toEqual([['bound', 'UNAUTHENTICATED']]);
    expect((result.errors?.[0]?.originalError as { reason?: string }).reason).toBe(reason);
    expect(JSON.stringify(result)).not.toContain(boundToken.slice(-20));
  });

  it('refuses a replayed proof (same jti)', async () => {
    const replayCache = new MemoryReplayCache();
    const protectedSchema = schema(replayCache);
    const request = dpopRequest(await proof());
    expect(errorCodes(await run(protectedSchema, '{ bound }', request))).toEqual([]);
    const replay = await run(protectedSchema, '{ bound }', request);
    expect(errorCodes(replay)).toEqual([['bound', 'UNAUTHENTICATED']]);
    expect((replay.errors?.[0]?.originalError as { reason?: string }).reason).toBe('dpop_replayed_jti');
  });

  it('uses one proof per request: many DPoP fields and aliases record its jti once', async () => {
    const seen: string[] = [];
    const counting: ReplayCache = { firstUse: (key) => (seen.push(key), true) };
    const request = dpopRequest(await proof());
    const result = await run(schema(counting), '{ a: bound b: bound any }', request);
    expect(result).toEqual({ data: { a: 'ok', b: 'ok', any: 'ok' } });
    expect(seen).toHaveLength(1);
  });

  it('refuses with PROTECTION_UNAVAILABLE when the replay cache fails', async () => {
    const failing: ReplayCache = { firstUse: () => Promise.reject(new Error('redis down')) };
    const result = await run(schema(failing), '{ bound }', dpopRequest(await proof()));
    expect(errorCodes(result)).toEqual([['bound', 'PROTECTION_UNAVAILABLE']]);
  });

  it('rebuilds the request URL from the Host header, and from trusted proxies only', async () => {
    const open = schema(new MemoryReplayCache(), null);
    const direct = await signDpopProof(client, { method: 'POST', url: 'http://api.test/graphql', accessToken: boundToken });
    expect(errorCodes(await run(open, '{ bound }', dpopRequest(direct)))).toEqual([]);

    const viaProxy = await signDpopProof(client, { method: 'POST', url: 'https://shop.test/graphql', accessToken: boundToken });
    const forwarded = {
      ...dpopRequest(viaProxy),
      remoteAddress: '10.0.0.2',
      headers: { ...dpopRequest(viaProxy).headers, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.test' },
    };
    expect(errorCodes(await run(open, '{ bound }', forwarded, { trustedProxies: ['10.0.0.0/8'] }))).toEqual([]);
    const spoofed = await signDpopProof(client, { method: 'POST', url: 'https://shop.test/graphql', accessToken: boundToken });
    const untrusted = { ...forwarded, remoteAddress: '203.0.113.9', headers: { ...forwarded.headers, dpop: spoofed } };
    expect(errorCodes(await run(open, '{ bound }', untrusted, { trustedProxies: ['10.0.0.0/8'] }))).toEqual([['bound', 'UNAUTHENTICATED']]);
  });
});
