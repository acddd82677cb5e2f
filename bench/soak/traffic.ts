import { randomBytes, randomUUID } from 'node:crypto';
import type { DevelopmentAttester, DevelopmentCaptcha, DevelopmentIssuer } from '../../src/development.js';

/** What the soak's requests may use: the proxy's origin, one API key, the development providers. */
export interface SoakWorld {
  readonly origin: string;
  readonly apiKey: string;
  readonly issuer: DevelopmentIssuer;
  readonly attester: DevelopmentAttester;
  readonly captcha: DevelopmentCaptcha;
  /** Genuine users signed up before the run: their bearer tokens and their own client address. */
  readonly users: ReadonlyArray<{ readonly bearer: string; readonly address: string; readonly device: string }>;
  /** Products with plenty of stock, for genuine orders. */
  readonly inStock: readonly string[];
}

/** Users with an order flow in progress: a user places one cart at a time, as the app does. */
const ordering = new Set<number>();

/** One request's outcome as the soak counts it. */
export type Outcome = 'served' | 'refused' | '5xx' | 'failed';

/** One request of the mix: how to send it, and what the API should answer. */
export interface Scenario {
  readonly name: string;
  readonly kind: 'genuine' | 'attack';
  /** Relative frequency within its kind. */
  readonly weight: number;
  send(world: SoakWorld, sequence: number): Promise<{ status: number; body: unknown }>;
}

/** A GraphQL result's verdict: served (data, no error) or refused (an error with a code). */
export function outcomeOf(status: number, body: unknown): { outcome: Outcome; code: string | undefined } {
  if (status >= 500) return { outcome: '5xx', code: String(status) };
  const result = body as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } | undefined;
  const code = result?.errors?.[0]?.extensions?.code;
  if (status >= 400 || code !== undefined) return { outcome: 'refused', code: code ?? String(status) };
  return { outcome: 'served', code: undefined };
}

