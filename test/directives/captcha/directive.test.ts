import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  approovVerifier,
  captchaDirective,
  type CaptchaOptions,
  type CaptchaVerifier,
  hcaptchaVerifier,
  MemoryRateLimitStore,
  MemoryReplayCache,
  publicDirective,
  rateLimitDirective,
  recaptchaV3Verifier,
  requiresAttestationDirective,
  turnstileVerifier,
} from '../../../src/index.js';
import { errorCodes, protectedSchema, run, type TestRequest } from '../../support/harness.js';
import { startJsonServer, type JsonServer } from '../../support/json-server.js';
import { SignJWT } from 'jose';

const secret = 'test-siteverify-secret-4d1f6a';
let provider: JsonServer;
let forms: URLSearchParams[];

beforeAll(async () => {
  provider = await startJsonServer();
});
afterAll(() => provider.close());
beforeEach(() => {
  forms = [];
  answer(verdict());
});

function verdict(overrides: Record<string, unknown> = {}) {
  return {
    success: true,
    score: 0.9,
    action: 'signup',
    hostname: 'shop.example',
    challenge_ts: new Date().toISOString(),
    'error-codes': [],
    ...overrides,
  };
}

/** How the provider answers a siteverify POST when `answer` is given a function. */
type SiteverifyHandler = (request: IncomingMessage, response: ServerResponse, form: URLSearchParams) => void;

