import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoConfigError, readDemoConfig } from '../../src/demo/config.js';
import { DevelopmentAttester } from '../../src/development.js';
import { pathCodes, startDemo as startSharedDemo } from '../support/demo.js';
import { json, startJsonServer, type JsonServer } from '../support/json-server.js';
import { createTestIssuer, type TestIssuer } from '../support/token-issuer.js';

async function startDemo(env: Record<string, string>) {
  const demo = await startSharedDemo(env, { app: 'shop-app' });
  return { server: demo.server, endpoint: demo.endpoint, dataDir: demo.dataDir, cli: demo.cli, graphql: demo.graphql, logLines: demo.logLines, stop: demo.stop };
}

const codes = pathCodes;

describe('the demo with @requiresAttestation (development attester, Approov format)', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    demo = await startDemo({ ATTESTATION_AFTER_ITEMS: '40' });
    const signUp = async (email: string) =>
      (
        await demo.graphql(`mutation { signUp(email: "${email}", password: "correct horse battery") { id } }`, {
          'x-captcha-token': await demo.cli('token', 'captcha', '--action', 'signup'),
        })
      ).data.signUp.id as string;
    alice = await demo.cli('token', 'user', '--sub', await signUp('alice@example.com'));
    bob = await demo.cli('token', 'user', '--sub', await signUp('bob@example.com'));
  });
  afterAll(async () => {
    await demo.stop();
  });

  const order = (headers: Record<string, string>) => demo.graphql('mutation { placeOrder { id } }', headers);
  const fillCart = (token: string) => demo.graphql('mutation { addToCart(productId: "2", quantity: 1) { total } }', { authorization: `Bearer ${token}` });

  it('serves the genuine app: key, user token and an attestation bound to that token', async () => {
    await fillCart(alice);
    const attestation = await demo.cli('token', 'attestation', '--bind', `Bearer ${alice}`);
    const result = await order({ authorization: `Bearer ${alice}`, 'approov-token': attestation });
    expect(result.errors).toBeUndefined();
    expect(result.data.placeOrder.id).toBeTypeOf('string');
  });

  it('refuses a script replaying a genuine user token and API key without attestation', async () => {
    await fillCart(alice);
    expect(codes(await order({ authorization: `Bearer ${alice}` }))).toEqual([['placeOrder', 'ATTESTATION_REQUIRED']]);
  });

  it('refuses a genuine attestation replayed with another user’s Authorization header (binding)', async () => {
    await fillCart(bob);
    const alicesAttestation = await demo.cli('token', 'attestation', '--bind', `Bearer ${alice}`);
    expect(codes(await order({ authorization: `Bearer ${bob}`, 'approov-token': alicesAttestation }))).toEqual([
      ['placeOrder', 'ATTESTATION_INVALID'],
    ]);
  });

  it('refuses an expired attestation token', async () => {
    const attester = DevelopmentAttester.open(`${demo.dataDir}/dev-attester.json`);
    const expired = await attester.issueToken({ ttlSeconds: 60, bind: `Bearer ${alice}`, now: Date.now() - 120_000 });
    expect(codes(await order({ authorization: `Bearer ${alice}`, 'approov-token': expired }))).toEqual([
      ['placeOrder', 'ATTESTATION_INVALID'],
    ]);
  });

  it('refuses the replay of a whole genuine request (a captive portal resending it)', async () => {
    await fillCart(alice);
    const headers = { authorization: `Bearer ${alice}`, 'approov-token': await demo.cli('token', 'attestation', '--bind', `Bearer ${alice}`) };
    expect((await order(headers)).errors).toBeUndefined();
    await fillCart(alice);
    expect(codes(await order(headers))).toEqual([['placeOrder', 'ATTESTATION_INVALID']]);
  });

  it('lets a scraper with a stolen key page the first items only', async () => {
    const page = (after?: string, headers: Record<string, string> = {}) =>
      demo.graphql(`{ products(first: 20${after ? `, after: "${after}"` : ''}) { edges { node { id } } pageInfo { endCursor } } }`, headers);
    const first = await page();
    const second = await page(first.data.products.pageInfo.endCursor);
    expect(second.errors).toBeUndefined();
    const third = await page(second.data.products.pageInfo.endCursor);
    expect(codes(third)).toEqual([['products', 'ATTESTATION_REQUIRED']]);
    const attested = await page(second.data.products.pageInfo.endCursor, { 'approov-token': await demo.cli('token', 'attestation') });
    expect(attested.errors).toBeUndefined();
    expect(attested.data.products.edges).toHaveLength(20);
  });

  const deepPage = (headers: Record<string, string> = {}) =>
    demo.graphql(`{ products(first: 5, after: "${Buffer.from('product:100').toString('base64url')}") { edges { node { id } } } }`, headers);

  it('spends the attestation on a deep page: the same token opens one page, not two', async () => {
    const attestation = await demo.cli('token', 'attestation');
    expect((await deepPage({ 'approov-token': attestation })).errors).toBeUndefined();
    expect(codes(await deepPage({ 'approov-token': attestation }))).toEqual([['products', 'ATTESTATION_INVALID']]);
  });

  it('refuses a deep page with an attestation bound to an Authorization value the request does not carry', async () => {
    const bobsAttestation = await demo.cli('token', 'attestation', '--bind', `Bearer ${bob}`);
    expect(codes(await deepPage({ 'approov-token': bobsAttestation }))).toEqual([['products', 'ATTESTATION_INVALID']]);
  });

  it('refuses a deep page with the attestation an order already consumed', async () => {
    await fillCart(bob);
    const attestation = await demo.cli('token', 'attestation', '--bind', `Bearer ${bob}`);
    expect((await order({ authorization: `Bearer ${bob}`, 'approov-token': attestation })).errors).toBeUndefined();
    expect(codes(await deepPage({ authorization: `Bearer ${bob}`, 'approov-token': attestation }))).toEqual([['products', 'ATTESTATION_INVALID']]);
  });

  it('reports a refused deep page to the observer: a security log line and the decisions metric', async () => {
    const before = demo.logLines.length;
    expect(codes(await deepPage())).toEqual([['products', 'ATTESTATION_REQUIRED']]);
    const refusals = demo.logLines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['event'] === 'protection_refused');
    expect(refusals).toEqual([expect.objectContaining({ coordinate: 'Query.products', code: 'ATTESTATION_REQUIRED', directive: 'requiresAttestation' })]);
    const metrics = await (await fetch(new URL('/metrics', demo.endpoint))).text();
    expect(metrics).toMatch(/rampart_decisions_total\{directive="requiresAttestation",outcome="refused",code="ATTESTATION_REQUIRED"\} [1-9]/);
  });

  it('cannot be tricked into a shallow depth by a forged cursor', async () => {
    const forged = Buffer.from('product:9000').toString('base64url');
    const result = await demo.graphql(`{ products(first: 5, after: "${forged}") { edges { node { id } } } }`);
    expect(codes(result)).toEqual([['products', 'ATTESTATION_REQUIRED']]);
  });
});

