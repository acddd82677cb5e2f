import { createHash, randomBytes } from 'node:crypto';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql, type ExecutionResult, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import {
  applyProtections,
  approovVerifier,
  costDirective,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryCostBudgetStore,
  MemoryReplayCache,
  publicDirective,
  requiresApiKeyDirective,
  requiresAttestationDirective,
  securityContextFactory,
  UnprotectedRootFieldsError,
  type CostBudgetStore,
  type CostOptions,
  type ProtectionDecisionEvent,
  type ProtectionDirective,
  type SecurityContext,
} from '../../../src/index.js';
import type { CostCharge } from '../../../src/rate-limit/cost-budget-store.js';
import { errorCodes, protectedSchema, requestFacts, type TestRequest } from '../../support/harness.js';

const sdl = `
  type Review { body: String! }
  type Product {
    id: ID!
    name: String!
    reviews(first: Int = 2): [Review!]! @listSize(slicingArguments: ["first"])
  }
  type ProductEdge { node: Product! }
  type ProductConnection { edges: [ProductEdge!]! }
  type Query {
    products(first: Int = 10): ProductConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"]) @public
    product(id: ID!): Product @public
    health: String @public
    spend: String @requiresAttestation(consume: true)
  }
`;

/** The catalog holds three products: a page never returns more. */
const catalog = [1, 2, 3].map((id) => ({ id: String(id), name: `product ${id}` }));
const listed = vi.fn((_: unknown, args: { first: number }) => ({ edges: catalog.slice(0, args.first).map((node) => ({ node })) }));
const resolvers = {
  Query: {
    products: listed,
    product: (_: unknown, args: { id: string }) => catalog.find((product) => product.id === args.id) ?? null,
    health: () => 'ok',
    spend: () => 'spent',
  },
  Product: { reviews: (_: unknown, args: { first: number }) => Array.from({ length: args.first }, (__, i) => ({ body: `review ${i}` })) },
};

const secret = randomBytes(32);
const attestationDirective = () =>
  requiresAttestationDirective({
    verifiers: [approovVerifier({ secret: secret.toString('base64') })],
    replayCache: new MemoryReplayCache(),
  });
