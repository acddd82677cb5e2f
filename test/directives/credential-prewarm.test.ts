import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { type ApiKeyStore, issueApiKey, MemoryApiKeyStore, publicDirective, requiresApiKeyDirective } from '../../src/index.js';
import { errorCodes, protectedSchema, run } from '../support/harness.js';

const sdl = `
  type Item { id: ID! secret: String @requiresApiKey }
  interface Page { items: [Item!]! }
  type ItemPage implements Page { items: [Item!]! }
  type Query {
    items(count: Int!): [Item!]! @public
    page: Page @public
  }
`;
const items = (count: number) => Array.from({ length: count }, (_, i) => ({ id: String(i), secret: `s${i}` }));
const resolvers = {
  Query: { items: (_: unknown, args: { count: number }) => items(args.count), page: () => ({ items: items(3) }) },
  Page: { __resolveType: () => 'ItemPage' },
};

/** A store that answers through promises, as a network database would. */
function asyncStore(inner: MemoryApiKeyStore): ApiKeyStore {
  return {
    findById: (id) => Promise.resolve(inner.findById(id)),
    insert: (record) => {
      inner.insert(record);
      return Promise.resolve();
    },
    list: () => Promise.resolve(inner.list()),
    revoke: (id, at) => Promise.resolve(inner.revoke(id, at)),
    recordUse: (id, at) => {
      inner.recordUse(id, at);
      return Promise.resolve();
    },
  };
}

/** Counts how often the protected Item.secret resolver answered with a promise. */
function countPromiseAnswers(schema: GraphQLSchema): { calls: number; promises: number } {
  const field = (schema.getType('Item') as GraphQLObjectType).getFields()['secret'];
  if (field?.resolve === undefined) throw new Error('Item.secret has no resolver');
  const protectedResolve: GraphQLFieldResolver<unknown, unknown> = field.resolve;
  const counts = { calls: 0, promises: 0 };
  field.resolve = (...args) => {
    const answer = protectedResolve(...args);
    counts.calls++;
    if (answer instanceof Promise) counts.promises++;
    return answer;
  };
  return counts;
}

describe('credential prewarming', () => {
  it('verifies the key exactly once for 1,000 protected items and checks each item synchronously', async () => {
    const memory = new MemoryApiKeyStore();
    const { key } = await issueApiKey(memory, { app: 'ios' });
    const store = asyncStore(memory);
    const findById = vi.spyOn(store, 'findById');
    const schema = protectedSchema(sdl, [requiresApiKeyDirective({ store }), publicDirective()], resolvers);
    const counts = countPromiseAnswers(schema);

    const result = await run(schema, '{ items(count: 1000) { id secret } }', { headers: { 'x-api-key': key } });

    expect(result.errors).toBeUndefined();
    expect((result.data?.['items'] as unknown[]).length).toBe(1000);
    expect(findById).toHaveBeenCalledTimes(1);
    expect(counts).toEqual({ calls: 1000, promises: 0 });
  });

  it('refuses every one of 1,000 items synchronously when the key is missing', async () => {
    const store = asyncStore(new MemoryApiKeyStore());
    const schema = protectedSchema(sdl, [requiresApiKeyDirective({ store }), publicDirective()], resolvers);
    const counts = countPromiseAnswers(schema);
    const result = await run(schema, '{ items(count: 1000) { secret } }');
    expect(result.errors).toHaveLength(1000);
    expect(new Set(errorCodes(result).map(([, code]) => code))).toEqual(new Set(['API_KEY_REQUIRED']));
    expect(counts).toEqual({ calls: 1000, promises: 0 });
  });

  it('looks through fragments and interfaces to find what to verify', async () => {
    const memory = new MemoryApiKeyStore();
    const { key } = await issueApiKey(memory, { app: 'ios' });
    const schema = protectedSchema(sdl, [requiresApiKeyDirective({ store: asyncStore(memory) }), publicDirective()], resolvers);
    const counts = countPromiseAnswers(schema);
    const result = await run(schema, '{ page { ...P } } fragment P on Page { ... on ItemPage { items { secret } } }', {
      headers: { 'x-api-key': key },
    });
    expect(result).toEqual({ data: { page: { items: [{ secret: 's0' }, { secret: 's1' }, { secret: 's2' }] } } });
    expect(counts).toEqual({ calls: 3, promises: 0 });
  });

  it('does not verify anything for a query that reaches no protected field', async () => {
    const store = new MemoryApiKeyStore();
    const findById = vi.spyOn(store, 'findById');
    const schema = protectedSchema(sdl, [requiresApiKeyDirective({ store }), publicDirective()], resolvers);
    const result = await run(schema, '{ items(count: 2) { id } }', { headers: { 'x-api-key': 'rampart_x' } });
    expect(result.errors).toBeUndefined();
    expect(findById).not.toHaveBeenCalled();
  });

  it('is an optimisation only: without it, every item is still protected', async () => {
    const memory = new MemoryApiKeyStore();
    const { key } = await issueApiKey(memory, { app: 'ios' });
    const apiKey = requiresApiKeyDirective({ store: asyncStore(memory) });
    // Applied by a plain reduce, as graphql-tools composes transformers, with no prewarming.
    const schema = [apiKey, publicDirective()].reduce(
      (current, directive) => directive.transformer(current),
      makeExecutableSchema({ typeDefs: [apiKey.typeDefs, publicDirective().typeDefs, sdl], resolvers }),
    );
    const counts = countPromiseAnswers(schema);
    const allowed = await run(schema, '{ items(count: 10) { secret } }', { headers: { 'x-api-key': key } });
    expect(allowed.errors).toBeUndefined();
    expect(counts.promises).toBe(10);
    const refused = await run(schema, '{ items(count: 10) { secret } }');
    expect(refused.errors).toHaveLength(10);
  });

  it('survives a fragment spread thousands of times and deep nesting without blowing up', async () => {
    const store = new MemoryApiKeyStore();
    const schema = protectedSchema(sdl, [requiresApiKeyDirective({ store }), publicDirective()], resolvers);
    const spreads = Array.from({ length: 3000 }, () => '...F').join(' ');
    const result = await run(schema, `{ items(count: 1) { ${spreads} } } fragment F on Item { secret }`);
    expect(errorCodes(result)).toEqual([['items.0.secret', 'API_KEY_REQUIRED']]);
  });
});
