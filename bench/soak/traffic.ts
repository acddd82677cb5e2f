import { randomBytes, randomUUID } from 'node:crypto';
import { clientDocumentId } from '../../src/demo/client-documents.js';
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
export type Outcome = 'served' | 'served by design' | 'refused' | '5xx' | 'failed';

/** One request of the mix: how to send it, and what the API should answer. */
export interface Scenario {
  readonly name: string;
  readonly kind: 'genuine' | 'attack';
  /** Relative frequency within its kind. */
  readonly weight: number;
  send(world: SoakWorld, sequence: number): Promise<{ status: number; body: unknown }>;
  /**
   * A served attack that the design lets through (a scraper's first pages, within the small cost
   * budget of a key and address); counted apart, never as an attack served.
   */
  servedByDesign?(body: unknown): boolean;
}

/** A GraphQL result's verdict: served (data, no error) or refused (an error with a code). */
export function outcomeOf(status: number, body: unknown): { outcome: Outcome; code: string | undefined } {
  if (status >= 500) return { outcome: '5xx', code: String(status) };
  const result = body as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } | undefined;
  const code = result?.errors?.[0]?.extensions?.code;
  if (status >= 400 || code !== undefined) return { outcome: 'refused', code: code ?? String(status) };
  return { outcome: 'served', code: undefined };
}

/** One of the genuine app's operations (client/*.graphql), by its trusted document id, as the app sends it. */
function send(world: SoakWorld, operation: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  return request(world, { documentId: `sha256:${clientDocumentId(operation)}`, variables }, headers);
}

/** A document of the script's own. */
function post(world: SoakWorld, query: string, headers: Record<string, string>) {
  return request(world, { query }, headers);
}

async function request(
  world: SoakWorld,
  payload: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${world.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
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
      const answer = await send(
        world,
        'Browse',
        { first: 20, after },
        {
          'x-api-key': world.apiKey,
          'x-forwarded-for': user.address,
          'approov-token': await world.attester.issueToken({ ttlSeconds: 300, deviceId: user.device }),
        },
      );
      const page = (answer.body as { data?: { products?: { pageInfo?: { endCursor?: string; hasNextPage?: boolean } } } } | undefined)?.data
        ?.products?.pageInfo;
      cursors.set(user.device, page?.hasNextPage ? page.endCursor : undefined);
      return answer;
    },
  },
  {
    name: 'sign up (captcha, a new address)',
    kind: 'genuine',
    weight: 1,
    async send(world, sequence) {
      return send(
        world,
        'SignUp',
        { email: `soak-${randomUUID()}@example.com`, password: 'correct horse battery' },
        {
          'x-api-key': world.apiKey,
          'x-forwarded-for': addressOf('genuine', 10_000 + sequence),
          'x-captcha-token': await world.captcha.solve({ action: 'signup' }),
        },
      );
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
        const cart = await send(world, 'AddToCart', { productId: product, quantity: 1 }, headers);
        if (outcomeOf(cart.status, cart.body).outcome !== 'served') return cart;
        return await send(
          world,
          'PlaceOrder',
          {},
          {
            ...headers,
            'approov-token': await world.attester.issueToken({ ttlSeconds: 300, bind: user.bearer, deviceId: user.device }),
          },
        );
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
      return send(
        world,
        'SubmitReview',
        { productId: String(1 + (sequence % 200)), rating: 5, body: 'Does what it says.' },
        {
          'x-api-key': world.apiKey,
          'x-forwarded-for': user.address,
          authorization: user.bearer,
          'x-captcha-token': await world.captcha.solve({ action: 'review' }),
        },
      );
    },
  },
];

const replayedCaptcha = new Map<string, string>();

/** Distinct products the scraper has read: within its small budget by design, never more. */
export const scraped = new Set<string>();
/** What a key and address may read without attestation (250 points an hour at 2 a product, and the refill of a run). */
export const scraperAllowance = 150;

export const attackScenarios: readonly Scenario[] = [
  {
    name: "scrape with a stolen key: the app's listing, filters and cursors, no attestation",
    kind: 'attack',
    weight: 4,
    async send(world, sequence) {
      const variables =
        sequence % 2 === 0
          ? { first: 100, category: String(1 + (sequence % 20)), search: 'aeiou'[sequence % 5] }
          : { first: 100, after: Buffer.from(`product:${100 + (sequence % 9000)}`).toString('base64url') };
      return send(world, 'Browse', variables, { 'x-api-key': world.apiKey, 'x-forwarded-for': addressOf('attack', 1) });
    },
    servedByDesign(body) {
      const edges =
        (body as { data?: { products?: { edges?: Array<{ node: { id: string } }> } } } | undefined)?.data?.products?.edges ?? [];
      for (const edge of edges) scraped.add(edge.node.id);
      return scraped.size <= scraperAllowance;
    },
  },
  {
    name: 'a script sends its own query (20 aliases of filtered listings)',
    kind: 'attack',
    weight: 2,
    async send(world, sequence) {
      const own = `{ ${Array.from({ length: 20 }, (_, i) => `c${i}: products(first: 100, category: "${i + 1}", search: "${'aeiou'[sequence % 5]}") { edges { node { id name price } } }`).join(' ')} }`;
      return post(world, own, { 'x-api-key': world.apiKey, 'x-forwarded-for': addressOf('attack', 2) });
    },
  },
  {
    name: 'flood bad user tokens from many addresses',
    kind: 'attack',
    weight: 4,
    async send(world, sequence) {
      const forged = `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: `u${sequence}` })).toString('base64url')}.${randomBytes(64).toString('base64url')}`;
      return send(
        world,
        'Me',
        {},
        { 'x-api-key': world.apiKey, 'x-forwarded-for': addressOf('attack', 100 + sequence), authorization: `Bearer ${forged}` },
      );
    },
  },
  {
    name: 'replay a solved captcha for another sign-up',
    kind: 'attack',
    weight: 1,
    async send(world, sequence) {
      const address = addressOf('attack', 200_000 + sequence);
      const signUp = (token: string) =>
        send(
          world,
          'SignUp',
          { email: `bot-${randomUUID()}@example.com`, password: 'correct horse battery' },
          {
            'x-api-key': world.apiKey,
            'x-forwarded-for': address,
            'x-captcha-token': token,
          },
        );
      let token = replayedCaptcha.get('signup');
      if (token === undefined) {
        token = await world.captcha.solve({ action: 'signup' });
        replayedCaptcha.set('signup', token);
        // Its first use is genuine-looking: spend it outside the counted traffic.
        await signUp(token);
      }
      return signUp(token);
    },
  },
  {
    name: 'brute-force gift codes without attestation',
    kind: 'attack',
    weight: 1,
    async send(world, sequence) {
      const user = world.users[sequence % world.users.length] as SoakWorld['users'][number];
      return send(
        world,
        'RedeemGiftCard',
        { code: `GIFT-${randomBytes(4).toString('hex').toUpperCase()}` },
        {
          'x-api-key': world.apiKey,
          'x-forwarded-for': addressOf('attack', 300_000 + sequence),
          authorization: user.bearer,
        },
      );
    },
  },
  {
    name: 'call without an API key',
    kind: 'attack',
    weight: 1,
    async send(world, sequence) {
      return send(world, 'Categories', {}, { 'x-forwarded-for': addressOf('attack', 400_000 + sequence) });
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