const approov = (claims: Record<string, unknown> = {}) =>
  new SignJWT({ exp: Math.floor(Date.now() / 1000) + 300, did: 'device-1', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(secret);

/** A budget of 100 points for each address, restored at one a second. */
const small = { name: 'small', tier: 'any', by: ['IP'], capacity: 100, restorePerSecond: 1 } as const;

interface Setup {
  readonly schema: GraphQLSchema;
  readonly store: CostBudgetStore;
  readonly clock: { now: number };
}

function setup(options: Partial<CostOptions> = {}, extra: readonly ProtectionDirective[] = [attestationDirective()]): Setup {
  const clock = { now: 1_700_000_000_000 };
  const store = options.store ?? new MemoryCostBudgetStore();
  const cost = costDirective({ store, budgets: [small], clock: () => clock.now, ...options });
  return { schema: protectedSchema(sdl, [cost, publicDirective(), ...extra], resolvers), store, clock };
}

/** Executes with a fresh security context, then tells it the result (as a server adapter does). */
async function execute(
  schema: GraphQLSchema,
  source: string,
  request: TestRequest = {},
  observer?: { onDecision: (event: ProtectionDecisionEvent) => void },
): Promise<{ result: ExecutionResult; rampart: SecurityContext; before: unknown }> {
  const rampart = securityContextFactory(observer ? { observer } : {})(requestFacts(request));
  const result = await graphql({ schema, source, contextValue: { rampart } });
  const before = rampart.responseExtensions['cost'];
  await rampart.executed(result);
  return { result, rampart, before };
}

/** Executes without telling the security context the result: the estimate stays charged. */
const spend = (schema: GraphQLSchema, source = page) =>
  graphql({ schema, source, contextValue: { rampart: securityContextFactory()(requestFacts()) } });

const page = '{ products(first: 10) { edges { node { id name } } } }';
// Field cost: products 1, edges 1, 10 nodes; type cost: Query, the connection, 10 edges, 10 products.
const pageCost = 12 + 22;

describe('@cost and @listSize with a budget', () => {
  it('admits an operation within the budget and reports its cost in extensions.cost', async () => {
    const { schema } = setup();
    const { result, rampart, before } = await execute(schema, page);
    expect(result.errors).toBeUndefined();
    expect(before).toEqual({
      requestedQueryCost: pageCost,
      actualQueryCost: null,
      fieldCost: 12,
      typeCost: 22,
      throttleStatus: { maximumAvailable: 100, currentlyAvailable: 100 - pageCost, restoreRate: 1 },
    });
    // Three products came back: 1 + 1 + 3 and 1 + 1 + 3 + 3.
    expect(rampart.responseExtensions['cost']).toEqual({
      requestedQueryCost: pageCost,
      actualQueryCost: 13,
      fieldCost: 12,
      typeCost: 22,
      throttleStatus: { maximumAvailable: 100, currentlyAvailable: 100 - 13, restoreRate: 1 },
    });
  });

  it('costs a page that returned fewer items than asked what it returned: the difference is refunded', async () => {
    const { schema } = setup();
    // Without refunds two pages fit; refunded down to 13 points each, six do.
    for (let i = 0; i < 5; i++) expect((await execute(schema, page)).result.errors).toBeUndefined();
    const { result, rampart } = await execute(schema, page);
    expect(result.errors).toBeUndefined();
    expect(rampart.responseExtensions['cost']).toMatchObject({ throttleStatus: { currentlyAvailable: 100 - 6 * 13 } });
  });

  it('refuses every root field of an operation over the budget with RATE_LIMITED, retryAfter and extensions.cost, before any resolver runs', async () => {
    const { schema } = setup();
    const rampart = securityContextFactory()(requestFacts());
    for (let i = 0; i < 2; i++) await spend(schema);
    listed.mockClear();
    const result = await graphql({ schema, source: `{ health products(first: 10) { edges { node { id } } } }`, contextValue: { rampart } });
    expect(errorCodes(result)).toEqual([
      ['health', 'RATE_LIMITED'],
      ['products', 'RATE_LIMITED'],
    ]);
    expect(listed).not.toHaveBeenCalled();
    const throttleStatus = { maximumAvailable: 100, currentlyAvailable: 100 - 2 * pageCost, restoreRate: 1 };
    // 34 points asked, 32 held: 2 s at one a second.
    expect(result.errors?.[1]?.extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfter: 2,
      cost: { requestedQueryCost: pageCost, throttleStatus },
    });
    expect(result.errors?.[1]?.message).toBe(
      'Your cost budget is spent for now. Retry after the time given in retryAfter (seconds); extensions.cost says what the operation costs and what the budget holds.',
    );
    expect(rampart.responseExtensions['cost']).toEqual({
      requestedQueryCost: pageCost,
      actualQueryCost: null,
      fieldCost: 12,
      typeCost: 22,
      throttleStatus,
    });
  });

  it('serves again once the budget has restored the points', async () => {
    const { schema, clock } = setup();
    for (let i = 0; i < 2; i++) await spend(schema);
    expect(errorCodes(await spend(schema))).toEqual([['products', 'RATE_LIMITED']]);
    clock.now += 1999;
    expect(errorCodes(await spend(schema))).toEqual([['products', 'RATE_LIMITED']]);
    clock.now += 1;
    expect((await spend(schema)).errors).toBeUndefined();
  });

  it('refuses an operation that costs more than the budget holds, saying so', async () => {
    const { schema } = setup();
    const { result } = await execute(schema, '{ products(first: 60) { edges { node { id } } } }');
    expect(errorCodes(result)).toEqual([['products', 'RATE_LIMITED']]);
    expect(result.errors?.[0]?.message).toBe(
      'This operation costs more than your cost budget holds. Ask for fewer items; extensions.cost says what it costs and what the budget holds.',
    );
  });

  it('counts every alias and every fragment spread where it is spread', async () => {
    const { schema } = setup();
    const { before } = await execute(
      schema,
      '{ a: products(first: 10) { ...Page } b: products(first: 10) { ...Page } } fragment Page on ProductConnection { edges { node { id } } }',
    );
    expect(before).toMatchObject({ requestedQueryCost: 24 + 43 });
  });

  it("names a budget's bucket as every instance names it, whatever its version (a Redis bucket is shared)", async () => {
    const memory = new MemoryCostBudgetStore();
    const keys: string[] = [];
    const store: CostBudgetStore = {
      charge: (charges, now) => {
        keys.push(...charges.map((charge) => charge.key));
        return memory.charge(charges, now);
      },
      refund: (refunds, now) => memory.refund(refunds, now),
    };
    await execute(setup({ store }).schema, page);
    expect(keys).toEqual(['small:UIzA_iYYXXE0OwqqmaeoyKRTkvJ41fFrN_rvm_EUzFg']);
  });

  it('charges each execution of a shared security context (a batch) on its own', async () => {
    const { schema } = setup();
    const rampart = securityContextFactory()(requestFacts());
    for (let i = 0; i < 2; i++) await graphql({ schema, source: page, contextValue: { rampart } });
    expect(rampart.responseExtensions['cost']).toMatchObject({ throttleStatus: { currentlyAvailable: 100 - 2 * pageCost } });
  });

  it('tells onLimited once per refused request, naming the budget, and the observer once per refused field', async () => {
    const onLimited = vi.fn();
    const { schema } = setup({ onLimited });
    for (let i = 0; i < 2; i++) await spend(schema);
    const decisions: ProtectionDecisionEvent[] = [];
    await execute(schema, '{ health products(first: 10) { edges { node { id } } } }', {}, { onDecision: (event) => decisions.push(event) });
    expect(onLimited).toHaveBeenCalledTimes(1);
    expect(onLimited).toHaveBeenCalledWith(
      expect.objectContaining({ coordinate: 'Query.health', budget: 'small', retryAfterSeconds: 2, clientIp: '127.0.0.1' }),
    );
    expect(decisions.map((event) => [event.outcome, event.directives, event.code, event.reason, event.coordinate])).toEqual([
      ['refused', ['cost'], 'RATE_LIMITED', 'over_budget@small', 'Query.health'],
      ['refused', ['cost'], 'RATE_LIMITED', 'over_budget@small', 'Query.products'],
    ]);
  });

  it('only reports in report-only mode: an operation over the budget is served and reported as would_refuse', async () => {
    const { schema } = setup({ reportOnly: true });
    for (let i = 0; i < 2; i++) await spend(schema);
    const decisions: ProtectionDecisionEvent[] = [];
    const { result } = await execute(schema, page, {}, { onDecision: (event) => decisions.push(event) });
    expect(result.errors).toBeUndefined();
    expect(decisions.map((event) => [event.outcome, event.directives, event.code])).toEqual([
      ['would_refuse', ['cost'], 'RATE_LIMITED'],
      ['allowed', ['cost'], undefined],
    ]);
  });

  it('charges every budget that applies, all or none: one refusing leaves the other untouched', async () => {
    const tight = { name: 'tight', tier: 'any', by: ['API_KEY'], capacity: 40, restorePerSecond: 1 } as const;
    const memory = new MemoryCostBudgetStore();
    const calls: Array<readonly CostCharge[]> = [];
    const store: CostBudgetStore = {
      charge: (charges, now) => {
        calls.push(charges);
        return memory.charge(charges, now);
      },
      refund: (refunds, now) => memory.refund(refunds, now),
    };
    const { schema, clock } = setup({ budgets: [small, tight], store });
    expect((await execute(schema, page)).result.errors).toBeUndefined();
    const { result, rampart } = await execute(schema, page);
    expect(errorCodes(result)).toEqual([['products', 'RATE_LIMITED']]);
    expect(result.errors?.[0]?.extensions['cost']).toEqual({
      requestedQueryCost: pageCost,
      throttleStatus: { maximumAvailable: 40, currentlyAvailable: 40 - 13, restoreRate: 1 },
    });
    expect(rampart.responseExtensions['cost']).toMatchObject({ actualQueryCost: null });
    // Both budgets went to the store in one decision, and the small one kept what the refused request would have taken.
    expect(calls.map((charges) => charges.map((charge) => charge.key.split(':')[0]))).toEqual([
      ['small', 'tight'],
      ['small', 'tight'],
    ]);
    const smallKey = calls[0]?.[0]?.key as string;
    expect(memory.charge([{ key: smallKey, cost: 0, capacity: 100, restorePerSecond: 1 }], clock.now).buckets[0]?.remaining).toBe(100 - 13);
  });
});

describe('the identity a budget counts under', () => {
  it('is what the whole operation proves: a public root field resolved first does not move the charge to another bucket', async () => {
    const keys = new MemoryApiKeyStore();
    const { key } = await issueApiKey(keys, { app: 'shop' });
    const byKey = { name: 'by-key', tier: 'any', by: ['API_KEY', 'IP'], capacity: 100, restorePerSecond: 1 } as const;
    const cost = costDirective({ store: new MemoryCostBudgetStore(), budgets: [byKey], clock: () => 1_700_000_000_000 });
    const schema = protectedSchema(
      sdl.replace('product(id: ID!): Product @public', 'product(id: ID!): Product @requiresApiKey'),
      [cost, publicDirective(), attestationDirective(), requiresApiKeyDirective({ store: keys })],
      resolvers,
    );
    const headers = { 'x-api-key': key };
    const first = await execute(schema, '{ health product(id: "1") { id } }', { headers });
    const second = await execute(schema, '{ product(id: "1") { id } }', { headers });
    expect([first.before, second.before]).toMatchObject([
      { throttleStatus: { currentlyAvailable: 97 } },
      { throttleStatus: { currentlyAvailable: 94 } },
    ]);
  });
});

describe('the per-operation limits', () => {
  it('refuses an operation costlier than maxCost on every root field with GRAPHQL_VALIDATION_FAILED, stating no limit', async () => {
    const { schema } = setup({ maxCost: 30 });
    listed.mockClear();
    const { result, rampart } = await execute(schema, `{ health ${page.slice(1)}`);
    expect(errorCodes(result)).toEqual([
      ['health', 'GRAPHQL_VALIDATION_FAILED'],
      ['products', 'GRAPHQL_VALIDATION_FAILED'],
    ]);
    expect(result.errors?.[0]?.message).toBe('The operation is too costly. Ask for fewer items or fields.');
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(listed).not.toHaveBeenCalled();
    expect(rampart.responseExtensions['cost']).toEqual({
      requestedQueryCost: pageCost,
      actualQueryCost: null,
      fieldCost: 12,
      typeCost: 22,
    });
  });

  it('refuses a list longer than maxListSize, from a literal or a variable', async () => {
    const { schema } = setup({ maxListSize: 5 });
    const rampart = securityContextFactory()(requestFacts());
    const result = await graphql({
      schema,
      source: 'query ($n: Int) { products(first: $n) { edges { node { id } } } }',
      variableValues: { n: 6 },
      contextValue: { rampart },
    });
    expect(errorCodes(result)).toEqual([['products', 'GRAPHQL_VALIDATION_FAILED']]);
    expect(result.errors?.[0]?.message).toBe('The operation asks for too many items in one list. Ask for fewer.');
  });

  it('refuses a negative slicing argument and a missing one where one is required', async () => {
    const { schema } = setup();
    expect((await execute(schema, '{ products(first: -1) { edges { node { id } } } }')).result.errors?.[0]?.message).toBe(
      'Query.products: first must be a whole number, 0 or more.',
    );
    expect(errorCodes((await execute(schema, '{ product(id: "1") { reviews(first: null) { body } } }')).result)).toEqual([
      ['product', 'GRAPHQL_VALIDATION_FAILED'],
    ]);
  });

  it('refuses a huge first from a variable without computing anything unsafe', async () => {
    const { schema } = setup({ maxListSize: 1_000_000_000 });
    const rampart = securityContextFactory()(requestFacts());
    const result = await graphql({
      schema,
      source: 'query ($n: Int) { products(first: $n) { edges { node { reviews(first: $n) { body } } } } }',
      variableValues: { n: 2_147_483_647 },
      contextValue: { rampart },
    });
    expect(errorCodes(result)).toEqual([['products', 'GRAPHQL_VALIDATION_FAILED']]);
  });

  it('costs __typename and introspection nothing', async () => {
    const { schema } = setup();
    const { result, before } = await execute(schema, '{ __typename __schema { queryType { name } } health }');
    expect(result.errors).toBeUndefined();
    expect(before).toMatchObject({ requestedQueryCost: 1, fieldCost: 0, typeCost: 1 });
  });
});

describe('tiers: the attested app draws on a larger budget', () => {
  const budgets = [
    { name: 'unattested', tier: 'unattested', by: ['API_KEY', 'IP'], capacity: 50, restorePerSecond: 1 },
    { name: 'attested', tier: 'attested', by: ['APP_INSTANCE'], capacity: 1000, restorePerSecond: 1 },
  ] as const;
  const attestedSetup = () => {
    const attestation = attestationDirective();
    return setup({ budgets, attestation }, [attestation]);
  };

  it("charges an unattested request to the small budget and an attested one to the app instance's", async () => {
    const { schema } = attestedSetup();
    expect((await execute(schema, page)).before).toMatchObject({
      throttleStatus: { maximumAvailable: 50, currentlyAvailable: 50 - pageCost },
    });
    const token = await approov();
    expect((await execute(schema, page, { headers: { 'approov-token': token } })).before).toMatchObject({
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 1000 - pageCost },
    });
  });

  it("keys the attested budget by app instance: one device's spending leaves another's whole", async () => {
    const { schema } = attestedSetup();
    await execute(schema, page, { headers: { 'approov-token': await approov({ did: 'device-a' }) } });
    expect((await execute(schema, page, { headers: { 'approov-token': await approov({ did: 'device-b' }) } })).before).toMatchObject({
      throttleStatus: { currentlyAvailable: 1000 - pageCost },
    });
  });

  it('does not spend the attestation: a single-use field later in the same request still takes it', async () => {
    const { schema } = attestedSetup();
    const { result } = await execute(schema, `{ products(first: 1) { edges { node { id } } } spend }`, {
      headers: { 'approov-token': await approov() },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ spend: 'spent' });
  });

  it.each([
    ['an invalid token', async () => ({ 'approov-token': `${await approov()}x` })],
    ['an expired token', async () => ({ 'approov-token': await approov({ exp: 1 }) })],
    [
      'a token bound to another Authorization value',
      async () => ({
        'approov-token': await approov({ pay: createHash('sha256').update('Bearer alice').digest('base64') }),
        authorization: 'Bearer mallory',
      }),
    ],
  ])('counts %s as unattested, without refusing the request for it', async (_name, headers) => {
    const { schema } = attestedSetup();
    const { result, before } = await execute(schema, page, { headers: await headers() });
    expect(result.errors).toBeUndefined();
    expect(before).toMatchObject({ throttleStatus: { maximumAvailable: 50 } });
  });

  it('counts a token spent by an earlier request as unattested: a consumed order attestation replayed on listings buys nothing', async () => {
    const { schema } = attestedSetup();
    const token = await approov();
    expect((await execute(schema, '{ spend }', { headers: { 'approov-token': token } })).result.data).toMatchObject({ spend: 'spent' });
    const { result, before } = await execute(schema, page, { headers: { 'approov-token': token } });
    expect(result.errors).toBeUndefined();
    expect(before).toMatchObject({ throttleStatus: { maximumAvailable: 50 } });
  });

  it('counts a token as unattested when the replay cache cannot tell whether it was spent (no seen())', async () => {
    const attestation = requiresAttestationDirective({
      verifiers: [approovVerifier({ secret: secret.toString('base64') })],
      replayCache: { firstUse: () => true },
    });
    const { schema } = setup({ budgets, attestation }, [attestation]);
    const { before } = await execute(schema, page, { headers: { 'approov-token': await approov() } });
    expect(before).toMatchObject({ throttleStatus: { maximumAvailable: 50 } });
  });

  it("counts a token bound to the request's own Authorization value as attested", async () => {
    const { schema } = attestedSetup();
    const headers = {
      'approov-token': await approov({ pay: createHash('sha256').update('Bearer alice').digest('base64') }),
      authorization: 'Bearer alice',
    };
    expect((await execute(schema, page, { headers })).before).toMatchObject({ throttleStatus: { maximumAvailable: 1000 } });
  });
});

