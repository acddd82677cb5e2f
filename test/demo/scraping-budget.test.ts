import fc from 'fast-check';
import { graphql, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevelopmentCaptcha } from '../../src/development.js';
import { encodeProductCursor } from '../../src/demo/catalog/cursor.js';
import { createDemoContext } from '../../src/demo/catalog/context.js';
import type { CatalogDatabase } from '../../src/demo/catalog/database.js';
import { openCatalogDatabase } from '../../src/demo/catalog/open-catalog-database.js';
import { readDemoConfig } from '../../src/demo/config.js';
import { buildDemoSchema, catalogSdl } from '../../src/demo/schema.js';
import {
  approovVerifier,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryCostBudgetStore,
  MemoryRateLimitStore,
  MemoryReplayCache,
  securityContextFactory,
} from '../../src/index.js';
import { requestFacts } from '../support/harness.js';
import { temporaryDirectory } from '../support/temp-directory.js';

// Property: whatever the shape of the queries (aliases, fragments, inline fragments, filters,
// forged `after` cursors, product(id) lookups, nested lists, @skip/@include with variables), one
// API key from one address without attestation never receives more products in a window than the
// demo's small budget allows. Every product in a response costs at least 2 points (the field or the
// edge that yields it, whatever of it is read: a page of cursors alone names its products too), so
// a budget of C points restored at r a second yields at most (C + r * elapsed) / 2 products.

type ProductSelection = {
  readonly name: boolean;
  readonly category: boolean;
  readonly reviews: number | null;
  readonly fragment: boolean;
  readonly inline: boolean;
};
type Root =
  | {
      readonly kind: 'products';
      readonly first: number | null;
      readonly firstVariable: boolean;
      readonly category: number | null;
      readonly search: string | null;
      readonly after: number | null;
      readonly directive: string;
      readonly product: ProductSelection;
      readonly cursorsOnly: boolean;
      readonly pageInfo: boolean;
    }
  | { readonly kind: 'product'; readonly id: number; readonly directive: string; readonly product: ProductSelection };

const directive = fc.constantFrom('', '', '@include(if: $yes)', '@skip(if: $no)', '@skip(if: $yes)', '@include(if: $no)');
const productSelection: fc.Arbitrary<ProductSelection> = fc.record({
  name: fc.boolean(),
  category: fc.boolean(),
  reviews: fc.option(fc.integer({ min: 0, max: 50 })),
  fragment: fc.boolean(),
  inline: fc.boolean(),
});
const root: fc.Arbitrary<Root> = fc.oneof(
  fc.record({
    kind: fc.constant('products' as const),
    first: fc.option(fc.integer({ min: 1, max: 100 })),
    firstVariable: fc.boolean(),
    category: fc.option(fc.integer({ min: 1, max: 20 })),
    search: fc.option(fc.constantFrom('a', 'e', 'o', 'lamp', 'pro')),
    after: fc.option(fc.integer({ min: 1, max: 10_000 })),
    directive,
    product: productSelection,
    cursorsOnly: fc.boolean(),
    pageInfo: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('product' as const), id: fc.integer({ min: 1, max: 10_000 }), directive, product: productSelection }),
);
const session = fc.array(
  fc.record({ roots: fc.array(root, { minLength: 1, maxLength: 8 }), advanceMs: fc.integer({ min: 0, max: 600_000 }) }),
  {
    minLength: 1,
    maxLength: 15,
  },
);

/** The document and variables for one request. */
function render(roots: readonly Root[]): { source: string; variables: Record<string, unknown> } {
  const declared = new Set<string>();
  const variables: Record<string, unknown> = {};
  const fragmentDefinitions = new Set<string>();
  const use = (text: string) => {
    if (text.includes('$yes')) {
      declared.add('$yes: Boolean!');
      variables['yes'] = true;
    }
    if (text.includes('$no')) {
      declared.add('$no: Boolean!');
      variables['no'] = false;
    }
    return text;
  };
  const productFields = (selection: ProductSelection) => {
    const parts = ['__typename id'];
    if (selection.name) parts.push('name price');
    if (selection.category) parts.push('category { name }');
    if (selection.reviews !== null) parts.push(`reviews(first: ${selection.reviews}) { rating }`);
    if (selection.fragment) {
      fragmentDefinitions.add(' fragment Details on Product { description averageRating detail: reviews(first: 3) { body } }');
      parts.push(use('...Details @include(if: $yes)'));
    }
    if (selection.inline) parts.push('... on Product { __typename id description }');
    return parts.join(' ');
  };
  const fields = roots.map((entry, index) => {
    const at = use(entry.directive);
    if (entry.kind === 'product') return `a${index}: product(id: "${entry.id}") ${at} { ${productFields(entry.product)} }`;
    const args: string[] = [];
    if (entry.first !== null) {
      if (entry.firstVariable) {
        declared.add(`$f${index}: Int`);
        variables[`f${index}`] = entry.first;
        args.push(`first: $f${index}`);
      } else {
        args.push(`first: ${entry.first}`);
      }
    }
    if (entry.category !== null) args.push(`category: "${entry.category}"`);
    if (entry.search !== null) args.push(`search: "${entry.search}"`);
    if (entry.after !== null) args.push(`after: "${encodeProductCursor(entry.after)}"`);
    const list = args.length > 0 ? `(${args.join(', ')})` : '';
    const edge = entry.cursorsOnly ? 'cursor' : `cursor node { ${productFields(entry.product)} }`;
    return `a${index}: products${list} ${at} { edges { ${edge} } ${entry.pageInfo ? 'pageInfo { endCursor }' : ''} }`;
  });
  const header = declared.size > 0 ? `query (${[...declared].join(', ')})` : 'query';
  return { source: `${header} { ${fields.join(' ')} }${[...fragmentDefinitions].join('')}`, variables };
}