async function post(
  world: SoakWorld,
  query: string,
  headers: Record<string, string>,
  variables?: Record<string, unknown>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${world.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/** An address from a documentation range, distinct per `n` (the proxy forwards it as the client's). */
export function addressOf(range: 'genuine' | 'attack', n: number): string {
  const second = range === 'genuine' ? 20 : 200;
  return `10.${second + (Math.floor(n / 65_536) % 50)}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

const listing = 'query Browse($after: String) { products(first: 20, after: $after) { edges { cursor node { id name price } } pageInfo { endCursor hasNextPage } } }';

/** Each genuine device's place in the catalog as it browses. */
const cursors = new Map<string, string | undefined>();

export const genuineScenarios: readonly Scenario[] = [
  {
    name: 'browse the catalog (attested app, paging on)',
    kind: 'genuine',
    weight: 20,
    async send(world, sequence) {
      const user = world.users[sequence % world.users.length] as SoakWorld['users'][number];
      const after = cursors.get(user.device);
      const answer = await post(world, listing, {
        'x-api-key': world.apiKey,
        'x-forwarded-for': user.address,
        'approov-token': await world.attester.issueToken({ ttlSeconds: 300, deviceId: user.device }),
      }, { after });
      const page = (answer.body as { data?: { products?: { pageInfo?: { endCursor?: string; hasNextPage?: boolean } } } } | undefined)?.data?.products?.pageInfo;
      cursors.set(user.device, page?.hasNextPage ? page.endCursor : undefined);
      return answer;
    },
  },
  {
    name: 'sign up (captcha, a new address)',
    kind: 'genuine',
    weight: 1,
    async send(world, sequence) {
      return post(world, `mutation { signUp(email: "soak-${randomUUID()}@example.com", password: "correct horse battery") { id } }`, {
        'x-api-key': world.apiKey,
        'x-forwarded-for': addressOf('genuine', 10_000 + sequence),
        'x-captcha-token': await world.captcha.solve({ action: 'signup' }),
      });
    },
  },
  {
    name: 'add to cart and order (attestation bound to the user)',
    kind: 'genuine',
    weight: 1,
    async send(world, sequence) {
      let index = sequence % world.users.length;
      while (ordering.has(index)) index = (index + 1) % world.users.length;
      ordering.add(index);
      try {
        const user = world.users[index] as SoakWorld['users'][number];
        const headers = { 'x-api-key': world.apiKey, 'x-forwarded-for': user.address, authorization: user.bearer };
        const product = world.inStock[sequence % world.inStock.length] as string;
        const cart = await post(world, `mutation { addToCart(productId: "${product}", quantity: 1) { total } }`, headers);
        if (outcomeOf(cart.status, cart.body).outcome !== 'served') return cart;
        return await post(world, 'mutation { placeOrder { id total } }', {
          ...headers,
          'approov-token': await world.attester.issueToken({ ttlSeconds: 300, bind: user.bearer, deviceId: user.device }),
        });
      } finally {
        ordering.delete(index);
      }
    },
  },
  {
    name: 'review a product (captcha)',
    kind: 'genuine',
    weight: 0.2,
    async send(world, sequence) {
      const user = world.users[sequence % world.users.length] as SoakWorld['users'][number];
      return post(world, `mutation { submitReview(productId: "${1 + (sequence % 200)}", rating: 5, body: "Does what it says.") { rating } }`, {
        'x-api-key': world.apiKey,
        'x-forwarded-for': user.address,
        authorization: user.bearer,
        'x-captcha-token': await world.captcha.solve({ action: 'review' }),
      });
    },
  },
];

const replayedCaptcha = new Map<string, string>();

export const attackScenarios: readonly Scenario[] = [
  {
    name: 'scrape deep pages with a stolen key, no attestation',
    kind: 'attack',
    weight: 4,
    async send(world, sequence) {
      const after = Buffer.from(`product:${200 + (sequence % 9000)}`).toString('base64url');
      return post(world, listing, { 'x-api-key': world.apiKey, 'x-forwarded-for': addressOf('attack', 1) }, { after });
    },
  },
  {
    name: 'flood bad user tokens from many addresses',
    kind: 'attack',
    weight: 4,
    async send(world, sequence) {
      const forged = `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: `u${sequence}` })).toString('base64url')}.${randomBytes(64).toString('base64url')}`;
      return post(world, '{ me { email } }', { 'x-api-key': world.apiKey, 'x-forwarded-for': addressOf('attack', 100 + sequence), authorization: `Bearer ${forged}` });
    },
  },
  {
    name: 'replay a solved captcha for another sign-up',
    kind: 'attack',
    weight: 1,
    async send(world, sequence) {
      const address = addressOf('attack', 200_000 + sequence);
      let token = replayedCaptcha.get('signup');
      if (token === undefined) {
        token = await world.captcha.solve({ action: 'signup' });
        replayedCaptcha.set('signup', token);
        // Its first use is genuine-looking: spend it outside the counted traffic.
        await post(world, `mutation { signUp(email: "first-${randomUUID()}@example.com", password: "correct horse battery") { id } }`, {
          'x-api-key': world.apiKey,
          'x-forwarded-for': address,
          'x-captcha-token': token,
        });
      }
      return post(world, `mutation { signUp(email: "bot-${randomUUID()}@example.com", password: "correct horse battery") { id } }`, {
        'x-api-key': world.apiKey,
        'x-forwarded-for': address,
        'x-captcha-token': token,
      });
    },
  },
  {
    name: 'brute-force gift codes without attestation',
    kind: 'attack',
    weight: 1,
    async send(world, sequence) {
      const user = world.users[sequence % world.users.length] as SoakWorld['users'][number];
      return post(world, `mutation { redeemGiftCard(code: "GIFT-${randomBytes(4).toString('hex').toUpperCase()}") { amount } }`, {
        'x-api-key': world.apiKey,
        'x-forwarded-for': addressOf('attack', 300_000 + sequence),
        authorization: user.bearer,
      });
    },
  },
  {
    name: 'call without an API key',
    kind: 'attack',
    weight: 1,
    async send(world, sequence) {
      return post(world, '{ categories { id name } }', { 'x-forwarded-for': addressOf('attack', 400_000 + sequence) });
    },
  },
];

/** Picks a scenario from `scenarios` by weight, with `random` in [0, 1). */
export function pick(scenarios: readonly Scenario[], random: number): Scenario {
  const total = scenarios.reduce((sum, scenario) => sum + scenario.weight, 0);
  let left = random * total;
  for (const scenario of scenarios) {
    left -= scenario.weight;
    if (left < 0) return scenario;
  }
  return scenarios[scenarios.length - 1] as Scenario;
}