/** The provider answers every siteverify POST with `body`: a JSON value, or a {@link SiteverifyHandler}. */
function answer(body: unknown) {
  provider.respond((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(text);
      forms.push(form);
      if (typeof body === 'function') {
        (body as SiteverifyHandler)(request, response, form);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
}

const sdl = `
  type Query {
    signUp: String @captcha(action: "signup")
    strict: String @captcha(action: "signup", minScore: 0.95)
    limited: String @rateLimit(window: "1m", max: 2, by: [IP]) @captcha(action: "signup")
    waived: String @captcha(action: "signup", skipIfAttested: true)
    review: String @captcha(action: "review")
    consumed: String @requiresAttestation(consume: true)
    bound: String @requiresAttestation(bindToAuthorization: true)
    items: [Item!]! @public
    health: String @public
  }
  type Item {
    claim: String @captcha(action: "signup")
  }
`;
const ok = () => 'ok';
const resolvers = {
  Query: {
    signUp: ok,
    strict: ok,
    limited: ok,
    waived: ok,
    review: ok,
    consumed: ok,
    bound: ok,
    items: () => [{ claim: 'ok' }, { claim: 'ok' }, { claim: 'ok' }],
    health: ok,
  },
};
const approovSecret = randomBytes(32);

function schema(
  overrides: Partial<CaptchaOptions> = {},
  verifier: CaptchaVerifier = recaptchaV3Verifier({ secret, endpoint: `${provider.origin}/siteverify`, timeoutMs: 300 }),
) {
  const attestation = requiresAttestationDirective({
    verifiers: [approovVerifier({ secret: approovSecret })],
    replayCache: new MemoryReplayCache(),
  });
  const captcha = captchaDirective({
    verifier,
    replayCache: new MemoryReplayCache(),
    hostnames: ['shop.example'],
    attestation,
    ...overrides,
  });
  return protectedSchema(
    sdl,
    [captcha, rateLimitDirective({ store: new MemoryRateLimitStore() }), attestation, publicDirective()],
    resolvers,
  );
}

const token = () => `captcha-token-${randomBytes(12).toString('base64url')}`;
const withToken = (value: string, extra: TestRequest = {}): TestRequest => ({
  remoteAddress: '203.0.113.50',
  ...extra,
  headers: { 'x-captcha-token': value, ...extra.headers },
});
const reason = (result: Awaited<ReturnType<typeof run>>) => (result.errors?.[0]?.originalError as { reason?: string } | undefined)?.reason;

describe('@captcha with reCAPTCHA v3', () => {
  it('serves a valid token, posting secret, response and the client address to siteverify', async () => {
    const sent = token();
    expect(await run(schema(), '{ signUp }', withToken(sent))).toEqual({ data: { signUp: 'ok' } });
    expect(forms).toHaveLength(1);
    expect(Object.fromEntries(forms[0] as URLSearchParams)).toEqual({ secret, response: sent, remoteip: '203.0.113.50' });
  });

  const refused: Array<[string, () => TestRequest, unknown, string, string, number]> = [
    ['no token', () => ({}), verdict(), 'CAPTCHA_REQUIRED', 'missing', 0],
    ['an empty token', () => withToken(''), verdict(), 'CAPTCHA_REQUIRED', 'missing', 0],
    ['a 10 KB token', () => withToken('x'.repeat(10_240)), verdict(), 'CAPTCHA_FAILED', 'malformed', 0],
    ['a token in the URL', () => ({ url: `/graphql?g-recaptcha-response=${token()}` }), verdict(), 'CAPTCHA_REQUIRED', 'token_in_url', 0],
    ['two tokens', () => ({ headers: { 'x-captcha-token': [token(), token()] } }), verdict(), 'CAPTCHA_FAILED', 'duplicate_header', 0],
    [
      'a token the provider rejects',
      () => withToken(token()),
      { success: false, 'error-codes': ['invalid-input-response'] },
      'CAPTCHA_FAILED',
      'rejected',
      1,
    ],
    [
      'a token already used at the provider',
      () => withToken(token()),
      { success: false, 'error-codes': ['timeout-or-duplicate'] },
      'CAPTCHA_FAILED',
      'replayed_at_provider',
      1,
    ],
    ['the wrong action', () => withToken(token()), verdict({ action: 'login' }), 'CAPTCHA_FAILED', 'wrong_action', 1],
    ['a score of 0.1', () => withToken(token()), verdict({ score: 0.1 }), 'CAPTCHA_FAILED', 'low_score', 1],
    ['the wrong hostname', () => withToken(token()), verdict({ hostname: 'evil.example' }), 'CAPTCHA_FAILED', 'wrong_hostname', 1],
    [
      'a stale challenge',
      () => withToken(token()),
      verdict({ challenge_ts: new Date(Date.now() - 10 * 60_000).toISOString() }),
      'CAPTCHA_FAILED',
      'stale_challenge',
      1,
    ],
    ['success without the fields to check', () => withToken(token()), { success: true }, 'CAPTCHA_FAILED', 'no_action', 1],
    ['success without a score', () => withToken(token()), verdict({ score: undefined }), 'CAPTCHA_FAILED', 'no_score', 1],
    [
      'a provider answering 500',
      () => withToken(token()),
      (_: IncomingMessage, response: ServerResponse) => response.writeHead(500).end(),
      'PROTECTION_UNAVAILABLE',
      'captcha_provider_unavailable',
      1,
    ],
    [
      'a provider answering non-JSON',
      () => withToken(token()),
      (_: IncomingMessage, response: ServerResponse) => response.writeHead(200).end('<html>oops'),
      'PROTECTION_UNAVAILABLE',
      'captcha_provider_unavailable',
      1,
    ],
    [
      'a provider answering JSON without success',
      () => withToken(token()),
      { score: 0.9 },
      'PROTECTION_UNAVAILABLE',
      'captcha_provider_unavailable',
      1,
    ],
    [
      'a provider that never answers',
      () => withToken(token()),
      () => undefined,
      'PROTECTION_UNAVAILABLE',
      'captcha_provider_unavailable',
      1,
    ],
  ];

  it.each(refused)('refuses %s', async (_name, makeRequest, providerAnswer, code, why, providerCalls) => {
    answer(providerAnswer);
    const request = makeRequest();
    const result = await run(schema(), '{ signUp health }', request);
    expect(result.data).toEqual({ signUp: null, health: 'ok' });
    expect(errorCodes(result)).toEqual([['signUp', code]]);
    expect(reason(result)).toBe(why);
    expect(forms).toHaveLength(providerCalls);
    const sent = [request.headers?.['x-captcha-token'] ?? []].flat()[0] ?? '';
    const text = JSON.stringify(result);
    expect(text).not.toContain(secret);
    if (sent.length > 8) expect(text).not.toContain(sent);
  });

  it('refuses a token replayed locally before asking the provider again', async () => {
    const protectedSchema = schema();
    const sent = token();
    expect(errorCodes(await run(protectedSchema, '{ signUp }', withToken(sent)))).toEqual([]);
    const replay = await run(protectedSchema, '{ signUp }', withToken(sent));
    expect(errorCodes(replay)).toEqual([['signUp', 'CAPTCHA_FAILED']]);
    expect(reason(replay)).toBe('replayed');
    expect(forms).toHaveLength(1);
  });

  it('spends the token on the first call: five aliased sign-ups with one token create one account', async () => {
    const result = await run(schema(), '{ s0: signUp s1: signUp s2: signUp s3: signUp s4: signUp }', withToken(token()));
    expect(result.data).toEqual({ s0: 'ok', s1: null, s2: null, s3: null, s4: null });
    expect(errorCodes(result)).toEqual(['s1', 's2', 's3', 's4'].map((path) => [path, 'CAPTCHA_FAILED']));
    expect(result.errors?.map((error) => (error.originalError as { reason?: string }).reason)).toEqual(Array(4).fill('replayed'));
    expect(forms).toHaveLength(1);
  });

  it('spends the token on the first list item: the other items are replays', async () => {
    const result = await run(schema(), '{ items { claim } }', withToken(token()));
    expect(result.data).toEqual({ items: [{ claim: 'ok' }, { claim: null }, { claim: null }] });
    expect(errorCodes(result)).toEqual([
      ['items.1.claim', 'CAPTCHA_FAILED'],
      ['items.2.claim', 'CAPTCHA_FAILED'],
    ]);
    expect(forms).toHaveLength(1);
  });

  it('spends the token on the first @captcha field: another field in the same request is a replay', async () => {
    const result = await run(schema(), '{ signUp review }', withToken(token()));
    expect(result.data).toEqual({ signUp: 'ok', review: null });
    expect(errorCodes(result)).toEqual([['review', 'CAPTCHA_FAILED']]);
    expect(reason(result)).toBe('replayed');
    expect(forms).toHaveLength(1);
  });

  it('counts each alias against @rateLimit before the captcha: a throttled alias spends nothing, the next is a replay', async () => {
    const result = await run(schema(), '{ a: limited b: limited c: limited }', withToken(token()));
    expect(result.data).toEqual({ a: 'ok', b: null, c: null });
    expect(errorCodes(result).sort()).toEqual([
      ['b', 'CAPTCHA_FAILED'],
      ['c', 'RATE_LIMITED'],
    ]);
    expect(forms).toHaveLength(1);
  });

  it('spends no token on a call the rate limit refused', async () => {
    const protectedSchema = schema();
    await run(protectedSchema, '{ a: limited }', withToken(token()));
    await run(protectedSchema, '{ b: limited }', withToken(token()));
    const throttled = token();
    expect(errorCodes(await run(protectedSchema, '{ limited }', withToken(throttled)))).toEqual([['limited', 'RATE_LIMITED']]);
    expect(forms).toHaveLength(2);
    expect(errorCodes(await run(protectedSchema, '{ signUp }', withToken(throttled)))).toEqual([]);
  });

  it('checks the action per field: a token made for sign-up is refused by a review', async () => {
    const result = await run(schema(), '{ review }', withToken(token()));
    expect(errorCodes(result)).toEqual([['review', 'CAPTCHA_FAILED']]);
    expect(reason(result)).toBe('wrong_action');
  });

  it('uses the directive’s minScore over the option’s', async () => {
    answer(verdict({ score: 0.9 }));
    const result = await run(schema(), '{ strict }', withToken(token()));
    expect(errorCodes(result)).toEqual([['strict', 'CAPTCHA_FAILED']]);
    expect(reason(result)).toBe('low_score');
  });

  describe('the waiver for attested apps', () => {
    const attestation = (key: Uint8Array = approovSecret) =>
      new SignJWT({ did: 'device-1' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(key);

    it('needs no captcha with a valid attestation', async () => {
      const result = await run(schema(), '{ waived }', { headers: { 'approov-token': await attestation() } });
      expect(result).toEqual({ data: { waived: 'ok' } });
      expect(forms).toHaveLength(0);
    });

    it('still needs the captcha with an invalid attestation, or none', async () => {
      const invalid = await run(schema(), '{ waived }', { headers: { 'approov-token': await attestation(randomBytes(32)) } });
      expect(errorCodes(invalid)).toEqual([['waived', 'CAPTCHA_REQUIRED']]);
      expect(errorCodes(await run(schema(), '{ waived }', withToken(token())))).toEqual([]);
    });

    it('spends the attestation: the same token waives one call, then the captcha is required again', async () => {
      const protectedSchema = schema();
      const headers = { 'approov-token': await attestation() };
      expect(await run(protectedSchema, '{ waived }', { headers })).toEqual({ data: { waived: 'ok' } });
      const again = await run(protectedSchema, '{ waived }', { headers });
      expect(errorCodes(again)).toEqual([['waived', 'CAPTCHA_REQUIRED']]);
      expect(forms).toHaveLength(0);
    });

    it('waives one alias per attestation: five aliased sign-ups with one attestation and no captcha create one account', async () => {
      const result = await run(schema(), '{ s0: waived s1: waived s2: waived s3: waived s4: waived }', {
        headers: { 'approov-token': await attestation() },
      });
      expect(result.data).toEqual({ s0: 'ok', s1: null, s2: null, s3: null, s4: null });
      expect(errorCodes(result)).toEqual(['s1', 's2', 's3', 's4'].map((path) => [path, 'CAPTCHA_REQUIRED']));
    });

    it('refuses to waive with an attestation already consumed by @requiresAttestation(consume: true)', async () => {
      const protectedSchema = schema();
      const headers = { 'approov-token': await attestation() };
      expect(await run(protectedSchema, '{ consumed }', { headers })).toEqual({ data: { consumed: 'ok' } });
      expect(errorCodes(await run(protectedSchema, '{ waived }', { headers }))).toEqual([['waived', 'CAPTCHA_REQUIRED']]);
    });

    it('refuses to waive with a token bound to an Authorization value the request does not carry', async () => {
      const bobs = 'Bearer bobs-access-token';
      const bound = await new SignJWT({ did: 'device-1', pay: createHash('sha256').update(bobs).digest('base64') })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(approovSecret);
      const protectedSchema = schema();
      expect(errorCodes(await run(protectedSchema, '{ waived }', { headers: { 'approov-token': bound } }))).toEqual([
        ['waived', 'CAPTCHA_REQUIRED'],
      ]);
      expect(
        errorCodes(
          await run(protectedSchema, '{ waived }', { headers: { 'approov-token': bound, authorization: 'Bearer mallorys-token' } }),
        ),
      ).toEqual([['waived', 'CAPTCHA_REQUIRED']]);
      expect(await run(protectedSchema, '{ waived }', { headers: { 'approov-token': bound, authorization: bobs } })).toEqual({
        data: { waived: 'ok' },
      });
    });

    it('needs the attestation option, with a replay cache, to build', () => {
      const sdl = 'type Query { x: String @captcha(action: "a", skipIfAttested: true) }';
      const withoutAttestation = captchaDirective({
        verifier: recaptchaV3Verifier({ secret }),
        replayCache: new MemoryReplayCache(),
        hostnames: ['x'],
      });
      expect(() => protectedSchema(sdl, [withoutAttestation])).toThrow(
        "@captcha on Query.x: skipIfAttested needs the directive's attestation option",
      );
      const attestation = requiresAttestationDirective({ verifiers: [approovVerifier({ secret: approovSecret })] });
      const withoutReplayCache = captchaDirective({
        verifier: recaptchaV3Verifier({ secret }),
        replayCache: new MemoryReplayCache(),
        hostnames: ['x'],
        attestation,
      });
      expect(() => protectedSchema(sdl, [withoutReplayCache, attestation])).toThrow('with a replayCache');
    });
  });

  it('refuses at once beyond the concurrent verifications allowed, so a slow provider cannot pile requests up', async () => {
    const held: Array<() => void> = [];
    answer((_: IncomingMessage, response: ServerResponse) => {
      held.push(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdict())));
    });
    const protectedSchema = schema(
      { maxConcurrentVerifications: 2 },
      recaptchaV3Verifier({ secret, endpoint: `${provider.origin}/siteverify`, timeoutMs: 5000 }),
    );
    const first = run(protectedSchema, '{ signUp }', withToken(token()));
    const second = run(protectedSchema, '{ signUp }', withToken(token()));
    while (held.length < 2) await new Promise((resolve) => setImmediate(resolve));
    const third = await run(protectedSchema, '{ signUp }', withToken(token()));
    expect(errorCodes(third)).toEqual([['signUp', 'PROTECTION_UNAVAILABLE']]);
    held.forEach((release) => release());
    expect(errorCodes(await first)).toEqual([]);
    expect(errorCodes(await second)).toEqual([]);
  });
});

describe('@captcha with hCaptcha and Turnstile', () => {
  it('sends the sitekey to hCaptcha and checks no action (hCaptcha reports none)', async () => {
    answer(verdict({ action: undefined, score: undefined }));
    const verifier = hcaptchaVerifier({ secret, sitekey: 'site-key-1', endpoint: `${provider.origin}/siteverify` });
    expect(await run(schema({}, verifier), '{ signUp }', withToken(token()))).toEqual({ data: { signUp: 'ok' } });
    expect(forms[0]?.get('sitekey')).toBe('site-key-1');
    // minScore needs a score, which free hCaptcha does not give: refused, never waved through.
    const strict = await run(schema({}, verifier), '{ strict }', withToken(token()));
    expect(errorCodes(strict)).toEqual([['strict', 'CAPTCHA_FAILED']]);
    expect(reason(strict)).toBe('no_score');
  });

  it('retries Turnstile once after a network failure, with the same idempotency key', async () => {
    let calls = 0;
    answer((_: IncomingMessage, response: ServerResponse) => {
      calls++;
      if (calls === 1) {
        response.socket?.destroy();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(verdict({ score: undefined })));
    });
    const verifier = turnstileVerifier({ secret, endpoint: `${provider.origin}/siteverify` });
    expect(await run(schema({}, verifier), '{ signUp }', withToken(token()))).toEqual({ data: { signUp: 'ok' } });
    expect(forms).toHaveLength(2);
    expect(forms[0]?.get('idempotency_key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(forms[1]?.get('idempotency_key')).toBe(forms[0]?.get('idempotency_key'));
  });
});

describe('bad options', () => {
  it.each([
    ['no hostnames', { hostnames: [] }],
    ['a minScore over 1', { minScore: 2 }],
    ['no replay cache', { replayCache: undefined }],
    ['zero concurrent verifications', { maxConcurrentVerifications: 0 }],
  ])('throws a TypeError for %s', (_name, overrides) => {
    expect(() =>
      captchaDirective({
        verifier: recaptchaV3Verifier({ secret }),
        replayCache: new MemoryReplayCache(),
        hostnames: ['x'],
        ...overrides,
      } as CaptchaOptions),
    ).toThrow(TypeError);
  });

  it('refuses a plain-http provider endpoint off loopback', () => {
    expect(() => recaptchaV3Verifier({ secret, endpoint: 'http://captcha.example.com/siteverify' })).toThrow(TypeError);
  });

  it('names the coordinate of a bad action', () => {
    const captcha = captchaDirective({ verifier: recaptchaV3Verifier({ secret }), replayCache: new MemoryReplayCache(), hostnames: ['x'] });
    expect(() => protectedSchema('type Query { x: String @captcha(action: "sign up!") }', [captcha])).toThrow(
      '@captcha on Query.x: action must be',
    );
  });
});