describe('failing closed', () => {
  it('refuses with PROTECTION_UNAVAILABLE when the store cannot answer, and says so to onDependencyError', async () => {
    const onDependencyError = vi.fn();
    const failure = new Error('store down');
    const store: CostBudgetStore = { charge: () => Promise.reject(failure), refund: () => [] };
    const { schema } = setup({ store, onDependencyError });
    const { result } = await execute(schema, `{ health ${page.slice(1)}`);
    expect(errorCodes(result)).toEqual([
      ['health', 'PROTECTION_UNAVAILABLE'],
      ['products', 'PROTECTION_UNAVAILABLE'],
    ]);
    expect(onDependencyError).toHaveBeenCalledTimes(1);
    expect(onDependencyError).toHaveBeenCalledWith(failure);
  });

  it('refuses with PROTECTION_UNAVAILABLE when the store throws synchronously', async () => {
    const store: CostBudgetStore = {
      charge: () => {
        throw new Error('full');
      },
      refund: () => [],
    };
    const { schema } = setup({ store });
    expect(errorCodes((await execute(schema, page)).result)).toEqual([['products', 'PROTECTION_UNAVAILABLE']]);
  });

  it('keeps the estimate charged when the refund cannot be made', async () => {
    const memory = new MemoryCostBudgetStore();
    const onDependencyError = vi.fn();
    const store: CostBudgetStore = {
      charge: (charges, now) => memory.charge(charges, now),
      refund: () => Promise.reject(new Error('down')),
    };
    const { schema } = setup({ store, onDependencyError });
    const { rampart } = await execute(schema, page);
    expect(rampart.responseExtensions['cost']).toMatchObject({
      actualQueryCost: 13,
      throttleStatus: { currentlyAvailable: 100 - pageCost },
    });
    expect(onDependencyError).toHaveBeenCalledTimes(1);
  });
});

