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

type Answer = { status: number; data?: any; errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } }> };

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
};

/**
 * Plays the article's abuse scenarios against a running demo, as scripts would, then the genuine
 * app doing the same things. Credentials come from the demo's development providers in
 * `directory` (an API key is issued for the tour). Never throws for a refusal: every answer
 * becomes a row.
 */
export async function runTour(endpoint: URL, directory: DataDirectory): Promise<TourRow[]> {
  const keysDatabase = new Database(preparePrivateDatabaseFile(directory.keysDatabase));
  const stolenKey = (await issueApiKey(new SqliteApiKeyStore(keysDatabase), { app: 'tour: the genuine app' })).key;
  keysDatabase.close();
  const issuer = await DevelopmentIssuer.open(directory.developmentIssuer);
  const attester = DevelopmentAttester.open(directory.developmentAttester);
  const captchas = DevelopmentCaptcha.open(directory.developmentCaptcha);
  const rows: TourRow[] = [];

  const post = async (query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>): Promise<Answer> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': stolenKey, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
  };
  const record = (kind: TourRow['kind'], scenario: string, sent: string, answer: Answer, served: string): void => {
    const code = answer.errors?.[0]?.extensions?.code;
    if (code === undefined && answer.status === 200) {
      rows.push({ kind, scenario, sent, outcome: 'served', by: '-', code: served });
      return;
    }
    rows.push({ kind, scenario, sent, outcome: 'refused', by: directiveOf[code ?? ''] ?? code ?? `HTTP ${answer.status}`, code: code ?? `HTTP ${answer.status}` });
  };

  // Two shoppers with accounts (signed up by the genuine app, attested).
  const signUp = async (email: string) =>
    (await post(`mutation { signUp(email: "${email}", password: "correct horse battery") { id } }`, {
      'approov-token': await attester.issueToken({ ttlSeconds: 300 }),
    })).data?.signUp?.id as string;
  const stamp = Date.now().toString(36);
  const alice = await signUp(`alice-${stamp}@example.com`);
  const mallory = await signUp(`mallory-${stamp}@example.com`);
  const aliceKeys = await generateDpopKeyPair();
  const aliceToken = await issuer.issueAccessToken({ subject: alice, scopes: ['orders:read', 'orders:write', 'reviews:write'], ttlSeconds: 900, dpopThumbprint: aliceKeys.thumbprint });
  const aliceBearer = await issuer.issueAccessToken({ subject: alice, scopes: ['orders:read', 'orders:write', 'reviews:write'], ttlSeconds: 900 });
  const malloryToken = await issuer.issueAccessToken({ subject: mallory, scopes: ['orders:read', 'orders:write', 'reviews:write'], ttlSeconds: 900 });
  const proof = () => signDpopProof(aliceKeys, { method: 'POST', url: `${endpoint.origin}${endpoint.pathname}`, accessToken: aliceToken });
  const page = 'query ($after: String) { products(first: 100, after: $after) { edges { node { id name } } pageInfo { endCursor hasNextPage } } }';

  // 1. A scraper with a stolen API key pages the catalog.
  {
    let after: string | undefined;
    let items = 0;
    let answer: Answer;
    do {
      answer = await post(page, {}, { after });
      items += answer.data?.products?.edges?.length ?? 0;
      after = answer.data?.products?.pageInfo?.endCursor;
    } while (answer.errors === undefined && after !== undefined && items < 10_000);
    record('attack', 'Scraper with a stolen API key pages the catalog', `pages of 100 with the key only (got ${items} items)`, answer, `${items} items`);
  }
  // 2. Gift-card brute force through an alias flood, with a stolen key and a user token.
  {
    const guesses = (count: number) => Array.from({ length: count }, (_, i) => `g${i}: redeemGiftCard(code: "GIFT-TRY-${i}") { amount }`).join(' ');
    const flood = await post(`mutation { ${guesses(40)} }`, { authorization: `Bearer ${malloryToken}` });
    record('attack', 'Gift-card brute force: an alias flood', '40 guesses in one request', flood, 'redeemed');
    const scripted = await post(`mutation { ${guesses(10)} }`, { authorization: `Bearer ${malloryToken}` });
    record('attack', 'Gift-card brute force from a script', '10 guesses with a valid user token, no attestation', scripted, 'redeemed');
  }
  // 3. Fake sign-ups with a solved, then replayed, captcha.
  {
    const solved = await captchas.solve({ action: 'signup' });
    await post(`mutation { signUp(email: "bot-1-${stamp}@example.com", password: "correct horse battery") { id } }`, { 'x-captcha-token': solved });
    const replay = await post(`mutation { signUp(email: "bot-2-${stamp}@example.com", password: "correct horse battery") { id } }`, { 'x-captcha-token': solved });
    record('attack', 'Fake sign-ups replaying a solved captcha', 'the same captcha token for a second account', replay, 'account created');
  }
  // 4. A user token copied to another device.
  {
    const copied = await post('{ me { email } }', { authorization: `Bearer ${aliceToken}` });
    record('attack', 'A user token replayed from another device', "the genuine app's DPoP-bound token, without its key", copied, 'account read');
  }
  // 5. The genuine app places an order; a captive portal replays the whole request.
  let capturedOrder: Record<string, string> = {};
  {
    await post('mutation { addToCart(productId: "5", quantity: 1) { total } }', { authorization: `Bearer ${aliceBearer}` });
    capturedOrder = {
      authorization: `Bearer ${aliceBearer}`,
      'approov-token': await attester.issueToken({ ttlSeconds: 300, bind: `Bearer ${aliceBearer}` }),
    };
    const genuine = await post('mutation { placeOrder { id total } }', capturedOrder);
    record('genuine', 'The genuine app places an order', 'key, user token, attestation bound to the token', genuine, `order ${genuine.data?.placeOrder?.id ?? '?'}`);
    await post('mutation { addToCart(productId: "5", quantity: 1) { total } }', { authorization: `Bearer ${aliceBearer}` });
    const replay = await post('mutation { placeOrder { id total } }', capturedOrder);
    record('attack', 'A captive portal replays a whole request', 'the captured placeOrder request, byte for byte', replay, 'second order placed');
  }
  // 6. A fraudulent order with an attestation lifted from another session.
  {
    await post('mutation { addToCart(productId: "7", quantity: 1) { total } }', { authorization: `Bearer ${malloryToken}` });
    const lifted = await post('mutation { placeOrder { id } }', {
      authorization: `Bearer ${malloryToken}`,
      'approov-token': await attester.issueToken({ ttlSeconds: 300, bind: `Bearer ${aliceBearer}` }),
    });
    record('attack', "A fraudulent order with another session's attestation", "Alice's genuine attestation with Mallory's user token", lifted, 'order placed');
  }

  // The genuine app, doing the same things.
  {
    let after: string | undefined;
    let items = 0;
    let answer: Answer;
    do {
      answer = await post(page, { 'approov-token': await attester.issueToken({ ttlSeconds: 300 }) }, { after });
      items += answer.data?.products?.edges?.length ?? 0;
      after = answer.data?.products?.pageInfo?.endCursor;
    } while (answer.errors === undefined && after !== undefined && items < 500);
    record('genuine', 'The genuine app browses deep into the catalog', 'key and a fresh attestation per page', answer, `${items} items`);
  }
  {
    const answer = await post(`mutation { signUp(email: "carol-${stamp}@example.com", password: "correct horse battery") { id } }`, {
      'x-captcha-token': await captchas.solve({ action: 'signup' }),
    });
    record('genuine', 'A person signs up on the web', 'a fresh captcha token', answer, 'account created');
  }
  {
    const answer = await post('{ me { email } }', { authorization: `DPoP ${aliceToken}`, dpop: await proof() });
    record('genuine', 'The genuine app reads the account', 'DPoP-bound token with a fresh proof', answer, answer.data?.me?.email ?? 'account read');
  }
  {
    const [code] = demoGiftCardCodes(1);
    const answer = await post(`mutation { redeemGiftCard(code: "${code}") { amount currency } }`, {
      authorization: `Bearer ${aliceBearer}`,
      'approov-token': await attester.issueToken({ ttlSeconds: 300 }),
    });
    const redeemed = answer.data?.redeemGiftCard;
    const already = answer.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT';
    record('genuine', 'The genuine app redeems a gift card', 'key, user token, attestation', already ? { status: 200 } : answer,
      redeemed ? `${redeemed.amount} ${redeemed.currency}` : 'already redeemed on this data');
  }
  return rows;
}
