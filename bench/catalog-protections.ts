import { randomBytes } from 'node:crypto';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import {
  applyProtections,
  approovVerifier,
  authDirective,
  costDirective,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryCostBudgetStore,
  MemoryRateLimitStore,
  MemoryReplayCache,
  publicDirective,
  rateLimitDirective,
  requiresApiKeyDirective,
  requiresAttestationDirective,
  type CostBudgetStore,
  type RateLimitStore,
  type ReplayCache,
} from '../src/index.js';
import { catalogResolvers } from '../src/demo/catalog/resolvers.js';
import { catalogSdl } from '../src/demo/schema.js';

/**
 * The protections on the demo's listing, one more at a time, each with the per-item `@auth` on
 * `Product.wholesalePrice`: the API key; and the rate limit; and attestation (`@requiresAttestation`
 * on `products`, verified once per request); the demo's own (key, limit, and the cost budget, whose
 * tier the attestation decides: probed, not required).
 */
export const catalogCombinations = ['key', 'key+limit', 'key+limit+attestation', 'key+limit+attestation+cost'] as const;
export type CatalogCombination = (typeof catalogCombinations)[number];

/** What a combination's row is called in bench/results.md. */
export const combinationLabels: Record<CatalogCombination | 'stripped', string> = {
  stripped: 'directives stripped',
  key: 'API key',
  'key+limit': 'API key + rate limit',
  'key+limit+attestation': 'API key + rate limit + attestation',
  'key+limit+attestation+cost': 'API key + rate limit + attestation + cost budget (the demo)',
};

const issuer = 'https://issuer.bench/';
const audience = 'https://api.bench';

/** A key, a user token with `catalog:admin`, an Approov attestation, and what verifies them. */
export interface CatalogCredentials {
  readonly apiKeyStore: MemoryApiKeyStore;
  readonly key: string;
  readonly token: string;
  readonly attestation: string;
  readonly jwks: { readonly keys: JWK[] };
  readonly approovSecret: string;
}

/** A fresh ES256 signing key's JWKS and a user token it signed, with `catalog:admin`, for an hour. */
export async function benchUserToken(): Promise<{ jwks: { keys: JWK[] }; token: string }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256' }] };
  const token = await new SignJWT({ scope: 'orders:read catalog:admin' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return { jwks, token };
}

export async function catalogCredentials(): Promise<CatalogCredentials> {
  const { jwks, token } = await benchUserToken();
  const approovSecret = randomBytes(32).toString('base64');
  const attestation = await new SignJWT({ did: 'bench-device' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(Buffer.from(approovSecret, 'base64'));
  const apiKeyStore = new MemoryApiKeyStore();
  const { key } = await issueApiKey(apiKeyStore, { app: 'bench' });
  return { apiKeyStore, key, token, attestation, jwks, approovSecret };
}

/** The catalog's SDL with every rate limit raised out of reach: benchmarks measure decisions, not refusals. */
export const unlimitedCatalogSdl = catalogSdl.replace(/max: \d+/g, 'max: 1000000000');

/** The demo's cost options (`buildDemoSchema`'s `cost`) on `store`, with budgets no benchmark meets. */
export function unmetDemoCostBudgets(store: CostBudgetStore) {
  return {
    store,
    unattested: { capacity: 1e12, restorePerSecond: 1e9 },
    attested: { capacity: 1e12, restorePerSecond: 1e9 },
    maxCost: 100_000,
    maxListSize: 100,
  };
}

/** Where the protections keep state: memory by default. */
export interface CatalogStores {
  readonly rateLimit?: RateLimitStore;
  readonly costBudget?: CostBudgetStore;
  readonly replay?: ReplayCache;
}

/**
 * The directives with the options the demo gives them (src/demo/schema.ts), on these stores, with
 * limits and budgets no benchmark meets (it measures decisions, not refusals).
 */
export function catalogDirectives(
  credentials: Pick<CatalogCredentials, 'apiKeyStore' | 'jwks' | 'approovSecret'>,
  stores: CatalogStores = {},
) {
  const apiKey = requiresApiKeyDirective({ store: credentials.apiKeyStore });
  const auth = authDirective({
    issuers: [{ issuer, audience, keys: { jwks: credentials.jwks }, algorithms: ['ES256'], tokenType: 'at+jwt' }],
    dpop: { replayCache: stores.replay ?? new MemoryReplayCache() },
  });
  const attestation = requiresAttestationDirective({
    verifiers: [approovVerifier({ secret: credentials.approovSecret })],
    replayCache: stores.replay ?? new MemoryReplayCache(),
  });
  const rateLimit = rateLimitDirective({ store: stores.rateLimit ?? new MemoryRateLimitStore() });
  const cost = costDirective({
    store: stores.costBudget ?? new MemoryCostBudgetStore(),
    attestation,
    budgets: [
      { name: 'unattested', tier: 'unattested', by: ['API_KEY', 'IP'], capacity: 1e12, restorePerSecond: 1e9 },
      { name: 'attested', tier: 'attested', by: ['APP_INSTANCE'], capacity: 1e12, restorePerSecond: 1e9 },
    ],
    maxCost: 100_000,
    maxListSize: 100,
  });
  const open = publicDirective();
  return { apiKey, auth, attestation, rateLimit, cost, open };
}

export type CatalogDirectives = ReturnType<typeof catalogDirectives>;

/**
 * The catalog schema with only `@cost`/`@listSize` kept and enforced, and a budget per address in
 * memory that no benchmark meets: benchmark 2b's protected server.
 */
export function costOnlyCatalogSchema(): GraphQLSchema {
  const cost = costDirective({
    store: new MemoryCostBudgetStore(),
    budgets: [{ name: 'bench', tier: 'any', by: ['IP'], capacity: 1e12, restorePerSecond: 1e9 }],
  });
  const sdl = catalogSdl.replace(/@(?!cost\b|listSize\b)\w+(\([^)]*\))?/g, '');
  return applyProtections(makeExecutableSchema({ typeDefs: [cost.typeDefs, sdl], resolvers: catalogResolvers as never }), [cost], {
    secureByDefault: false,
  });
}

/** The catalog schema with every directive removed. */
export function strippedCatalogSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: catalogSdl.replace(/@\w+(\([^)]*\))?/g, ''), resolvers: catalogResolvers as never });
}

/** The catalog schema with the protections of one combination (every other directive removed). */
export function catalogSchema(combination: CatalogCombination, directives: CatalogDirectives): GraphQLSchema {
  const limited = combination !== 'key';
  const attested = combination === 'key+limit+attestation';
  const costed = combination === 'key+limit+attestation+cost';
  let sdl = unlimitedCatalogSdl.replace(/@captcha(\([^)]*\))?/g, '');
  if (!limited) sdl = sdl.replace(/@rateLimit(\([^)]*\))?/g, '');
  if (!costed) sdl = sdl.replace(/@(cost|listSize)(\([^)]*\))?/g, '');
  if (attested) {
    const products = 'products(first: Int = 20, after: String, category: ID, search: String): ProductConnection!';
    if (!sdl.includes(products)) throw new Error('the catalog SDL no longer declares products as this benchmark expects');
    sdl = sdl.replace(products, `${products} @requiresAttestation`);
  }
  const { apiKey, auth, attestation, rateLimit, cost, open } = directives;
  const used = [apiKey, auth, attestation, open, ...(limited ? [rateLimit] : []), ...(costed ? [cost] : [])];
  const schema = makeExecutableSchema({
    typeDefs: [...used.map((directive) => directive.typeDefs), sdl],
    resolvers: catalogResolvers as never,
  });
  return applyProtections(schema, used);
}
