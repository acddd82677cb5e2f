import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approovVerifier,
  firebaseAppCheckVerifier,
  getSecurityContext,
  publicDirective,
  requiresAttestationDirective,
} from '../../../src/index.js';
import { errorCodes, protectedSchema, run } from '../../support/harness.js';
import { json, startJsonServer, type JsonServer } from '../../support/json-server.js';
import { createTestIssuer, nowSeconds, type TestIssuer } from '../../support/token-issuer.js';

const projectNumber = '123456789';
const appId = `1:${projectNumber}:ios:abcdef`;
let google: TestIssuer;
let jwks: JsonServer;

beforeAll(async () => {
  google = await createTestIssuer({
    alg: 'RS256',
    issuer: `https://firebaseappcheck.googleapis.com/${projectNumber}`,
    audience: `projects/${projectNumber}`,
  });
  jwks = await startJsonServer(json(google.jwks));
});
afterAll(() => jwks.close());

function schema(options: { jwksUri?: string } = {}) {
  const attestation = requiresAttestationDirective({
    verifiers: [
      firebaseAppCheckVerifier({
        projectNumber,
        appIds: [appId],
        jwksUri: options.jwksUri ?? `${jwks.origin}/v1/jwks`,
        keySet: { retryAfterErrorMs: 0 },
      }),
    ],
  });
  return protectedSchema(
    'type Query { app: String @requiresAttestation bound: String @requiresAttestation(bindToAuthorization: true) health: String @public }',
    [attestation, publicDirective()],
    {
      Query: {
        app: (_: unknown, __: unknown, context: unknown) => getSecurityContext(context)?.proven.attestation?.appId ?? null,
        bound: () => 'ok',
        health: () => 'ok',
      },
    },
  );
}

/** An App Check token as Firebase issues it (typ JWT, aud = both project forms). */
const appCheckToken = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  google.sign(
    { sub: appId, aud: [`projects/${projectNumber}`, 'projects/my-shop'], scope: undefined, ...claims },
    { typ: 'JWT', ...header },
  );

const request = (token: string | string[]) => ({ headers: { 'x-firebase-appcheck': token } });

describe('@requiresAttestation with Firebase App Check tokens', () => {
  it('serves an allowed app and tells resolvers its app id', async () => {
    expect(await run(schema(), '{ app }', request(await appCheckToken()))).toEqual({ data: { app: appId } });
  });

  const hostile: Array<[string, () => Promise<string | string[]>, string]> = [
    ['an app id not in the allow-list', () => appCheckToken({ sub: `1:${projectNumber}:android:evil` }), 'app_not_allowed'],
    ['an empty sub', () => appCheckToken({ sub: '' }), 'app_not_allowed'],
    ['the wrong iss', () => appCheckToken({ iss: 'https://firebaseappcheck.googleapis.com/999' }), 'claim_iss_check_failed'],
    ['the wrong aud', () => appCheckToken({ aud: ['projects/999'] }), 'claim_aud_check_failed'],
    ['expired', () => appCheckToken({ exp: nowSeconds() - 1 }), 'expired'],
    ['typ other than JWT', () => appCheckToken({}, { typ: 'at+jwt' }), 'claim_typ_check_failed'],
    [
      'an HS256 token',
      () =>
        new SignJWT({
          iss: `https://firebaseappcheck.googleapis.com/${projectNumber}`,
          aud: [`projects/${projectNumber}`],
          sub: appId,
          exp: nowSeconds() + 300,
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .sign(randomBytes(32)),
      'algorithm_not_allowed',
    ],
    ['an unknown key id', () => appCheckToken({}, { kid: 'elsewhere' }), 'unknown_key'],
    ['two headers', async () => [await appCheckToken(), await appCheckToken()], 'duplicate_header'],
    ['a 50 KB token', () => appCheckToken({ padding: 'x'.repeat(50 * 1024) }), 'too_long'],
  ];

  it.each(hostile)('refuses %s with ATTESTATION_INVALID', async (_name, makeToken, reason) => {
    const result = await run(schema(), '{ app health }', request(await makeToken()));
    expect(result.data).toEqual({ app: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['app', 'ATTESTATION_INVALID']]);
    expect((result.errors?.[0]?.originalError as { reason?: string }).reason).toBe(reason);
  });

  it('cannot prove a binding (App Check has none)', async () => {
    const result = await run(schema(), '{ bound }', {
      headers: { 'x-firebase-appcheck': await appCheckToken(), authorization: 'Bearer x' },
    });
    expect(errorCodes(result)).toEqual([['bound', 'ATTESTATION_INVALID']]);
    expect((result.errors?.[0]?.originalError as { reason?: string }).reason).toBe('binding_unsupported');
  });

  it('fails closed with PROTECTION_UNAVAILABLE when the App Check keys cannot be fetched', async () => {
    const result = await run(schema({ jwksUri: 'http://127.0.0.1:9/v1/jwks' }), '{ app health }', request(await appCheckToken()));
    expect(result.data).toEqual({ app: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['app', 'PROTECTION_UNAVAILABLE']]);
  });

  it('throws a TypeError for a bad project number or an empty allow-list', () => {
    expect(() => firebaseAppCheckVerifier({ projectNumber: 'my-shop', appIds: [appId] })).toThrow(TypeError);
    expect(() => firebaseAppCheckVerifier({ projectNumber, appIds: [] })).toThrow(TypeError);
  });

  it('takes the first configured format whose header the request carries', async () => {
    const attestation = requiresAttestationDirective({
      verifiers: [
        approovVerifier({ secret: randomBytes(32).toString('base64') }),
        firebaseAppCheckVerifier({ projectNumber, appIds: [appId], jwksUri: `${jwks.origin}/v1/jwks` }),
      ],
    });
    const both = protectedSchema('type Query { x: String @requiresAttestation }', [attestation], { Query: { x: () => 'ok' } });
    expect(await run(both, '{ x }', request(await appCheckToken()))).toEqual({ data: { x: 'ok' } });
  });
});
