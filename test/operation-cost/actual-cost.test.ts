import { describe, expect, it } from 'vitest';
import { actualCostOf, costOf, costSchema, measures } from './support.js';

describe('the actual cost of a result', () => {
  const users = costSchema(`
    type User { name: String  age: Int @cost(weight: "2.0") }
    type Query { users(max: Int): [User] @listSize(slicingArguments: ["max"]) }
  `);

  it("costs the specification's users(max: 5) { age } 7 and 4 when three users come back (§5.1, response analysis)", () => {
    const data = { users: [{ age: 33 }, { age: 45 }, { age: 27 }] };
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', data))).toEqual([7, 4]);
  });

  it('never costs more than the static estimate when the lists are as long as asked', () => {
    const data = { users: Array.from({ length: 5 }, () => ({ age: 1 })) };
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', data))).toEqual(measures(costOf(users, '{ users(max: 5) { age } }')));
  });

  it('costs nothing for a null or absent data', () => {
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', null))).toEqual([0, 0]);
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', undefined))).toEqual([0, 0]);
  });

  it("counts a null field's own weight and no object under it", () => {
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', { users: null }))).toEqual([1, 1]);
    expect(measures(actualCostOf(users, '{ users(max: 5) { age } }', { users: [null, { age: null }] }))).toEqual([3, 2]);
  });

  const shop = costSchema(`
    interface Animal { name: String }
    type Cat implements Animal @cost(weight: "3") { name: String }
    type Dog implements Animal @cost(weight: "5") { name: String  friends: [Dog] }
    type Product { name: String }
    type Edge { cursor: String  node: Product }
    type Connection { edges: [Edge] }
    input OuterInput { inner: InnerInput }
    input InnerInput { id: ID }
    type Query {
      products(first: Int = 20, where: OuterInput): Connection @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
      animals: [Animal] @listSize(assumedSize: 10)
    }
  `);

  it('costs a page that returned fewer items than asked what it returned', () => {
    const source = '{ products(first: 100) { edges { cursor node { name } } } }';
    const data = {
      products: {
        edges: [
          { cursor: 'a', node: { name: 'x' } },
          { cursor: 'b', node: { name: 'y' } },
        ],
      },
    };
    expect(measures(costOf(shop, source))).toEqual([102, 202]);
    expect(measures(actualCostOf(shop, source, data))).toEqual([4, 6]);
  });

  it('counts argument weights once per field, as the estimate does', () => {
    const source = '{ products(first: 2, where: { inner: { id: 1 } }) { edges { node { name } } } }';
    const data = { products: { edges: [{ node: { name: 'x' } }] } };
    // products 1 + where 2, edges 1, one node 1.
    expect(actualCostOf(shop, source, data).fieldCost).toBe(5);
  });

  it('counts every alias under its own response name, and skipped fields not at all', () => {
    const source =
      'query ($no: Boolean!) { a: products(first: 1) { edges { node { name } } } b: products(first: 1) @skip(if: $no) { edges { node { name } } } }';
    const data = { a: { edges: [{ node: { name: 'x' } }] } };
    expect(measures(actualCostOf(shop, source, data, { no: true }))).toEqual([3, 4]);
  });

  it('counts an object of an abstract type as its __typename, or as the costliest possible type without one', () => {
    const typed = actualCostOf(shop, '{ animals { __typename name } }', {
      animals: [
        { __typename: 'Cat', name: 'c' },
        { __typename: 'Cat', name: 'd' },
      ],
    });
    expect(measures(typed)).toEqual([1, 7]);
    const untyped = actualCostOf(shop, '{ animals { name } }', { animals: [{ name: 'c' }, { name: 'd' }] });
    expect(measures(untyped)).toEqual([1, 11]);
  });

  it('follows fragments and type conditions into nested lists', () => {
    const source = '{ animals { ... on Dog { friends { ...Named } } } } fragment Named on Dog { name }';
    const data = { animals: [{ friends: [{ name: 'a' }, { name: 'b' }] }, {}] };
    // animals 1; the first object as a Dog: friends 1 and two Dogs; the second (no friends field) as a Dog.
    expect(measures(actualCostOf(shop, source, data))).toEqual([2, 1 + 5 + 10 + 5]);
  });
});

