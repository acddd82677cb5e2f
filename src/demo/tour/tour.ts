import Database from 'better-sqlite3';
import {
  DevelopmentAttester,
  DevelopmentCaptcha,
  DevelopmentIssuer,
  generateDpopKeyPair,
  signDpopProof,
  preparePrivateDatabaseFile,
  type DataDirectory,
} from '../../development.js';
import { issueApiKey, SqliteApiKeyStore } from '../../index.js';
import { encodeProductCursor } from '../catalog/cursor.js';
import { clientDocumentId } from '../client-documents.js';
import { demoGiftCardCodes } from '../catalog/seed.js';

/** One line of the tour: what was sent, and what the API did with it. */
export interface TourRow {
  /** `attack`: a script replaying what the genuine app sends; `genuine`: the app itself. */
  readonly kind: 'attack' | 'genuine';
  readonly scenario: string;
  readonly sent: string;
  /** `refused` or `served`. */
  readonly outcome: 'refused' | 'served';
  /** The protection that refused (or what served), e.g. `@requiresAttestation`. */
  readonly by: string;
  /** The refusal's code, or a short description of what was served. */
  readonly code: string;
}

/** What the tour reads of the demo's answers: a field refused is null, or left out. */
interface TourData {
  readonly signUp?: { readonly id: string } | null;
  readonly products?: ProductConnection | null;
  readonly placeOrder?: { readonly id: string } | null;
  readonly me?: { readonly email: string } | null;
  readonly redeemGiftCard?: { readonly amount: number; readonly currency: string } | null;
}

/** A page of products, as the app's listing asks for it. */
interface ProductConnection {
  readonly edges?: ReadonlyArray<{ readonly node: { readonly id: string } }>;
  readonly pageInfo?: { readonly endCursor: string | null };
}

/** A root field a scrape asked for, under an alias of its own: a page of products, or one product. */
interface ScrapedField {
  readonly edges?: ReadonlyArray<{ readonly node: { readonly id: string } }>;
  readonly id?: unknown;
}

type Answer = {
  status: number;
  data?: TourData | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; cost?: unknown } }>;
};

const directiveOf: Record<string, string> = {
  API_KEY_REQUIRED: '@requiresApiKey',
  API_KEY_INVALID: '@requiresApiKey',
  UNAUTHENTICATED: '@auth',
  FORBIDDEN: '@auth',
  ATTESTATION_REQUIRED: '@requiresAttestation',
  ATTESTATION_INVALID: '@requiresAttestation',
  RATE_LIMITED: '@rateLimit',
  CAPTCHA_REQUIRED: '@captcha',
  CAPTCHA_FAILED: '@captcha',
  GRAPHQL_VALIDATION_FAILED: 'operation limits',
  PERSISTED_QUERY_REQUIRED: 'trusted documents',
  PERSISTED_QUERY_NOT_FOUND: 'trusted documents',
};

/**
 * Plays the article's abuse scenarios against a running demo, as scripts would, then the genuine
 * app doing the same things. Credentials come from the demo's development providers in
 * `directory` (an API key is issued for the tour). Never throws for a refusal: every answer
 * becomes a row.
 */
