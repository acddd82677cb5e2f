import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pathCodes, startDemo as startSharedDemo } from '../support/demo.js';
import { startJsonServer, type JsonServer } from '../support/json-server.js';

async function startDemo(env: Record<string, string> = {}) {
  const demo = await startSharedDemo(env, { app: 'web' });
  return { cli: demo.cli, post: (query: string, headers: Record<string, string> = {}) => demo.graphql(query, headers), stop: demo.stop };
}

const codes = pathCodes;
let counter = 0;
const signUp = () => `mutation { signUp(email: "human${++counter}@example.com", password: "correct horse battery") { id } }`;

describe('the demo with @captcha (development provider)', () => {
  // A fresh demo per test: sign-ups are limited to 5 an hour per address, captcha or not.
  let demo: Awaited<ReturnType<typeof startDemo>>;
  beforeEach(async () => {
    demo = await startDemo();
  });
  afterEach(() => demo.stop());

  it('refuses a sign-up without a captcha, and serves one with a fresh token', async () => {
    expect(codes(await demo.post(signUp()))).toEqual([['signUp', 'CAPTCHA_REQUIRED']]);
    const served = await demo.post(signUp(), { 'x-captcha-token': await demo.cli('token', 'captcha', '--action', 'signup') });
    expect(served.errors).toBeUndefined();
    expect(served.data.signUp.id).toBeTypeOf('string');
  });

  it('refuses fake sign-ups replaying a solved captcha', async () => {
    const solved = await demo.cli('token', 'captcha', '--action', 'signup');
    expect(codes(await demo.post(signUp(), { 'x-captcha-token': solved }))).toEqual([]);
    expect(codes(await demo.post(signUp(), { 'x-captcha-token': solved }))).toEqual([['signUp', 'CAPTCHA_FAILED']]);
  });

  it('refuses a token made for another action, and a low score', async () => {
    expect(codes(await demo.post(signUp(), { 'x-captcha-token': await demo.cli('token', 'captcha', '--action', 'review') }))).toEqual([
      ['signUp', 'CAPTCHA_FAILED'],
    ]);
    expect(
      codes(await demo.post(signUp(), { 'x-captcha-token': await demo.cli('token', 'captcha', '--action', 'signup', '--score', '0.1') })),
    ).toEqual([['signUp', 'CAPTCHA_FAILED']]);
  });

  it('creates one account from five aliased sign-ups sharing one solved captcha', async () => {
    let n = 0;
    const aliases = Array.from(
      { length: 5 },
      () => `s${n++}: signUp(email: "alias${++counter}@example.com", password: "correct horse battery") { id }`,
    );
    const result = await demo.post(`mutation { ${aliases.join(' ')} }`, {
      'x-captcha-token': await demo.cli('token', 'captcha', '--action', 'signup'),
    });
    expect(Object.values(result.data).filter((account) => account !== null)).toHaveLength(1);
    expect(codes(result)).toEqual(['s1', 's2', 's3', 's4'].map((path) => [path, 'CAPTCHA_FAILED']));
  });

  it('creates one account from five aliased sign-ups sharing one attestation and no captcha', async () => {
    let n = 0;
    const aliases = Array.from(
      { length: 5 },
      () => `s${n++}: signUp(email: "waived${++counter}@example.com", password: "correct horse battery") { id }`,
    );
    const result = await demo.post(`mutation { ${aliases.join(' ')} }`, { 'approov-token': await demo.cli('token', 'attestation') });
    expect(Object.values(result.data).filter((account) => account !== null)).toHaveLength(1);
    expect(codes(result)).toEqual(['s1', 's2', 's3', 's4'].map((path) => [path, 'CAPTCHA_REQUIRED']));
  });

  it("never waives the captcha with another user's order attestation replayed without its Authorization", async () => {
    const bobsBearer = `Bearer ${await demo.cli('token', 'user', '--sub', 'bob')}`;
    const bobsAttestation = await demo.cli('token', 'attestation', '--bind', bobsBearer);
    expect(codes(await demo.post(signUp(), { 'approov-token': bobsAttestation }))).toEqual([['signUp', 'CAPTCHA_REQUIRED']]);
  });

  it('waives the sign-up captcha for an attested app, but never the review captcha', async () => {
    const attested = await demo.post(signUp(), { 'approov-token': await demo.cli('token', 'attestation') });
    expect(attested.errors).toBeUndefined();
    const token = await demo.cli('token', 'user', '--sub', attested.data.signUp.id);
    const review = 'mutation { submitReview(productId: "3", rating: 5, body: "Great kettle.") { rating } }';
    const withoutCaptcha = await demo.post(review, {
      authorization: `Bearer ${token}`,
      'approov-token': await demo.cli('token', 'attestation'),
    });
    expect(codes(withoutCaptcha)).toEqual([['submitReview', 'CAPTCHA_REQUIRED']]);
    const withCaptcha = await demo.post(review, {
      authorization: `Bearer ${token}`,
      'x-captcha-token': await demo.cli('token', 'captcha', '--action', 'review'),
    });
    expect(withCaptcha).toEqual({
      data: { submitReview: { rating: 5 } },
      extensions: { cost: expect.objectContaining({ actualQueryCost: 3 }) },
    });
  });
});

describe('the demo with a real provider’s protocol (reCAPTCHA v3 siteverify on loopback)', () => {
  let siteverify: JsonServer;
  let demo: Awaited<ReturnType<typeof startDemo>>;
  const forms: URLSearchParams[] = [];
  beforeAll(async () => {
    siteverify = await startJsonServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(text);
        forms.push(form);
        const good = form.get('response') === 'human-solved-token';
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify(
              good
                ? { success: true, score: 0.8, action: 'signup', hostname: 'shop.example.com', challenge_ts: new Date().toISOString() }
                : { success: false, 'error-codes': ['invalid-input-response'] },
            ),
          );
      });
    });
    demo = await startDemo({
      CAPTCHA_PROVIDER: 'recaptcha',
      CAPTCHA_SECRET: 'recaptcha-secret-for-tests',
      CAPTCHA_HOSTNAMES: 'shop.example.com',
      CAPTCHA_VERIFY_URL: `${siteverify.origin}/recaptcha/api/siteverify`,
    });
  });
  afterAll(async () => {
    await demo.stop();
    await siteverify.close();
  });

  it('verifies with the provider, sending the secret, the token and the client address', async () => {
    expect(codes(await demo.post(signUp(), { 'x-captcha-token': 'human-solved-token' }))).toEqual([]);
    expect(Object.fromEntries(forms[0] as URLSearchParams)).toEqual({
      secret: 'recaptcha-secret-for-tests',
      response: 'human-solved-token',
      remoteip: '127.0.0.1',
    });
    expect(codes(await demo.post(signUp(), { 'x-captcha-token': 'bot-guess' }))).toEqual([['signUp', 'CAPTCHA_FAILED']]);
  });
});