describe('the directive itself', () => {
  it('does not make a root field protected: secure by default still refuses an unguarded one', () => {
    const cost = costDirective();
    const schema = makeExecutableSchema({ typeDefs: [cost.typeDefs, 'type Query { open: String }'] });
    expect(() => applyProtections(schema, [cost])).toThrow(UnprotectedRootFieldsError);
  });

  it('leaves fields below the root untouched (their resolvers are the same functions)', () => {
    const cost = costDirective();
    const schema = makeExecutableSchema({
      typeDefs: [cost.typeDefs, publicDirective().typeDefs, sdl.replace('@requiresAttestation(consume: true)', '@public')],
      resolvers,
    });
    const reviews = (schema.getType('Product') as GraphQLObjectType).getFields()['reviews']?.resolve;
    const protectedOne = applyProtections(schema, [cost, publicDirective()]);
    expect(reviews).toBeTypeOf('function');
    expect((protectedOne.getType('Product') as GraphQLObjectType).getFields()['reviews']?.resolve).toBe(reviews);
  });

  it('honours custom names for both directives', () => {
    const cost = costDirective({ name: 'weight', listSizeName: 'size' });
    expect(cost.name).toBe('weight');
    expect(cost.typeDefs).toContain('directive @weight(');
    expect(cost.typeDefs).toContain('directive @size(');
    const schema = makeExecutableSchema({
      typeDefs: [cost.typeDefs, publicDirective().typeDefs, 'type T { id: ID } type Query { all: [T] @size(assumedSize: 3) @public }'],
    });
    expect(() => applyProtections(schema, [cost, publicDirective()])).not.toThrow();
  });

  it('refuses a bad usage when the schema is built, naming its coordinate', () => {
    const cost = costDirective();
    const schema = makeExecutableSchema({
      typeDefs: [
        cost.typeDefs,
        publicDirective().typeDefs,
        'type Query { one(first: Int): Int @listSize(slicingArguments: ["first"]) @public }',
      ],
    });
    expect(() => applyProtections(schema, [cost, publicDirective()])).toThrow(
      new TypeError('@listSize on Query.one: the field returns no list; name the list fields it sizes in sizedFields'),
    );
  });

  it.each([
    [{ budgets: [small] }, 'costDirective: budgets need a store implementing CostBudgetStore'],
    [
      { store: new MemoryCostBudgetStore(), budgets: [{ ...small, tier: 'attested' }] },
      'costDirective: attested and unattested budgets need the attestation option (the @requiresAttestation directive)',
    ],
    [
      { store: new MemoryCostBudgetStore(), budgets: [{ ...small, name: 'a b' }] },
      'costDirective: budgets[0]: name must be 1 to 40 letters, digits, - and _',
    ],
    [
      { store: new MemoryCostBudgetStore(), budgets: [{ ...small, tier: 'gold' }] },
      'costDirective: budgets[0] (small): tier must be attested, unattested or any',
    ],
    [
      { store: new MemoryCostBudgetStore(), budgets: [{ ...small, by: [] }] },
      'costDirective: budgets[0] (small): by must list identities among IP, API_KEY, USER, APP_INSTANCE, USER_AGENT, GLOBAL',
    ],
    [
      { store: new MemoryCostBudgetStore(), budgets: [{ ...small, by: ['GLOBAL', 'IP'] }] },
      'costDirective: budgets[0] (small): by: [GLOBAL] shares one budget by everyone and cannot be combined',
    ],
    [
      { store: new MemoryCostBudgetStore(), budgets: [{ ...small, capacity: 0.5 }] },
      'costDirective: budgets[0] (small): capacity must be a positive integer',
    ],
    [
      { store: new MemoryCostBudgetStore(), budgets: [{ ...small, restorePerSecond: 0 }] },
      'costDirective: budgets[0] (small): restorePerSecond must be a positive number',
    ],
    [{ store: new MemoryCostBudgetStore(), budgets: [small, small] }, 'costDirective: budget names must differ'],
    [{ maxCost: 0 }, 'costDirective: maxCost must be a positive integer'],
    [{ maxListSize: 1.5 }, 'costDirective: maxListSize must be a positive integer'],
    [{ defaultListSize: -1 }, 'costDirective: defaultListSize must be a positive integer'],
    [{ listSizeName: 'cost' }, 'costDirective: name and listSizeName must differ'],
    [{ listSizeName: '@listSize' }, 'costDirective (listSizeName): name must be a GraphQL name such as "requiresApiKey" (no @)'],
    [{ attestation: { probe: {} } }, 'costDirective: attestation must be the @requiresAttestation directive (its probe)'],
  ])('refuses bad options: %j', (options, message) => {
    expect(() => costDirective(options as CostOptions)).toThrow(new TypeError(message));
  });
});