export async function runTour(endpoint: URL, directory: DataDirectory): Promise<TourRow[]> {
  const keysDatabase = new Database(preparePrivateDatabaseFile(directory.keysDatabase));
  const keys = new SqliteApiKeyStore(keysDatabase);
  const stolenKey = (await issueApiKey(keys, { app: 'tour: the genuine app' })).key;
  // Each scrape with a key of its own, so that each meets a full budget (a budget is per key and address).
  const scraperKeys = await Promise.all(
    [1, 2, 3].map(async (n) => (await issueApiKey(keys, { app: `tour: another stolen key ${n}` })).key),
  );
  keysDatabase.close();
  const issuer = await DevelopmentIssuer.open(directory.developmentIssuer);
  const attester = DevelopmentAttester.open(directory.developmentAttester);
  const captchas = DevelopmentCaptcha.open(directory.developmentCaptcha);
  const rows: TourRow[] = [];

  const request = async (body: Record<string, unknown>, headers: Record<string, string>): Promise<Answer> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stolenKey, ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
  };
  /** One of the genuine app's operations (client/*.graphql), by its trusted document id, as the app sends it. */
  const send = (operation: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> =>
    request({ documentId: `sha256:${clientDocumentId(operation)}`, variables }, headers);
  /** A document of the script's own. */
  const post = (query: string, headers: Record<string, string> = {}): Promise<Answer> => request({ query }, headers);
  const record = (kind: TourRow['kind'], scenario: string, sent: string, answer: Answer, served: string): void => {
    const code = answer.errors?.[0]?.extensions?.code;
    if (code === undefined && answer.status === 200) {
      rows.push({ kind, scenario, sent, outcome: 'served', by: '-', code: served });
      return;
    }
    // A cost budget refuses with RATE_LIMITED too, and says what the operation cost.
    const by = code === 'RATE_LIMITED' && answer.errors?.[0]?.extensions?.cost !== undefined ? '@cost budget' : directiveOf[code ?? ''];
    rows.push({
      kind,
      scenario,
      sent,
      outcome: 'refused',
      by: by ?? code ?? `HTTP ${answer.status}`,
      code: code ?? `HTTP ${answer.status}`,
    });
  };

  // Two shoppers with accounts (signed up by the genuine app, attested).
  const signUp = async (email: string) =>
    (
      await send(
        'SignUp',
        { email, password: 'correct horse battery' },
        { 'approov-token': await attester.issueToken({ ttlSeconds: 300 }) },
      )
    ).data?.signUp?.id as string;
  const stamp = Date.now().toString(36);
  const alice = await signUp(`alice-${stamp}@example.com`);
  const mallory = await signUp(`mallory-${stamp}@example.com`);
  const aliceKeys = await generateDpopKeyPair();
  const aliceToken = await issuer.issueAccessToken({
    subject: alice,
    scopes: ['orders:read', 'orders:write', 'reviews:write'],
    ttlSeconds: 900,
    dpopThumbprint: aliceKeys.thumbprint,
  });
  const aliceBearer = await issuer.issueAccessToken({
    subject: alice,
    scopes: ['orders:read', 'orders:write', 'reviews:write'],
    ttlSeconds: 900,
  });
  const malloryToken = await issuer.issueAccessToken({
    subject: mallory,
    scopes: ['orders:read', 'orders:write', 'reviews:write'],
    ttlSeconds: 900,
  });
  const proof = () => signDpopProof(aliceKeys, { method: 'POST', url: `${endpoint.origin}${endpoint.pathname}`, accessToken: aliceToken });

  // 1. A scraper with a stolen API key pages the catalog.
  {
    let after: string | null | undefined;
    let items = 0;
    let answer: Answer;
    do {
      answer = await send('Browse', { first: 100, after });
      items += answer.data?.products?.edges?.length ?? 0;
      after = answer.data?.products?.pageInfo?.endCursor;
    } while (answer.errors === undefined && after !== undefined && items < 10_000);
    record(
      'attack',
      'Scraper with a stolen API key pages the catalog',
      `the app's listing, pages of 100, key only (got ${items} items)`,
      answer,
      `${items} items`,
    );
  }
  // What worked before cost budgets: every filter a fresh first page, many in one request; one
  // product at a time; pages far from the start. Each scrape keeps going until refused.
  const products = new Set<string>();
  const scrape = async (
    key: string,
    next: (round: number) => { operation: string; variables: Record<string, unknown> } | undefined,
  ): Promise<{ answer: Answer; got: number }> => {
    products.clear();
    let answer: Answer = { status: 200 };
    for (let round = 0; answer.errors === undefined && answer.status === 200; round++) {
      const call = next(round);
      if (call === undefined) break;
      answer = await send(call.operation, call.variables, { 'x-api-key': key });
      for (const value of Object.values((answer.data ?? {}) as Readonly<Record<string, ScrapedField | null>>)) {
        for (const edge of value?.edges ?? []) products.add(edge.node.id);
        if (typeof value?.id === 'string') products.add(value.id);
      }
    }
    return { answer, got: products.size };
  };
  {
    const { answer, got } = await scrape(scraperKeys[0] as string, (round) =>
      round >= 200
        ? undefined
        : { operation: 'Browse', variables: { first: 100, category: String((round % 20) + 1), search: 'aeiou'[round % 5] } },
    );
    record(
      'attack',
      'Scraper: every filter a fresh first page',
      `the app's listing with category and search (got ${got} products)`,
      answer,
      `${got} products`,
    );
  }
  {
    const { answer, got } = await scrape(scraperKeys[1] as string, (round) =>
      round >= 1000 ? undefined : { operation: 'ProductDetails', variables: { id: String(round + 1) } },
    );
    record(
      'attack',
      'Scraper: one product at a time',
      `the app's product page, id after id (got ${got} products)`,
      answer,
      `${got} products`,
    );
  }
  {
    const { answer, got } = await scrape(scraperKeys[2] as string, (round) =>
      round >= 50 ? undefined : { operation: 'Browse', variables: { first: 100, after: encodeProductCursor(1000 + round * 100) } },
    );
    record(
      'attack',
      'Scraper: deep pages with forged cursors',
      `the app's listing, after: cursors far in (got ${got} products)`,
      answer,
      `${got} products`,
    );
  }
  // What a script writes for itself: everything the app's documents do not ask, in one request.
  {
    const own = `{ ${Array.from({ length: 20 }, (_, i) => `c${i}: products(first: 100, category: "${i + 1}", search: "a") { edges { node { id name price } } }`).join(' ')} }`;
    record(
      'attack',
      'A script sends its own query with a stolen key',
      '20 aliases of filtered listings, a document of its own',
      await post(own),
      'products',
    );
  }
  // 2. Gift-card brute force through an alias flood, with a stolen key and a user token.
  {
    const guesses = (count: number) =>
      Array.from({ length: count }, (_, i) => `g${i}: redeemGiftCard(code: "GIFT-TRY-${i}") { amount }`).join(' ');
    const flood = await post(`mutation { ${guesses(40)} }`, { authorization: `Bearer ${malloryToken}` });
    record('attack', 'Gift-card brute force: an alias flood', '40 guesses in one request', flood, 'redeemed');
    let scripted: Answer = { status: 200 };
    for (let i = 0; i < 10 && scripted.errors === undefined; i++) {
      scripted = await send('RedeemGiftCard', { code: `GIFT-TRY-${i}` }, { authorization: `Bearer ${malloryToken}` });
    }
    record(
      'attack',
      'Gift-card brute force from a script',
      "the app's redeem operation, guess after guess, no attestation",
      scripted,
      'redeemed',
    );
  }
  // 3. Fake sign-ups with a solved, then replayed, captcha.
  {
    const solved = await captchas.solve({ action: 'signup' });
    await send('SignUp', { email: `bot-1-${stamp}@example.com`, password: 'correct horse battery' }, { 'x-captcha-token': solved });
    const replay = await send(
      'SignUp',
      { email: `bot-2-${stamp}@example.com`, password: 'correct horse battery' },
      { 'x-captcha-token': solved },
    );
    record('attack', 'Fake sign-ups replaying a solved captcha', 'the same captcha token for a second account', replay, 'account created');
  }
  // 4. A user token copied to another device.
  {
    const copied = await send('Me', {}, { authorization: `Bearer ${aliceToken}` });
    record(
      'attack',
      'A user token replayed from another device',
      "the genuine app's DPoP-bound token, without its key",
      copied,
      'account read',
    );
  }
  // 5. The genuine app places an order; a captive portal replays the whole request.
  {
    await send('AddToCart', { productId: '5', quantity: 1 }, { authorization: `Bearer ${aliceBearer}` });
    const capturedOrder: Record<string, string> = {
      authorization: `Bearer ${aliceBearer}`,
      'approov-token': await attester.issueToken({ ttlSeconds: 300, bind: `Bearer ${aliceBearer}` }),
    };
    const genuine = await send('PlaceOrder', {}, capturedOrder);
    record(
      'genuine',
      'The genuine app places an order',
      'key, user token, attestation bound to the token',
      genuine,
      `order ${genuine.data?.placeOrder?.id ?? '?'}`,
    );
    await send('AddToCart', { productId: '5', quantity: 1 }, { authorization: `Bearer ${aliceBearer}` });
    const replay = await send('PlaceOrder', {}, capturedOrder);
    record(
      'attack',
      'A captive portal replays a whole request',
      'the captured placeOrder request, byte for byte',
      replay,
      'second order placed',
    );
  }
  // 6. A fraudulent order with an attestation lifted from another session.
  {
    await send('AddToCart', { productId: '7', quantity: 1 }, { authorization: `Bearer ${malloryToken}` });
    const lifted = await send(
      'PlaceOrder',
      {},
      {
        authorization: `Bearer ${malloryToken}`,
        'approov-token': await attester.issueToken({ ttlSeconds: 300, bind: `Bearer ${aliceBearer}` }),
      },
    );
    record(
      'attack',
      "A fraudulent order with another session's attestation",
      "Alice's genuine attestation with Mallory's user token",
      lifted,
      'order placed',
    );
  }

  // The genuine app, doing the same things.
  {
    let after: string | null | undefined;
    let items = 0;
    let answer: Answer;
    const attestation = await attester.issueToken({ ttlSeconds: 300 });
    do {
      answer = await send('Browse', { first: 100, after }, { 'approov-token': attestation });
      items += answer.data?.products?.edges?.length ?? 0;
      after = answer.data?.products?.pageInfo?.endCursor;
    } while (answer.errors === undefined && after !== undefined && items < 500);
    record(
      'genuine',
      'The genuine app browses deep into the catalog',
      'key and an attestation (one app instance)',
      answer,
      `${items} items`,
    );
  }
  {
    const answer = await send(
      'SignUp',
      { email: `carol-${stamp}@example.com`, password: 'correct horse battery' },
      {
        'x-captcha-token': await captchas.solve({ action: 'signup' }),
      },
    );
    record('genuine', 'A person signs up on the web', 'a fresh captcha token', answer, 'account created');
  }
  {
    const answer = await send('Me', {}, { authorization: `DPoP ${aliceToken}`, dpop: await proof() });
    record(
      'genuine',
      'The genuine app reads the account',
      'DPoP-bound token with a fresh proof',
      answer,
      answer.data?.me?.email ?? 'account read',
    );
  }
  {
    const [code] = demoGiftCardCodes(1);
    const answer = await send(
      'RedeemGiftCard',
      { code },
      {
        authorization: `Bearer ${aliceBearer}`,
        'approov-token': await attester.issueToken({ ttlSeconds: 300 }),
      },
    );
    const redeemed = answer.data?.redeemGiftCard;
    const already = answer.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT';
    record(
      'genuine',
      'The genuine app redeems a gift card',
      'key, user token, attestation',
      already ? { status: 200 } : answer,
      redeemed ? `${redeemed.amount} ${redeemed.currency}` : 'already redeemed on this data',
    );
  }
  return rows;
}
