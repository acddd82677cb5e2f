// Three demo instances, each its own process on its own port, sharing one PostgreSQL database
// (keys and catalog), one Redis database (rate limits, replay caches, bans) and the data directory
// of the development providers: what holds on one instance holds on all.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogDatabase } from '../../src/demo/catalog/database.js';
import { openCatalogDatabase } from '../../src/demo/catalog/open-catalog-database.js';
import { createUser } from '../../src/demo/catalog/repository/users.js';
import { demoGiftCardCodes } from '../../src/demo/catalog/seed.js';
import { apiKeyPattern } from '../../src/index.js';
import type { DemoProcess } from '../support/demo-process.js';
import { postgresAvailable, temporaryPostgresDatabase } from '../support/postgres.js';
import { redisAvailable, redisUrl } from '../support/redis.js';
import { ifSetUp } from '../support/set-up.js';
import { temporaryDirectory } from '../support/temp-directory.js';
import { errorCodesOf, graphqlOn, publicOrigin, rampart, startInstances, stopInstances, tally } from './support.js';

const available = (await redisAvailable()) && (await postgresAvailable());

describe.skipIf(!available)('three instances sharing PostgreSQL and Redis', { timeout: 60_000 }, () => {
  let instances: DemoProcess[];
  let database: Awaited<ReturnType<typeof temporaryPostgresDatabase>>;
  let dataDir: ReturnType<typeof temporaryDirectory>;
  let catalog: CatalogDatabase;
  let env: Record<string, string>;
  let apiKey: string;

  /** The instance that serves request `i`, round robin, as a load balancer spreads them. */
  const instance = (i: number) => instances[i % instances.length] as DemoProcess;
  const send = (i: number, query: string, headers: Record<string, string> = {}, clientIp?: string) =>
    graphqlOn(instance(i), query, { 'x-api-key': apiKey, ...headers }, clientIp);

  let accounts = 0;
  /** A new account, straight in the shared database (signUp has its own limits), and its token. */
  async function newUser(): Promise<{ id: string; token: string }> {
    const user = await createUser(catalog, `buyer-${accounts++}@example.com`, 'correct horse battery');
    return { id: user.id, token: await rampart(env, 'token', 'user', '--sub', user.id) };
  }

  beforeAll(async () => {
    database = await temporaryPostgresDatabase();
    dataDir = temporaryDirectory();
    // Keys of this run only (REDIS_PREFIX), so that runs sharing one Redis never meet.
    // A cost budget no test here meets: they count the rate limits.
    const shared = {
      DATA_DIR: dataDir.path,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `test-${randomUUID()}:`,
      COST_BUDGET_UNATTESTED: '1000000/1h',
    };
    env = shared;
    instances = await startInstances(3, shared);
    catalog = await openCatalogDatabase(database.url, { seed: false, passwordCost: { N: 1024, r: 8, p: 1 }, maxConnections: 4 });
    const created = await rampart(env, 'keys', 'create', '--app', 'shop-app');
    apiKey = created
      .split('\n')
      .map((line) => line.trim())
      .find((line) => apiKeyPattern.test(line)) as string;
  }, 120_000);

  afterAll(async () => {
    if (ifSetUp(instances)) stopInstances(instances);
    await ifSetUp(catalog)?.close();
    await ifSetUp(database)?.drop();
    ifSetUp(dataDir)?.remove();
  });

  it('runs three processes on three ports', () => {
    expect(new Set(instances.map((demo) => demo.endpoint.port)).size).toBe(3);
  });

  it('refuses on every instance a key revoked through the CLI, on the very next request', async () => {
    const key = (await rampart(env, 'keys', 'create', '--app', 'revoked-app'))
      .split('\n')
      .map((line) => line.trim())
      .find((line) => apiKeyPattern.test(line)) as string;
    const query = '{ products(first: 1) { edges { node { id } } } }';
    for (let i = 0; i < 3; i++) {
      expect((await graphqlOn(instance(i), query, { 'x-api-key': key })).errors).toBeUndefined();
    }
    await rampart(env, 'keys', 'revoke', key.slice(8, 24));
    for (let i = 0; i < 3; i++) {
      expect(errorCodesOf(await graphqlOn(instance(i), query, { 'x-api-key': key }))).toEqual(['API_KEY_INVALID']);
    }
  });

  it('redeems one gift card exactly once when 50 clients redeem it at the same moment over the three instances', async () => {
    const [code] = demoGiftCardCodes(1);
    const buyers = await Promise.all(Array.from({ length: 10 }, () => newUser()));
    const requests = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const buyer = buyers[i % 10] as { token: string };
        return {
          authorization: `Bearer ${buyer.token}`,
          'approov-token': await rampart(env, 'token', 'attestation'),
        };
      }),
    );
    const results = await Promise.all(
      requests.map((headers, i) =>
        send(i, `mutation { redeemGiftCard(code: "${code}") { amount balance } }`, headers, `198.51.100.${i + 1}`),
      ),
    );
    // 3 calls per hour per code pass the shared limit; of those, the database lets one redeem.
    expect(tally(results)).toEqual({ ok: 1, BAD_USER_INPUT: 2, RATE_LIMITED: 47 });
    const card = await catalog.get<{ redeemed: number }>(
      'SELECT COUNT(*) AS redeemed FROM gift_cards WHERE code = ? AND redeemed_at IS NOT NULL',
      code ?? null,
    );
    expect(Number(card?.redeemed)).toBe(1);
    const credited = await catalog.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM users WHERE balance_cents > 0 AND id IN (${buyers.map(() => '?').join(', ')})`,
      ...buyers.map((buyer) => buyer.id),
    );
    expect(Number(credited?.n)).toBe(1);
  });

  it('places exactly 5 of 20 simultaneous orders for the last 5 units, over the three instances', async () => {
    const productId = 7;
    const buyers = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    for (const [i, buyer] of buyers.entries()) {
      const added = await send(i, `mutation { addToCart(productId: "${productId}", quantity: 1) { total } }`, {
        authorization: `Bearer ${buyer.token}`,
      });
      expect(added.errors).toBeUndefined();
    }
    await catalog.run('UPDATE products SET stock = 5 WHERE id = ?', productId);
    const headers = await Promise.all(
      buyers.map(async (buyer) => ({
        authorization: `Bearer ${buyer.token}`,
        'approov-token': await rampart(env, 'token', 'attestation', '--bind', `Bearer ${buyer.token}`),
      })),
    );
    const results = await Promise.all(headers.map((h, i) => send(i, 'mutation { placeOrder { id } }', h, `192.0.2.${i + 1}`)));
    expect(tally(results)).toEqual({ ok: 5, BAD_USER_INPUT: 15 });
    const state = await catalog.get<{ stock: number; orders: number }>(
      `SELECT (SELECT stock FROM products WHERE id = ?) AS stock,
              (SELECT COUNT(*) FROM order_items WHERE product_id = ?) AS orders`,
      productId,
      productId,
    );
    expect({ stock: Number(state?.stock), orders: Number(state?.orders) }).toEqual({ stock: 0, orders: 5 });
  });

  it('counts one rate limit over all instances: 130 listings from one client, 120 served', async () => {
    const results = await Promise.all(
      Array.from({ length: 130 }, (_, i) => send(i, '{ products(first: 1) { edges { node { id } } } }', {}, '203.0.113.50')),
    );
    expect(tally(results)).toEqual({ ok: 120, RATE_LIMITED: 10 });
  });

  it('bans on every instance an address banned through one', async () => {
    // 10 refusals (the default ban threshold) beyond the 120 a minute allowed, all on instance A.
    const address = '203.0.113.66';
    // In waves of 44, under the per-address cap on requests in flight, so that the limit refuses them.
    for (let wave = 0; wave < 3; wave++) {
      await Promise.all(
        Array.from({ length: wave < 2 ? 44 : 43 }, () =>
          graphqlOn(instance(0), '{ products(first: 1) { edges { node { id } } } }', { 'x-api-key': apiKey }, address),
        ),
      );
    }
    // Violations are recorded after the refusal is sent: give the last write a moment to land.
    const askB = () =>
      fetch(instance(1).endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address, 'x-api-key': apiKey },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    let onB = await askB();
    for (let attempt = 0; onB.status !== 429 && attempt < 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      onB = await askB();
    }
    expect(onB.status).toBe(429);
    const body = (await onB.json()) as { errors: Array<{ extensions: { code: string; retryAfter: number } }> };
    expect(body.errors.map((error) => error.extensions.code)).toEqual(['RATE_LIMITED']);
    // A first ban (one minute), though violations kept arriving from requests in flight.
    expect(body.errors[0]?.extensions.retryAfter).toBeLessThanOrEqual(60);
  });

  it('accepts a captcha token once across instances: replayed on another, it is refused', async () => {
    const captcha = await rampart(env, 'token', 'captcha', '--action', 'signup');
    const signUp = (email: string) => `mutation { signUp(email: "${email}", password: "correct horse battery") { id } }`;
    const first = await send(0, signUp('captcha-once@example.com'), { 'x-captcha-token': captcha }, '203.0.113.80');
    expect(first.errors).toBeUndefined();
    const replayed = await send(1, signUp('captcha-twice@example.com'), { 'x-captcha-token': captcha }, '203.0.113.81');
    expect(errorCodesOf(replayed)).toEqual(['CAPTCHA_FAILED']);
  });

  it('accepts a DPoP proof once across instances: replayed on another, the token is refused', async () => {
    const { id } = await newUser();
    const keyFile = `${dataDir.path}/client-dpop.json`;
    const bound = await rampart(env, 'token', 'user', '--sub', id, '--dpop-key', keyFile);
    const proof = await rampart(env, 'token', 'dpop-proof', '--dpop-key', keyFile, '--url', `${publicOrigin}/graphql`, '--token', bound);
    const headers = { authorization: `DPoP ${bound}`, dpop: proof };
    expect((await send(0, '{ me { id } }', headers)).data).toEqual({ me: { id } });
    expect(errorCodesOf(await send(1, '{ me { id } }', headers))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodesOf(await send(2, '{ me { id } }', headers))).toEqual(['UNAUTHENTICATED']);
  });

  it('consumes an attestation once across instances: replayed on another, it is refused', async () => {
    const [, code, other] = demoGiftCardCodes(3);
    const { token } = await newUser();
    const headers = { authorization: `Bearer ${token}`, 'approov-token': await rampart(env, 'token', 'attestation') };
    expect((await send(0, `mutation { redeemGiftCard(code: "${code}") { amount } }`, headers, '203.0.113.90')).errors).toBeUndefined();
    expect(errorCodesOf(await send(1, `mutation { redeemGiftCard(code: "${other}") { amount } }`, headers, '203.0.113.90'))).toEqual([
      'ATTESTATION_INVALID',
    ]);
  });
});