describe('the demo with Firebase App Check', () => {
  let google: TestIssuer;
  let jwks: JsonServer;
  let demo: Awaited<ReturnType<typeof startDemo>>;

  beforeAll(async () => {
    google = await createTestIssuer({ alg: 'RS256', issuer: 'https://firebaseappcheck.googleapis.com/42', audience: 'projects/42' });
    jwks = await startJsonServer(json(google.jwks));
    demo = await startDemo({ APPCHECK_PROJECT_NUMBER: '42', APPCHECK_APP_IDS: '1:42:ios:shop', APPCHECK_JWKS_URI: `${jwks.origin}/v1/jwks`, ATTESTATION_AFTER_ITEMS: '0' });
  });
  afterAll(async () => {
    await demo.stop();
    await jwks.close();
  });

  const listing = (token: string) =>
    demo.graphql('{ products(first: 1, after: "cHJvZHVjdDox") { edges { node { id } } } }', { 'x-firebase-appcheck': token });

  it('serves an allowed app id', async () => {
    expect((await listing(await google.sign({ sub: '1:42:ios:shop', scope: undefined }, { typ: 'JWT' }))).errors).toBeUndefined();
  });

  it('refuses an app id that is not in the allow-list', async () => {
    expect(codes(await listing(await google.sign({ sub: '1:42:android:clone', scope: undefined }, { typ: 'JWT' })))).toEqual([
      ['products', 'ATTESTATION_INVALID'],
    ]);
  });
});

describe('attestation configuration', () => {
  it('refuses the development attester in production, saying what to set', () => {
    expect(() =>
      readDemoConfig({ NODE_ENV: 'production', OIDC_ISSUER: 'https://id.example.com/', OIDC_AUDIENCE: 'api' }),
    ).toThrow(
      new DemoConfigError(
        'NODE_ENV=production refuses the development attester: set APPROOV_SECRET, or APPCHECK_PROJECT_NUMBER and APPCHECK_APP_IDS',
      ),
    );
  });

  it('refuses a malformed APPROOV_SECRET without repeating it', () => {
    try {
      readDemoConfig({ APPROOV_SECRET: 'short!secret' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('APPROOV_SECRET must be the Approov account secret, base64 (16 bytes or more)');
      expect((error as Error).message).not.toContain('short!secret');
    }
  });

  it('refuses a half App Check configuration', () => {
    expect(() => readDemoConfig({ APPCHECK_PROJECT_NUMBER: '42' })).toThrow('APPCHECK_APP_IDS must list the allowed app ids');
  });
});
