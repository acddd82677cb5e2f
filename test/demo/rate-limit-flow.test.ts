import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodesOf, startDemo as startSharedDemo, type DemoResult } from '../support/demo.js';
import { redisAvailable, redisUrl } from '../support/redis.js';
import { temporaryDirectory } from '../support/temp-directory.js';

async function startDemo(env: Record<string, string> = {}, dataDir = temporaryDirectory()) {
  const demo = await startSharedDemo({ DATA_DIR: dataDir.path, ...env }, { app: 'flow' });
  const post = async (query: string, headers: Record<string, string> = {}) => {
    // Sign-ups carry a fresh captcha, as the genuine web client would.
    const captcha: Record<string, string> = query.includes('signUp')
      ? { 'x-captcha-token': await demo.cli('token', 'captcha', '--action', 'signup') }
      : {};
    const answer = await demo.post({ query }, { ...captcha, ...headers });
    return { status: answer.status, retryAfter: answer.headers.get('retry-after'), result: answer.body as DemoResult };
  };
  const stop = async () => {
    await demo.stop();
    dataDir.remove();
  };
  return { post, cli: demo.cli, stop, dataDir };
}

const codesOf = errorCodesOf;
const signUp = (n: number) =>
  `mutation { signUp(email: "user${n}-${Math.random()}@example.com", password: "correct horse battery") { id } }`;

describe('the demo’s rate limits', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let token: string;
  let attestation: () => Promise<string>;
  beforeAll(async () => {
    demo = await startDemo();
    const userId = (await demo.post(signUp(0))).result.data.signUp.id as string;
    token = await demo.cli('token', 'user', '--sub', userId);
    attestation = () => demo.cli('token', 'attestation');
  });
  afterAll(() => demo.stop());

  it('allows 5 sign-ups per address an hour, then refuses with RATE_LIMITED and a Retry-After header', async () => {
    // beforeAll signed up once from this address: four more fit.
    for (let i = 1; i <= 4; i++) expect(codesOf((await demo.post(signUp(i))).result)).toEqual([]);
    const refused = await demo.post(signUp(5));
    expect(refused.status).toBe(200);
    expect(codesOf(refused.result)).toEqual(['RATE_LIMITED']);
    expect(Number(refused.retryAfter)).toBeGreaterThan(3500);
    expect(refused.result.errors?.[0]?.extensions['retryAfter']).toBe(Number(refused.retryAfter));
  });

  it('limits guesses per code whoever tries it: the fourth user is refused', async () => {
    const codes: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      // The limit runs before the resolver, so tokens for users without an account count too.
      const userToken = await demo.cli('token', 'user', '--sub', `guesser-${i}`);
      const { result } = await demo.post('mutation { redeemGiftCard(code: "GIFT-TARGET-1") { amount } }', {
        authorization: `Bearer ${userToken}`,
        'approov-token': await attestation(),
      });
      codes.push(codesOf(result));
    }
    expect(codes).toEqual([['UNAUTHENTICATED'], ['UNAUTHENTICATED'], ['UNAUTHENTICATED'], ['RATE_LIMITED']]);
  });

  // Last: its refusals get this address banned (see the request gate). 20 aliases: the most root
  // fields an operation may select; a larger flood is refused before execution.
  it('makes a gift-card alias flood pointless: one guess per attestation reaches the shop, five are counted', async () => {
    const guesses = Array.from({ length: 20 }, (_, i) => `g${i}: redeemGiftCard(code: "GIFT-GUESS-${i}") { amount }`).join(' ');
    const { result } = await demo.post(`mutation { ${guesses} }`, {
      authorization: `Bearer ${token}`,
      'approov-token': await attestation(),
    });
    const codes = codesOf(result);
    // The single-use attestation lets one call through; the per-user limit counts five calls.
    expect(codes.filter((code) => code === 'BAD_USER_INPUT')).toHaveLength(1);
    expect(codes.filter((code) => code === 'ATTESTATION_INVALID')).toHaveLength(4);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(15);
  });
});

describe('the demo’s request gate', () => {
  it('bans an address that keeps hitting limits: HTTP 429 before any GraphQL work', async () => {
    const demo = await startDemo();
    try {
      for (let i = 0; i < 5 + 10; i++) await demo.post(signUp(i));
      const banned = await demo.post('{ categories { name } }');
      expect(banned.status).toBe(429);
      expect(banned.retryAfter).toBe('60');
      expect(banned.result.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 60 });
    } finally {
      await demo.stop();
    }
  });

  it('refuses denied addresses and user agents with HTTP 403', async () => {
    const denied = await startDemo({ IP_DENYLIST: '127.0.0.0/8' });
    try {
      const answer = await denied.post('{ categories { name } }');
      expect(answer.status).toBe(403);
      expect(codesOf(answer.result)).toEqual(['BAD_REQUEST']);
    } finally {
      await denied.stop();
    }
    const agents = await startDemo({ USER_AGENT_DENYLIST: 'python-requests,scrapy' });
    try {
      expect((await agents.post('{ categories { name } }', { 'user-agent': 'python-requests/2.31' })).status).toBe(403);
      expect((await agents.post('{ categories { name } }', { 'user-agent': 'ShopApp/3.1 okhttp/4.12' })).status).toBe(200);
    } finally {
      await agents.stop();
    }
  });
});

const available = await redisAvailable();

describe.runIf(available)('the demo’s rate limits on Redis, shared by two instances', () => {
  // Keys of this run only, so that runs sharing one Redis (or leftovers of an earlier run) never meet.
  const redis = { REDIS_URL: redisUrl, REDIS_PREFIX: `test-${randomUUID()}:` };

  it('counts sign-ups from one address across both instances', async () => {
    const shared = temporaryDirectory();
    const a = await startDemo(redis, shared);
    const b = await startDemo(redis, { path: shared.path, remove: () => undefined });
    try {
      const codes = [];
      for (let i = 0; i < 8; i++) codes.push(codesOf((await (i % 2 === 0 ? a : b).post(signUp(i))).result));
      expect(codes).toEqual([[], [], [], [], [], ['RATE_LIMITED'], ['RATE_LIMITED'], ['RATE_LIMITED']]);
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
