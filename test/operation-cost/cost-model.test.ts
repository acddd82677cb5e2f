import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readCostModel } from '../../src/operation-cost/cost-model.js';
import { costDirectivesSdl, costOf, costSchema, measures } from './support.js';

const read = (sdl: string, names = { cost: 'cost', listSize: 'listSize' }, declarations = costDirectivesSdl) =>
  readCostModel(buildSchema(declarations + sdl), names, 100);

describe('reading @cost and @listSize from a schema', () => {
  it.each([
    [
      'interface Node { id: ID @cost(weight: "2") } type T implements Node { id: ID } type Query { t: T }',
      '@cost on Node.id: the specification forbids @cost on an interface field; put it on the fields of the types that implement it',
    ],
    [
      'interface Node { id(x: Int @cost(weight: "2")): ID } type T implements Node { id(x: Int): ID } type Query { t: T }',
      '@cost on Node.id(x:): the specification forbids @cost on an interface field; put it on the fields of the types that implement it',
    ],
    [
      'type Query { a: Int @cost(weight: "cheap") }',
      '@cost on Query.a: weight must be a number written as a string, such as "2.0" (at most 1000000000 either way)',
    ],
    [
      'type Query { a: Int @cost(weight: "1e12") }',
      '@cost on Query.a: weight must be a number written as a string, such as "2.0" (at most 1000000000 either way)',
    ],
    [
      'type Query { a(x: Int @cost(weight: "NaN")): Int }',
      '@cost on Query.a(x:): weight must be a number written as a string, such as "2.0" (at most 1000000000 either way)',
    ],
    [
      'input I { x: Int @cost(weight: "") } type Query { a(i: I): Int }',
      '@cost on I.x: weight must be a number written as a string, such as "2.0" (at most 1000000000 either way)',
    ],
    [
      'scalar Big @cost(weight: "Infinity") type Query { a: Big }',
      '@cost on Big: weight must be a number written as a string, such as "2.0" (at most 1000000000 either way)',
    ],
    [
      'type Query { a(first: Int): [Int] @listSize(slicingArguments: ["last"]) }',
      '@listSize on Query.a: slicing argument last is not an argument of the field',
    ],
    [
      'type Query { a(first: String): [Int] @listSize(slicingArguments: ["first"]) }',
      '@listSize on Query.a: slicing argument first must be an Int (or a list, whose length counts)',
    ],
    [
      'input P { first: Int } type Query { a(p: P): [Int] @listSize(slicingArguments: ["p.last"]) }',
      '@listSize on Query.a: slicing argument p.last names no input field last',
    ],
    [
      'type Query { a(first: Int): [Int] @listSize(slicingArguments: ["first first"]) }',
      '@listSize on Query.a: slicingArguments must be argument names or paths such as "first" or "input.first"',
    ],
    [
      'type Query { a: Int @listSize(assumedSize: 5) }',
      '@listSize on Query.a: the field returns no list; name the list fields it sizes in sizedFields',
    ],
    ['type Query { a: [Int] @listSize(assumedSize: -1) }', '@listSize on Query.a: assumedSize must be an integer, 0 or more'],
    [
      'type C { total: Int } type Query { a(first: Int): C @listSize(slicingArguments: ["first"], sizedFields: ["total"]) }',
      '@listSize on Query.a: sizedFields names total, which is not a list field of C',
    ],
    [
      'type C { edges: [Int] } type Query { a(first: Int): C @listSize(slicingArguments: ["first"], sizedFields: ["results { page }"]) }',
      '@listSize on Query.a: sizedFields names results { page }, which is not a list field of C',
    ],
    [
      'type C { edges: [Int] } type Query { a(first: Int): [C] @listSize(slicingArguments: ["first"], sizedFields: ["edges"]) }',
      '@listSize on Query.a: sizedFields belongs on a field that returns an object (a connection), not a list',
    ],
    [
      'type Query { a(first: Int): [Int] @listSize(slicingArguments: ["first"], assumedSize: 5) }',
      '@listSize on Query.a: assumedSize goes with slicingArguments only when requireOneSlicingArgument is false and no slicing argument has a default',
    ],
    [
      'type Query { a(first: Int = 3): [Int] @listSize(slicingArguments: ["first"], assumedSize: 5, requireOneSlicingArgument: false) }',
      '@listSize on Query.a: assumedSize goes with slicingArguments only when requireOneSlicingArgument is false and no slicing argument has a default',
    ],
  ])('refuses a bad usage, naming its coordinate: %s', (sdl, message) => {
    expect(() => read(sdl)).toThrow(new TypeError(message));
  });

  it('reads the directives under the names the schema gives them', () => {
    const declarations = `
      directive @weight(weight: String!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
      directive @size(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    `;
    const schema = buildSchema(`${declarations} type T @weight(weight: "4") { id: ID } type Query { all: [T] @size(assumedSize: 3) }`);
    const model = readCostModel(schema, { cost: 'weight', listSize: 'size' }, 100);
    expect(measures(costOf({ schema, model }, '{ all { id } }'))).toEqual([1, 13]);
  });

  it('gives an object field the @listSize of the interface field it implements, unless it has its own', () => {
    const shop = costSchema(`
      interface Paged { items(first: Int): [Int] @listSize(slicingArguments: ["first"]) }
      type A implements Paged { items(first: Int): [Int] }
      type B implements Paged { items(first: Int): [Int] @listSize(assumedSize: 7, requireOneSlicingArgument: false) }
      type Query { a: A  b: B }
    `);
    expect(shop.model.listSize('A', 'items')?.slicingArguments).toEqual([['first']]);
    expect(shop.model.listSize('B', 'items')?.assumedSize).toBe(7);
  });

  it("takes the specification's defaults where nothing is declared", () => {
    const { schema, model } = costSchema(
      'input I { x: Int } enum E { A } type T { id: ID  e: E } type Query { t(i: I, n: Int): T  ts: [T]  s: String }',
    );
    const query = schema.getQueryType();
    const fields = query?.getFields() ?? {};
    expect(model.typeWeight(schema.getType('T') as never)).toBe(1);
    expect(model.typeWeight(schema.getType('E') as never)).toBe(0);
    expect(model.fieldWeight('Query', fields['t'] as never)).toBe(1);
    expect(model.fieldWeight('Query', fields['ts'] as never)).toBe(1);
    expect(model.fieldWeight('Query', fields['s'] as never)).toBe(0);
    expect(model.argumentWeight('Query.t', fields['t']?.args[0] as never)).toBe(1);
    expect(model.argumentWeight('Query.t', fields['t']?.args[1] as never)).toBe(0);
  });
});
