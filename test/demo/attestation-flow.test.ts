import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoConfigError, readDemoConfig } from '../../src/demo/config.js';
import { DevelopmentAttester } from '../../src/development.js';
import { pathCodes, startDemo as startSharedDemo, type DemoResult } from '../support/demo.js';
import { json, startJsonServer, type JsonServer } from '../support/json-server.js';
import { createTestIssuer, type TestIssuer } from '../support/token-issuer.js';

async function startDemo(env: Record<string, string>) {
  const demo = await startSharedDemo(env, { app: 'shop-app' });
  return {
    server: demo.server,
    endpoint: demo.endpoint,
    dataDir: demo.dataDir,
    cli: demo.cli,
    graphql: demo.graphql,
    logLines: demo.logLines,
    stop: demo.stop,
  };
}

const codes = pathCodes;

describe('the demo with @requiresAttestation (development attester, Approov format)', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    demo = await startDemo({});
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
  const fillCart = (token: string) =>
    demo.graphql('mutation { addToCart(productId: "2", quantity: 1) { total } }', { authorization: `Bearer ${token}` });

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
    const headers = {
      authorization: `Bearer ${alice}`,
      'approov-token': await demo.cli('token', 'attestation', '--bind', `Bearer ${alice}`),
    };
    expect((await order(headers)).errors).toBeUndefined();
    await fillCart(alice);
    expect(codes(await order(headers))).toEqual([['placeOrder', 'ATTESTATION_INVALID']]);
  });
});

describe('the demo with Firebase App Check', () => {
  let google: TestIssuer;
  let jwks: JsonServer;
  let demo: Awaited<ReturnType<typeof startDemo>>;

  beforeAll(async () => {
    google = await createTestIssuer({ alg: 'RS256', issuer: 'https://firebaseappcheck.googleapis.com/42', audience: 'projects/42' });
    jwks = await startJsonServer(json(google.jwks));
    demo = await startDemo({
      APPCHECK_PROJECT_NUMBER: '42',
      APPCHECK_APP_IDS: '1:42:ios:shop',
      APPCHECK_JWKS_URI: `${jwks.origin}/v1/jwks`,
    });
  });
  afterAll(async () => {
    await demo.stop();
    await jwks.close();
  });

  const listing = (token: string) =>
    demo.graphql('{ products(first: 1) { edges { node { id } } } }', { 'x-firebase-appcheck': token }) as Promise<
      DemoResult & { extensions?: any }
    >;

  it('draws an allowed app id on the attested cost budget', async () => {
    const result = await listing(await google.sign({ sub: '1:42:ios:shop', scope: undefined }, { typ: 'JWT' }));
    expect(result.errors).toBeUndefined();
    expect(result.extensions.cost.throttleStatus.maximumAvailable).toBe(10_000);
  });

  it('draws an app id that is not in the allow-list on the small budget of a key and address', async () => {
    const result = await listing(await google.sign({ sub: '1:42:android:clone', scope: undefined }, { typ: 'JWT' }));
    expect(result.errors).toBeUndefined();
    expect(result.extensions.cost.throttleStatus.maximumAvailable).toBe(250);
  });
});

describe('attestation configuration', () => {
  it('refuses the development attester in production, saying what to set', () => {
    expect(() => readDemoConfig({ NODE_ENV: 'production', OIDC_ISSUER: 'https://id.example.com/', OIDC_AUDIENCE: 'api' })).toThrow(
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
