import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLObjectType, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { publicDirective } from '../../src/index.js';
import { getProtectedFieldState } from '../../src/directives/protect-fields.js';
import { errorCodes, protectedSchema, run } from '../support/harness.js';
import { recordingDirective } from '../support/recording-directive.js';

const sdl = `
  interface Node @guard { id: ID! }
  interface Named { name: String @guard(deny: true) }
  type Product implements Node & Named { id: ID! name: String price: Int }
  type Category @guard { id: ID! title: String @guard }
  type Plain { value: String }
  type Query {
    product: Product @guard
    category: Category @guard
    plain: Plain @public
    search: [Node!]! @guard
  }
`;
const resolvers = {
  Query: {
    product: () => ({ id: 'p1', name: 'Kettle', price: 30 }),
    category: () => ({ id: 'c1', title: 'Kitchen' }),
    plain: () => ({ value: 'v' }),
    search: () => [{ __typename: 'Product', id: 'p1', name: 'Kettle', price: 30 }],
  },
  Node: { __resolveType: (value: { __typename: string }) => value.__typename },
};

function build(log: string[], behaviour = {}) {
  return protectedSchema(sdl, [recordingDirective('guard', 10, log, behaviour), publicDirective()], resolvers);
}

describe('protectFields', () => {
  it('protects every field of an object that implements a protected interface', async () => {
    const log: string[] = [];
    const result = await run(build(log), '{ product { id price } }');
    expect(result).toEqual({ data: { product: { id: 'p1', price: 30 } } });
    expect(log).toEqual(['guard:Query.product->Query.product', 'guard:interface Node->Product.id', 'guard:interface Node->Product.price']);
  });

  it('applies a directive on an interface field to that field on every implementation', async () => {
    const log: string[] = [];
    const result = await run(build(log), '{ product { name } }');
    expect(result.data).toEqual({ product: { name: null } });
    expect(errorCodes(result)).toEqual([['product.name', 'UNAUTHENTICATED']]);
    expect(log).toContain('guard:Named.name->Product.name');
  });

  it('checks both a type-level and a field-level usage, broadest first', async () => {
    const log: string[] = [];
    await run(build(log), '{ category { title } }');
    expect(log).toEqual([
      'guard:Query.category->Query.category',
      'guard:type Category->Category.title',
      'guard:Category.title->Category.title',
    ]);
  });

  it('reaches fields selected through fragments, inline fragments and aliases', async () => {
    const log: string[] = [];
    const result = await run(
      build(log),
      `{ a: search { ... on Product { n1: name } } b: search { ...P } }
       fragment P on Named { n2: name }`,
    );
    expect(errorCodes(result)).toEqual([
      ['a.0.n1', 'UNAUTHENTICATED'],
      ['b.0.n2', 'UNAUTHENTICATED'],
    ]);
  });

  it('leaves a field that no usage reaches untouched: same resolver, no state', () => {
    const log: string[] = [];
    const plainResolve = () => 'v';
    const base = makeExecutableSchema({
      typeDefs: [recordingDirective('guard', 10, log).typeDefs, sdl, 'directive @public on FIELD_DEFINITION'],
      resolvers: { ...resolvers, Plain: { value: plainResolve } },
    });
    const before = (base.getType('Plain') as GraphQLObjectType).getFields()['value'];
    const schema = recordingDirective('guard', 10, log).transformer(base);
    const field = (schema.getType('Plain') as GraphQLObjectType).getFields()['value'];
    expect(before?.resolve).toBeTypeOf('function');
    expect(field?.resolve).toBe(before?.resolve);
    expect(field && getProtectedFieldState(field)).toBeUndefined();
  });

  it('refuses with PROTECTION_UNAVAILABLE when a check throws, without leaking the error', async () => {
    const log: string[] = [];
    const result = await run(build(log, { throws: true }), '{ product { id } plain { value } }');
    expect(result.data).toEqual({ product: null, plain: { value: 'v' } });
    expect(errorCodes(result)).toEqual([['product', 'PROTECTION_UNAVAILABLE']]);
    expect(JSON.stringify(result)).not.toContain('secret-in-dependency-error');
  });

  it('awaits a check that answers asynchronously', async () => {
    const log: string[] = [];
    const result = await run(build(log, { async: true }), '{ product { id name } }');
    expect(result.data).toEqual({ product: { id: 'p1', name: null } });
    expect(errorCodes(result)).toEqual([['product.name', 'UNAUTHENTICATED']]);
  });

  it('refuses with PROTECTION_UNAVAILABLE when the host put no security context on the GraphQL context', async () => {
    const result = await graphql({ schema: build([]), source: '{ product { id } }', contextValue: {} });
    expect(errorCodes(result)).toEqual([['product', 'PROTECTION_UNAVAILABLE']]);
  });

  it('runs the checks of several directives in rank order, whatever the order they were applied in', async () => {
    const log: string[] = [];
    const schema = protectedSchema(
      'type Query { x: String @late @early }',
      [recordingDirective('late', 40, log), recordingDirective('early', 10, log)],
      { Query: { x: () => 'ok' } },
    );
    const result = await run(schema, '{ x }');
    expect(result).toEqual({ data: { x: 'ok' } });
    expect(log).toEqual(['early:Query.x->Query.x', 'late:Query.x->Query.x']);
  });

  it('stops at the first refusal: later (consuming) checks never run', async () => {
    const log: string[] = [];
    const schema = protectedSchema(
      'type Query { x: String @late @early(deny: true) }',
      [recordingDirective('late', 40, log), recordingDirective('early', 10, log)],
      { Query: { x: () => 'ok' } },
    );
    const result = await run(schema, '{ x }');
    expect(errorCodes(result)).toEqual([['x', 'UNAUTHENTICATED']]);
    expect(log).toEqual(['early:Query.x->Query.x']);
  });

  it('decides a per-request protection once for every item of a list, and again for the next request', async () => {
    const log: string[] = [];
    const schema = protectedSchema(
      'type Item { v: Int @once } type Query { items: [Item!]! @once }',
      [recordingDirective('once', 10, log, { perRequest: true })],
      { Query: { items: () => Array.from({ length: 1000 }, (_, v) => ({ v })) } },
    );
    expect((await run(schema, '{ items { v } }')).errors).toBeUndefined();
    expect(log.filter((line) => line.endsWith('Item.v'))).toHaveLength(1);
    await run(schema, '{ items { v } }');
    expect(log.filter((line) => line.endsWith('Item.v'))).toHaveLength(2);
  });

  it('remembers a per-request refusal too, returning it for every item', async () => {
    const log: string[] = [];
    const schema = protectedSchema(
      'type Item { v: Int @once(deny: true) } type Query { items: [Item!]! @public }',
      [recordingDirective('once', 10, log, { perRequest: true }), publicDirective()],
      { Query: { items: () => Array.from({ length: 100 }, (_, v) => ({ v })) } },
    );
    const result = await run(schema, '{ items { v } }');
    expect(result.errors).toHaveLength(100);
    expect(new Set(errorCodes(result).map(([, code]) => code))).toEqual(new Set(['UNAUTHENTICATED']));
    expect(log).toHaveLength(1);
  });

  it('checks every call when a protection is not per request (rate limits, captchas)', async () => {
    const log: string[] = [];
    const schema = protectedSchema(
      'type Item { v: Int @each } type Query { items: [Item!]! @each }',
      [recordingDirective('each', 10, log)],
      { Query: { items: () => Array.from({ length: 50 }, (_, v) => ({ v })) } },
    );
    await run(schema, '{ items { v } }');
    expect(log.filter((line) => line.endsWith('Item.v'))).toHaveLength(50);
  });

  it('never answers one request with the decision remembered for another', async () => {
    let allow = true;
    const schema = protectedSchema(
      'type Item { secret: String @once } type Query { items: [Item!]! @public }',
      [recordingDirective('once', 10, [], { perRequest: true, decide: () => allow }), publicDirective()],
      { Query: { items: () => [{ secret: 'S1' }, { secret: 'S2' }] } },
    );
    expect(await run(schema, '{ items { secret } }')).toEqual({ data: { items: [{ secret: 'S1' }, { secret: 'S2' }] } });
    allow = false;
    const refused = await run(schema, '{ items { secret } }');
    expect(refused.data).toEqual({ items: [{ secret: null }, { secret: null }] });
    const withoutContext = await graphql({ schema, source: '{ items { secret } }', contextValue: {} });
    expect(errorCodes(withoutContext)).toEqual([
      ['items.0.secret', 'PROTECTION_UNAVAILABLE'],
      ['items.1.secret', 'PROTECTION_UNAVAILABLE'],
    ]);
  });

  it("keeps each field's per-request decision apart within one request", async () => {
    const log: string[] = [];
    const schema = protectedSchema(
      'type Item { open: String @once  shut: String @once(deny: true) } type Query { items: [Item!]! @public }',
      [recordingDirective('once', 10, log, { perRequest: true }), publicDirective()],
      {
        Query: {
          items: () => [
            { open: 'o1', shut: 's1' },
            { open: 'o2', shut: 's2' },
          ],
        },
      },
    );
    const result = await run(schema, '{ items { open shut } }');
    expect(result.data).toEqual({
      items: [
        { open: 'o1', shut: null },
        { open: 'o2', shut: null },
      ],
    });
    expect(errorCodes(result)).toEqual([
      ['items.0.shut', 'UNAUTHENTICATED'],
      ['items.1.shut', 'UNAUTHENTICATED'],
    ]);
    expect(log).toEqual(['once:Item.open->Item.open', 'once:Item.shut->Item.shut']);
  });
});