/** Every product in a response, by id: each edge of a page (its cursor names it) and each product looked up. */
function productsIn(value: unknown, found: string[]): string[] {
  if (Array.isArray(value)) for (const item of value) productsIn(item, found);
  else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object['cursor'] === 'string') {
      found.push(object['cursor']);
      return found;
    }
    if (object['__typename'] === 'Product') found.push(String(object['id']));
    for (const child of Object.values(object)) productsIn(child, found);
  }
  return found;
}

describe("a key and an address without attestation, under the demo's budget", () => {
  const directory = temporaryDirectory();
  const { unattested } = readDemoConfig({}).cost;
  const clock = { now: 1_700_000_000_000 };
  const keys = new MemoryApiKeyStore();
  let db: CatalogDatabase;
  let schema: GraphQLSchema;
  let largestDistinct = 0;
  let largestReceived = 0;
  let closest = 0;

  beforeAll(async () => {
    db = await openCatalogDatabase(`${directory.path}/catalog.db`);
    const replay = new MemoryReplayCache();
    ({ schema } = buildDemoSchema({
      apiKeyStore: keys,
      tokenIssuer: { issuer: 'https://issuer.test/', audience: 'api', keys: { jwks: { keys: [] } } },
      replayCaches: { dpop: replay, attestation: replay, captcha: replay },
      attestationVerifiers: [approovVerifier({ secret: Buffer.alloc(32, 7).toString('base64') })],
      rateLimitStore: new MemoryRateLimitStore(),
      cost: { ...readDemoConfig({}).cost, store: new MemoryCostBudgetStore() },
      captcha: { verifier: DevelopmentCaptcha.open(`${directory.path}/captcha.json`).verifier(), hostnames: ['localhost'] },
      // The rate limits raised out of the way: the budget alone must hold.
      sdl: catalogSdl.replace(/max: \d+/g, 'max: 1000000000'),
      clock: () => clock.now,
    }));
  });
  afterAll(async () => {
    await db.close();
    directory.remove();
    console.info(
      `scraping property: at most ${largestDistinct} distinct products (${largestReceived} product objects) in a run; ` +
        `the closest run received ${(closest * 100).toFixed(0)}% of what its budget allowed`,
    );
  });

  it('never receives more products than the budget allows, whatever the queries', async () => {
    const context = securityContextFactory();
    await fc.assert(
      fc.asyncProperty(session, async (requests) => {
        // A key of its own: a full budget for this run.
        const { key } = await issueApiKey(keys, { app: 'scraper' });
        const received: string[] = [];
        let elapsedMs = 0;
        for (const { roots, advanceMs } of requests) {
          clock.now += advanceMs;
          elapsedMs += advanceMs;
          const { source, variables } = render(roots);
          const rampart = context(requestFacts({ headers: { 'x-api-key': key }, remoteAddress: '198.51.100.7' }));
          const result = await graphql({
            schema,
            source,
            variableValues: variables,
            contextValue: { ...createDemoContext(db, undefined), rampart },
          });
          await rampart.executed(result);
          productsIn(result.data, received);
        }
        const allowed = (unattested.capacity + unattested.restorePerSecond * (elapsedMs / 1000)) / 2;
        const distinct = new Set(received).size;
        largestDistinct = Math.max(largestDistinct, distinct);
        largestReceived = Math.max(largestReceived, received.length);
        closest = Math.max(closest, received.length / allowed);
        expect(received.length).toBeLessThanOrEqual(allowed);
      }),
      { numRuns: 100 },
    );
    // The property was put to the test: some runs went as far as the budget lets them.
    expect(largestDistinct).toBeGreaterThan(unattested.capacity / 4);
  });
});