describe('the plan cache', () => {
  const zoo = costSchema(`
    interface Animal { name: String  friends(first: Int = 2): [Animal] @listSize(slicingArguments: ["first"]) }
    type Cat implements Animal @cost(weight: "3") { name: String  friends(first: Int = 2): [Animal] lives: Int @cost(weight: "2.5") }
    type Dog implements Animal @cost(weight: "5") { name: String  friends(first: Int = 2): [Animal] toys: [Toy] }
    type Toy { label: String @cost(weight: "0.5") }
    union Pet = Cat | Dog
    input Filter { kind: String @cost(weight: "2") }
    type Query {
      animals(where: Filter): [Animal] @listSize(assumedSize: 10)
      pets: [[Pet]] @listSize(assumedSize: 3)
      favourite: Pet
    }
  `);
  const operations = [
    'query ($no: Boolean!, $yes: Boolean!) { animals { name ... on Cat { lives @skip(if: $no) } ... on Dog { toys @include(if: $yes) { label } } } }',
    'query ($no: Boolean!) { a: animals(where: { kind: "cat" }) { __typename name } b: animals @skip(if: $no) { friends { name } } }',
    '{ pets { __typename ...Pet } favourite { ...Pet } } fragment Pet on Pet { ... on Cat { lives name } ... on Dog { toys { label } friends(first: 3) { ...Named } } } fragment Named on Animal { name }',
    '{ pets { ... on Dog { name } } favourite { __typename } }',
  ];

  // A deterministic pseudo-random resolver: lists of 0 to 3 items, nulls, Cats and Dogs.
  const randomResolvers = (seed: number) => {
    let state = seed >>> 0 || 1;
    const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) / 0x1000000;
    const animal = (): Record<string, unknown> | null => (next() < 0.15 ? null : { kind: next() < 0.5 ? 'Cat' : 'Dog' });
    const list = (make: () => unknown) => (next() < 0.1 ? null : Array.from({ length: Math.floor(next() * 4) }, make));
    return {
      fieldResolver: (
        _source: unknown,
        _args: unknown,
        _context: unknown,
        info: { fieldName: string; returnType: { toString(): string } },
      ) => {
        const type = info.returnType.toString();
        if (type === '[[Pet]]') return list(() => list(animal));
        if (type.startsWith('[')) return type === '[Toy]' ? list(() => (next() < 0.2 ? null : {})) : list(animal);
        if (type === 'Pet') return animal();
        if (next() < 0.2) return null;
        return info.fieldName === 'lives' ? 9 : 'x';
      },
      typeResolver: (value: { kind: string }) => value.kind,
    };
  };

  it.each(operations.map((source, index) => [index, source] as const))(
    'counts what the reference walk counts, for any result of operation %i',
    async (_index, source) => {
      const { prepared } = await import('./support.js');
      const { execute, parse } = await import('graphql');
      const { actualOperationCost } = await import('../../src/operation-cost/actual-cost.js');
      const { referenceActualCost } = await import('./reference-actual-cost.js');
      const fc = (await import('fast-check')).default;
      fc.assert(
        fc.property(fc.integer(), fc.boolean(), fc.boolean(), (seed, no, yes) => {
          const variables = { no, yes };
          const {
            operation,
            fragments,
            variables: coerced,
          } = prepared(zoo.schema, source, source.includes('$yes') ? variables : source.includes('$no') ? { no } : {});
          const { fieldResolver, typeResolver } = randomResolvers(seed);
          const result = execute({
            schema: zoo.schema,
            document: parse(source),
            variableValues: coerced,
            fieldResolver: fieldResolver as never,
            typeResolver: typeResolver as never,
          }) as { data?: unknown };
          const planned = actualOperationCost(zoo.model, zoo.schema, operation, fragments, coerced, result.data);
          expect(planned).toEqual(referenceActualCost(zoo.model, zoo.schema, operation, fragments, coerced, result.data));
        }),
        { numRuns: 200 },
      );
    },
  );

  it('counts what the reference walk counts when non-null fields null their parents, for any result', async () => {
    const { prepared } = await import('./support.js');
    const { execute, parse } = await import('graphql');
    const { actualOperationCost } = await import('../../src/operation-cost/actual-cost.js');
    const { referenceActualCost } = await import('./reference-actual-cost.js');
    const fc = (await import('fast-check')).default;
    // Non-null all the way down: an object costs the same whatever it holds, unless a field fails and nulls it.
    const strict = costSchema(`
      type Tag @cost(weight: "2") { label: String! @cost(weight: "0.5") }
      type Owner @cost(weight: "3") { name: String!  age: Int! @cost(weight: "1.5")  tag: Tag!  spare: Tag }
      type Query { owners: [Owner] @listSize(assumedSize: 4)  owner: Owner!  maybe: Owner }
    `);
    const source = '{ owners { name age tag { label } spare { label } } owner { tag { label } } maybe { age tag { label } } }';
    const { operation, fragments, variables } = prepared(strict.schema, source);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let state = seed >>> 0 || 1;
        const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) / 0x1000000;
        const fieldResolver = (_source: unknown, _args: unknown, _context: unknown, info: { returnType: { toString(): string } }) => {
          if (next() < 0.1) return null; // a non-null field's null nulls its parent
          const type = info.returnType.toString();
          if (type === '[Owner]') return Array.from({ length: Math.floor(next() * 4) }, () => (next() < 0.2 ? null : {}));
          return type.startsWith('Int') ? 7 : type.startsWith('String') ? 'x' : {};
        };
        const result = execute({ schema: strict.schema, document: parse(source), fieldResolver: fieldResolver as never }) as {
          data?: unknown;
        };
        expect(actualOperationCost(strict.model, strict.schema, operation, fragments, variables, result.data)).toEqual(
          referenceActualCost(strict.model, strict.schema, operation, fragments, variables, result.data),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('counts hand-made results (missing keys, wrong __typename, scalars where objects belong) as the reference walk does', async () => {
    const { prepared } = await import('./support.js');
    const { actualOperationCost } = await import('../../src/operation-cost/actual-cost.js');
    const { referenceActualCost } = await import('./reference-actual-cost.js');
    const { operation, fragments, variables } = prepared(zoo.schema, operations[2] as string);
    const results = [
      { pets: [[{ __typename: 'Cow', lives: 1 }, 'Cat', 7, [{ __typename: 'Dog' }]]], favourite: { __typename: 'Cat' } },
      { pets: { __typename: 'Dog', toys: { label: 'a' }, friends: [{ name: 'n' }, null, 3] }, favourite: 'x' },
      { unrelated: true },
    ];
    for (const data of results) {
      expect(actualOperationCost(zoo.model, zoo.schema, operation, fragments, variables, data)).toEqual(
        referenceActualCost(zoo.model, zoo.schema, operation, fragments, variables, data),
      );
    }
  });

  it('measures every result on its own from one cached plan: fewer items returned, less cost', async () => {
    const { prepared } = await import('./support.js');
    const { actualOperationCost } = await import('../../src/operation-cost/actual-cost.js');
    const { operation, fragments, variables } = prepared(zoo.schema, '{ animals { name } }');
    const three = actualOperationCost(zoo.model, zoo.schema, operation, fragments, variables, {
      animals: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    });
    const one = actualOperationCost(zoo.model, zoo.schema, operation, fragments, variables, { animals: [{ name: 'a' }] });
    // animals 1; each Animal without __typename the costliest possible type (a Dog, 5).
    expect(measures(three)).toEqual([1, 1 + 15]);
    expect(measures(one)).toEqual([1, 1 + 5]);
  });

  it('plans afresh when a variable the plan read changes (@skip), and not when another changes', async () => {
    const { prepared } = await import('./support.js');
    const { actualOperationCost } = await import('../../src/operation-cost/actual-cost.js');
    const source = 'query ($no: Boolean!, $label: String) { animals(where: { kind: $label }) { ... on Cat { lives @skip(if: $no) } } }';
    const data = { animals: [{ __typename: 'Cat', lives: 9 }] };
    const { operation, fragments, variables } = prepared(zoo.schema, source, { no: false, label: 'a' });
    const counted = actualOperationCost(zoo.model, zoo.schema, operation, fragments, variables, data);
    const skipped = actualOperationCost(zoo.model, zoo.schema, operation, fragments, { ...variables, no: true }, data);
    const relabelled = actualOperationCost(zoo.model, zoo.schema, operation, fragments, { ...variables, label: 'b' }, data);
    // animals 1 + where 1 + kind 2, lives 2.5 when counted; a Cat 3.
    expect(measures(counted)).toEqual([6.5, 4]);
    expect(measures(skipped)).toEqual([4, 4]);
    expect(measures(relabelled)).toEqual([6.5, 4]);
  });
});
