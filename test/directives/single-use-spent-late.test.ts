import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  approovVerifier,
  authDirective,
  captchaDirective,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryRateLimitStore,
  MemoryReplayCache,
  rateLimitDirective,
  requiresApiKeyDirective,
  requiresAttestationDirective,
} from '../../src/index.js';
import { DevelopmentCaptcha, type DpopKeyPair, generateDpopKeyPair, signDpopProof } from '../../src/development.js';
import { errorCodes, protectedSchema, run, type TestRequest } from '../support/harness.js';
import { temporaryDirectory } from '../support/temp-directory.js';
import { createTestIssuer, type TestIssuer } from '../support/token-issuer.js';

// Single use means one protected call: a DPoP proof, a consumed attestation or a captcha token is
// spent only by a call that every cheaper check let through. Prewarming verifies ahead of
// execution but never spends.
const sdl = `
  type Query {
    dpop: String @requiresApiKey @auth(dpop: true)
    order: String @requiresApiKey @rateLimit(window: "1m", max: 1, by: [IP]) @requiresAttestation(consume: true)
    again: String @requiresApiKey @requiresAttestation(consume: true)
    signUp: String @requiresApiKey @captcha(action: "signup")
  }
`;
const ok = () => 'ok';
const approovSecret = Buffer.from(createHash('sha256').update('single-use-spent-late').digest());
let issuer: TestIssuer;
let client: DpopKeyPair;
let apiKey: string;
let captcha: DevelopmentCaptcha;
let schema: ReturnType<typeof protectedSchema>;

beforeAll(async () => {
  issuer = await createTestIssuer();
  client = await generateDpopKeyPair();
  const store = new MemoryApiKeyStore();
  apiKey = (await issueApiKey(store, { app: 'ios' })).key;
  const directory = temporaryDirectory();
  captcha = DevelopmentCaptcha.open(`${directory.path}/captcha.json`);
  const attestation = requiresAttestationDirective({
    verifiers: [approovVerifier({ secret: approovSecret })],
    replayCache: new MemoryReplayCache(),
  });
  schema = protectedSchema(
    sdl,
    [
      requiresApiKeyDirective({ store }),
      authDirective({
        issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } }],
        dpop: { replayCache: new MemoryReplayCache(), publicOrigin: 'https://api.test' },
      }),
      rateLimitDirective({ store: new MemoryRateLimitStore() }),
      attestation,
      captchaDirective({ verifier: captcha.verifier(), replayCache: new MemoryReplayCache(), hostnames: ['localhost'], attestation }),
    ],
    { Query: { dpop: ok, order: ok, again: ok, signUp: ok } },
  );
});

const withKey = (request: TestRequest): TestRequest => ({ ...request, headers: { ...request.headers, 'x-api-key': apiKey } });
const reason = (result: Awaited<ReturnType<typeof run>>) => (result.errors?.[0]?.originalError as { reason?: string } | undefined)?.reason;

describe('nothing single-use is spent by a call that a cheaper check refuses', () => {
  it('keeps a DPoP proof sent without an API key good for the same request with one', async () => {
    const token = await issuer.sign({ cnf: { jkt: client.thumbprint } });
    const proof = await signDpopProof(client, { method: 'POST', url: 'https://api.test/graphql', accessToken: token });
    const request: TestRequest = { url: '/graphql', method: 'POST', headers: { authorization: `DPoP ${token}`, dpop: proof } };
    expect(errorCodes(await run(schema, '{ dpop }', request))).toEqual([['dpop', 'API_KEY_REQUIRED']]);
    expect(await run(schema, '{ dpop }', withKey(request))).toEqual({ data: { dpop: 'ok' } });
    const replay = await run(schema, '{ dpop }', withKey(request));
    expect(errorCodes(replay)).toEqual([['dpop', 'UNAUTHENTICATED']]);
    expect(reason(replay)).toBe('dpop_replayed_jti');
  });

  it('keeps an attestation good after an API-key refusal and after a rate-limit refusal', async () => {
    const attestation = () =>
      new SignJWT({ did: `device-${randomUUID()}` }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(approovSecret);
    const first = await attestation();
    expect(errorCodes(await run(schema, '{ order }', { headers: { 'approov-token': first } }))).toEqual([['order', 'API_KEY_REQUIRED']]);
    expect(await run(schema, '{ order }', withKey({ headers: { 'approov-token': first } }))).toEqual({ data: { order: 'ok' } });
    const second = await attestation();
    expect(errorCodes(await run(schema, '{ order }', withKey({ headers: { 'approov-token': second } })))).toEqual([
      ['order', 'RATE_LIMITED'],
    ]);
    expect(await run(schema, '{ again }', withKey({ headers: { 'approov-token': second } }))).toEqual({ data: { again: 'ok' } });
  });

  it('keeps a captcha token sent without an API key good for the same call with one', async () => {
    const token = await captcha.solve({ action: 'signup' });
    expect(errorCodes(await run(schema, '{ signUp }', { headers: { 'x-captcha-token': token } }))).toEqual([
      ['signUp', 'API_KEY_REQUIRED'],
    ]);
    expect(await run(schema, '{ signUp }', withKey({ headers: { 'x-captcha-token': token } }))).toEqual({ data: { signUp: 'ok' } });
  });
});
