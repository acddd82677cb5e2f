import { describe, expect, it } from 'vitest';
import { ListSizeArgumentError } from '../../src/operation-cost/static-cost.js';
import { costOf, costSchema, measures } from './support.js';

// The IBM GraphQL Cost Directives specification's own examples (§5-§8), with the numbers the
// specification states or that follow from its definitions.
describe('the IBM specification examples', () => {
  const users = costSchema(`
    type User { name: String  age: Int @cost(weight: "2.0") }
    type Query { users(max: Int): [User] @listSize(slicingArguments: ["max"]) }
  `);

  it('costs users(max: 5) { age } 11 (field cost: the list field once, age five times) and 6 (type cost: Query and five Users)', () => {
    expect(measures(costOf(users, '{ users(max: 5) { age } }'))).toEqual([11, 6]);
  });

  it('refuses users { age } without its slicing argument (requireOneSlicingArgument defaults to true)', () => {
    expect(() => costOf(users, '{ users { age } }')).toThrow(new ListSizeArgumentError('Query.users needs a value for max.'));
  });

  const products = costSchema(`
    input Approximate { tolerance: Float }
    input Filter { text: String  approx: Approximate @cost(weight: "-12.0") }
    type Product { name: String }
    directive @approx(tolerance: Float! @cost(weight: "-1.0")) on FIELD
    type Query {
      topProducts(filter: Filter @cost(weight: "15.0")): [String] @cost(weight: "5.0") @listSize(assumedSize: 10)
      mostPopularProduct(approx: Approximate @cost(weight: "-3.0")): Product @cost(weight: "5.0")
    }
  `);

  it.each([
    ['{ topProducts }', 5],
    ['{ topProducts(filter: { text: "lamp" }) }', 20],
    ['{ topProducts(filter: {}) }', 20],
    ['{ topProducts(filter: { approx: { tolerance: 0.1 } }) }', 8],
  ])('weighs arguments and input fields (Examples 10 and 12): %s costs %d', (source, fieldCost) => {
    expect(costOf(products, source).fieldCost).toBe(fieldCost);
  });

  it('weighs ten assumed strings at nothing (Example 16: scalars weigh 0)', () => {
    expect(costOf(products, '{ topProducts }').typeCost).toBe(1);
  });

  it.each([
    ['{ mostPopularProduct { name } }', 5],
    ['{ mostPopularProduct(approx: { tolerance: 0.1 }) { name } }', 2],
    ['{ mostPopularProduct @approx(tolerance: 0.1) { name } }', 4],
  ])('lets negative argument and directive weights lower a field (Examples 11 and 13): %s costs %d', (source, fieldCost) => {
    expect(costOf(products, source).fieldCost).toBe(fieldCost);
  });

  const films = costSchema(`
    type Film { title: String }
    type FilmEdge { node: Film }
    type FilmConnection { edges: [FilmEdge] }
    type Query {
      films(first: Int, after: String, last: Int, before: String): FilmConnection
        @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges"])
    }
  `);

  it("sizes a connection's edges by its slicing argument (Example 18): films(first: 3) costs 5 and 8", () => {
    expect(measures(costOf(films, '{ films(first: 3) { edges { node { title } } } }'))).toEqual([5, 8]);
  });

  it.each([
    ['{ films(first: 3, last: 2) { edges { node { title } } } }', 'Query.films needs exactly one of first, last.'],
    ['{ films { edges { node { title } } } }', 'Query.films needs exactly one of first, last.'],
  ])('refuses %s: exactly one slicing argument', (source, message) => {
    expect(() => costOf(films, source)).toThrow(new ListSizeArgumentError(message));
  });
});

// Apollo Router's demand-control tests (static_cost.rs), measured under the specification's
// semantics. Apollo's own number is noted where it differs: Apollo multiplies a list field's own
// weight by its size, sums fragments instead of taking the costliest type, charges a mutation 10,
// and does not count the root object.
describe("Apollo Router's basic schema, under the specification's semantics", () => {
  const basic = costSchema(`
    type Query {
      getScalar(id: ID): String
      getScalarByObject(args: OuterInput): String
      anotherScalar: Int
      object1: FirstObjectType
      interfaceInstance1: MyInterface
      someUnion: UnionOfObjectTypes
      someObjects: [FirstObjectType]
      intList: [Int]
      getObjectsByObject(args: OuterInput): [SecondObjectType]
    }
    type Mutation { doSomething: Int }
    type FirstObjectType { field1: Int  innerList: [SecondObjectType] }
    interface MyInterface { field2: String }
    type SecondObjectType implements MyInterface { field1: Int  field2: String }
    union UnionOfObjectTypes = FirstObjectType | SecondObjectType
    input InnerInput { id: ID }
    input OuterInput { inner: InnerInput  inner2: InnerInput  listOfInner: [InnerInput!] }
  `);
  const inputObject = '{ inner: { id: 1 }, listOfInner: [{ id: 2 }, { id: 3 }] }';

  it.each([
    ['a scalar query', '{ getScalar(id: 1) }', [0, 1], 0],
    ['a mutation (no base cost)', 'mutation { doSomething }', [0, 1], 10],
    ['an object', '{ object1 { field1 } }', [1, 2], 1],
    ['an interface', '{ interfaceInstance1 { field2 } }', [1, 2], 1],
    ['a union', '{ someUnion { ... on FirstObjectType { field1 } ... on SecondObjectType { field2 } } }', [1, 2], 1],
    ['a list (default size 100)', '{ someObjects { field1 } }', [1, 101], 100],
    ['a list of scalars', '{ intList }', [0, 1], 0],
    ['nested lists', '{ someObjects { innerList { field2 } } }', [101, 10_101], 10_100],
    ['an input object argument', `{ getScalarByObject(args: ${inputObject}) }`, [4, 1], 4],
    ['an input object with returned objects', `{ getObjectsByObject(args: ${inputObject}) { field1 field2 } }`, [5, 101], 104],
    ['@skip(if: true)', '{ someObjects @skip(if: true) { field1 } }', [0, 1], 0],
    ['@include(if: false)', '{ someObjects @include(if: false) { field1 } }', [0, 1], 0],
  ])('%s: %s costs %j (Apollo: %d)', (_name, source, expected) => {
    expect(measures(costOf(basic, source))).toEqual(expected);
  });

  it('takes the costliest possible type behind fragments on abstract types (Apollo sums them: 102)', () => {
    const source = `
      fragment narrowFrag on SecondObjectType { field1 }
      fragment widenFrag on MyInterface { field2 }
      { interfaceInstance1 { field2 ...narrowFrag }
        someUnion { ...narrowFrag ... on FirstObjectType { innerList { ...widenFrag } } } }`;
    // interfaceInstance1: 1 and 1; someUnion: 1 + innerList 1, and FirstObjectType 1 + 100 items.
    expect(measures(costOf(basic, source))).toEqual([3, 103]);
  });

  it('counts each alias, and a field selected twice under one name once (as the executor merges it)', () => {
    expect(measures(costOf(basic, '{ a: someObjects { field1 } b: someObjects { field1 } }'))).toEqual([2, 201]);
    expect(measures(costOf(basic, '{ someObjects { field1 } someObjects { innerList { field1 } } }'))).toEqual([101, 10_101]);
  });

  it('costs the same through a variable as through a literal, input objects included', () => {
    const literal = costOf(basic, `{ getObjectsByObject(args: ${inputObject}) { field1 } }`);
    const variable = costOf(basic, 'query ($args: OuterInput) { getObjectsByObject(args: $args) { field1 } }', {
      args: { inner: { id: 1 }, listOfInner: [{ id: 2 }, { id: 3 }] },
    });
    expect(measures(variable)).toEqual(measures(literal));
  });

  it.each([
    [true, [0, 1]],
    [false, [1, 101]],
  ])('honours @skip(if: $skip) with $skip = %s', (skip, expected) => {
    expect(measures(costOf(basic, 'query ($skip: Boolean!) { someObjects @skip(if: $skip) { field1 } }', { skip }))).toEqual(expected);
  });

  it.each([
    [false, [1, 2]],
    [true, [2, 102]],
  ])('honours @include(if: $more) on fragment spreads and inline fragments, with $more = %s', (more, expected) => {
    const source = `
      query ($more: Boolean!) {
        object1 { field1 ...Inner @include(if: $more) }
        ... on Query @include(if: $more) { anotherScalar }
      }
      fragment Inner on FirstObjectType { innerList { field1 } }`;
    expect(measures(costOf(basic, source, { more }))).toEqual(expected);
  });
});

describe("Apollo Router's custom-cost schema, under the specification's semantics", () => {
  const custom = costSchema(`
    type A { id: ID }
    enum AorB @cost(weight: "15") { A B }
    scalar ExpensiveInt @cost(weight: "30")
    type ExpensiveObject @cost(weight: "40") { id: ID }
    input InputTypeWithCost { somethingWithCost: Int @cost(weight: "20") }
    type SizedField { items: [A] }
    type ResultContainer { page: [A]  metadata: String }
    input PaginationInput { first: Int  after: String }
    input SearchInput { pagination: PaginationInput  query: String }
    input DeeplyNestedInput { level1: NestedLevel1Input }
    input NestedLevel1Input { level2: NestedLevel2Input }
    input NestedLevel2Input { count: Int }
    type Query {
      fieldWithCost: Int @cost(weight: "5")
      argWithCost(arg: Int @cost(weight: "10")): Int
      enumWithCost: AorB
      inputWithCost(someInput: InputTypeWithCost): Int
      scalarWithCost: ExpensiveInt
      objectWithCost: ExpensiveObject
      fieldWithListSize: [String!] @listSize(assumedSize: 2000, requireOneSlicingArgument: false)
      fieldWithDynamicListSize(first: Int = 10): SizedField @listSize(slicingArguments: ["first"], sizedFields: ["items"], requireOneSlicingArgument: true)
      itemsByIds(ids: [ID!]!): [A] @listSize(slicingArguments: ["ids"], requireOneSlicingArgument: true)
      itemsByIdsWithAssumedSize(ids: [ID!]): [A] @listSize(slicingArguments: ["ids"], assumedSize: 50, requireOneSlicingArgument: false)
      search(input: SearchInput!): [A] @listSize(slicingArguments: ["input.pagination.first"], requireOneSlicingArgument: true)
      searchWithAssumedSize(input: SearchInput): [A] @listSize(slicingArguments: ["input.pagination.first"], assumedSize: 25, requireOneSlicingArgument: false)
      deeplyNested(input: DeeplyNestedInput!): [A] @listSize(slicingArguments: ["input.level1.level2.count"], requireOneSlicingArgument: true)
      containerWithNestedList(first: Int): ResultContainer! @listSize(slicingArguments: ["first"], sizedFields: ["page"], requireOneSlicingArgument: false)
    }
  `);
  const mainQuery = `
    fragment Items on SizedField { items { id } }
    query VariableTestQuery($costlyInput: InputTypeWithCost, $fieldCountVar: Int) {
      fieldWithCost argWithCost(arg: 3) enumWithCost inputWithCost(someInput: $costlyInput)
      scalarWithCost objectWithCost { id } fieldWithListSize fieldWithDynamicListSize(first: $fieldCountVar) { ...Items }
    }`;

  it("costs Apollo's main query 39 and 92 (Apollo: 127)", () => {
    // Field: 5 + 10 + 21 (input object 1, its field 20) + 1 (objectWithCost) + 2 (the sized field, and items once).
    // Type: Query 1 + enum 15 + scalar 30 + object 40 + 2000 strings at 0 + SizedField 1 and five As.
    expect(measures(costOf(custom, mainQuery, { costlyInput: { somethingWithCost: 10 }, fieldCountVar: 5 }))).toEqual([39, 92]);
  });

  it('takes the schema default of a slicing argument the query leaves out (Apollo: 132)', () => {
    expect(measures(costOf(custom, mainQuery, { costlyInput: { somethingWithCost: 10 } }))).toEqual([39, 97]);
  });

  it.each([
    ['query { enumWithCost }', {}, [0, 16], 15],
    ['query { itemsByIds(ids: ["a", "b"]) { id } }', {}, [1, 3], 2],
    ['query { itemsByIds(ids: ["a", "b", "c"]) { id } }', {}, [1, 4], 3],
    ['query { itemsByIds(ids: []) { id } }', {}, [1, 1], 0],
    ['query Q($ids: [ID!]!) { itemsByIds(ids: $ids) { id } }', { ids: ['x', 'y', 'z'] }, [1, 4], 3],
    ['query Q($ids: [ID!]) { itemsByIdsWithAssumedSize(ids: $ids) { id } }', { ids: null }, [1, 51], 50],
    ['query Q($ids: [ID!]) { itemsByIdsWithAssumedSize(ids: $ids) { id } }', {}, [1, 51], 50],
    ['query { containerWithNestedList(first: 5) { page { id } } }', {}, [2, 7], 6],
    ['query { containerWithNestedList(first: 5) { page { id } metadata } }', {}, [2, 7], 6],
    ['query { fieldWithDynamicListSize { items { id } } }', {}, [2, 12], 11],
    ['query { search(input: {pagination: {first: 10}}) { id } }', {}, [3, 11], 12],
    ['query { search(input: {pagination: {first: 5}, query: "test"}) { id } }', {}, [3, 6], 7],
    ['query Q($input: SearchInput!) { search(input: $input) { id } }', { input: { pagination: { first: 7 }, query: 'test' } }, [3, 8], 9],
    ['query Q($input: SearchInput) { searchWithAssumedSize(input: $input) { id } }', { input: { pagination: {} } }, [3, 26], 27],
    ['query Q($input: SearchInput) { searchWithAssumedSize(input: $input) { id } }', { input: {} }, [2, 26], 26],
    ['query Q($input: SearchInput) { searchWithAssumedSize(input: $input) { id } }', { input: null }, [1, 26], 25],
    ['query { deeplyNested(input: {level1: {level2: {count: 15}}}) { id } }', {}, [4, 16], 18],
    ['query { search(input: {pagination: {first: 8, after: "cursor"}, query: "search term"}) { id } }', {}, [3, 9], 10],
  ])('%s with %j costs %j (Apollo: %d)', (source, variables, expected, _apollo) => {
    expect(measures(costOf(custom, source, variables))).toEqual(expected);
  });
});

describe('abstract types, type weights and negative weights', () => {
  const animals = costSchema(`
    interface Animal { name: String }
    type Cat implements Animal @cost(weight: "3") { name: String }
    type Dog implements Animal @cost(weight: "5") { name: String }
    type Article @cost(weight: "2") { title: String }
    type Video @cost(weight: "8") { url: String }
    union SearchResult = Article | Video
    type Thing { id: ID }
    type Query {
      cheapAnimal: Animal
      searchResult: SearchResult
      discounted(discount: Int @cost(weight: "-50")): Thing @cost(weight: "5")
      partly(offset: Int @cost(weight: "-3")): Int @cost(weight: "10")
    }
  `);

  it.each([
    ['{ cheapAnimal { name } }', [1, 6]],
    ['{ searchResult { ... on Article { title } ... on Video { url } } }', [1, 9]],
    ['{ searchResult { ... on Article { title } } }', [1, 9]],
    ['{ discounted(discount: 1) { id } }', [0, 2]],
    ['{ partly(offset: 1) }', [7, 1]],
  ])('%s costs %j (an abstract type costs its costliest member; a field never below zero)', (source, expected) => {
    expect(measures(costOf(animals, source))).toEqual(expected);
  });
});

describe('list sizes', () => {
  const shop = costSchema(
    `
    type Review { body: String }
    type Product { name: String  reviews(first: Int = 5): [Review] @listSize(slicingArguments: ["first"]) }
    type Edge { node: Product }
    type Connection { edges: [Edge]  total: Int }
    type Query {
      products(first: Int = 20, after: String): Connection @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
      tags: [String]
      matrix: [[Product]] @listSize(assumedSize: 3)
      page(first: Int, last: Int): [Product] @listSize(slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
    }
  `,
    40,
  );

  it('multiplies nested lists: 10 products of 3 reviews', () => {
    // Field: products 1, edges 1, 10 nodes, 10 reviews fields; type: Query, Connection, 10 edges, 10 products, 30 reviews.
    expect(measures(costOf(shop, '{ products(first: 10) { edges { node { reviews(first: 3) { body } } } } }'))).toEqual([22, 52]);
  });

  it("sizes a connection's edges through a fragment on it, and uses the argument's default when the query gives none", () => {
    const source = 'query { products { ...Page } } fragment Page on Connection { edges { node { name } } }';
    expect(measures(costOf(shop, source))).toEqual([22, 42]);
  });

  it('gives an unannotated list the default list size', () => {
    expect(measures(costOf(shop, '{ tags }'))).toEqual([0, 1]);
    expect(measures(costOf(costSchema('type T { id: ID } type Query { all: [T] }', 40), '{ all { id } }'))).toEqual([1, 41]);
  });

  it('sizes a list of lists by its size times the default size for the inner level', () => {
    expect(measures(costOf(shop, '{ matrix { name } }'))).toEqual([1, 121]);
  });

  it('takes the largest of several slicing arguments when requireOneSlicingArgument is false', () => {
    expect(measures(costOf(shop, '{ page(first: 3, last: 7) { name } }'))).toEqual([1, 8]);
    expect(costOf(shop, '{ page(first: 3, last: 7) { name } }').largestSlice).toBe(7);
  });

  it("reports the largest slice the query asks for, not the schema's defaults", () => {
    expect(costOf(shop, '{ products(first: 30) { total } }').largestSlice).toBe(30);
    expect(costOf(shop, '{ products { total } }').largestSlice).toBe(0);
  });

  it('multiplies a huge first from a variable without overflowing into nonsense', () => {
    const cost = costOf(shop, 'query ($n: Int) { products(first: $n) { edges { node { name } } } }', { n: 2_147_483_647 });
    expect(measures(cost)).toEqual([2 + 2_147_483_647, 2 + 2 * 2_147_483_647]);
    expect(cost.largestSlice).toBe(2_147_483_647);
  });

  it.each([
    ['{ products(first: -1) { total } }', {}],
    ['query ($n: Int) { products(first: $n) { total } }', { n: -5 }],
  ])('refuses a negative slicing argument: %s', (source, variables) => {
    expect(() => costOf(shop, source, variables)).toThrow(
      new ListSizeArgumentError('Query.products: first must be a whole number, 0 or more.'),
    );
  });

  it('costs a list of zero items nothing below it, whatever it selects', () => {
    expect(measures(costOf(shop, '{ products(first: 0) { edges { node { reviews(first: 50) { body } } } } }'))).toEqual([2, 2]);
  });

  it('refuses an explicit null for the only slicing argument (the default does not apply to an explicit null)', () => {
    expect(() => costOf(shop, '{ products(first: null) { total } }')).toThrow(
      new ListSizeArgumentError('Query.products needs a value for first.'),
    );
  });
});

describe('hostile documents', () => {
  const tree = costSchema(`
    type Node { id: ID  left: Node  right: Node  children: [Node] }
    type Query { root: Node }
  `);

  it('costs an operation nested beyond any sane depth infinitely much, without exhausting the stack', () => {
    const depth = 400;
    const source = `{ root { ${'children { '.repeat(depth)}id${' }'.repeat(depth)} } }`;
    expect(measures(costOf(tree, source, {}, false))).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });

  it('walks fragments that double at each level in linear time (memoised), and counts every doubling', () => {
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Node { left { ...F${i + 1} } right { ...F${i + 1} } }`,
    ).join('\n');
    const source = `{ root { ...F0 } } ${fragments} fragment F${levels} on Node { id }`;
    const started = performance.now();
    const cost = costOf(tree, source);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(cost.fieldCost).toBe(2 ** (levels + 1) - 1);
  });

  it('does not loop on a fragment cycle the validation rules would refuse', () => {
    const cycle = 'query { ...A } fragment A on Query { root { id } ...B } fragment B on Query { ...A }';
    expect(measures(costOf(tree, cycle, {}, false))).toEqual([1, 2]);
    const nested = 'query { root { ...A } } fragment A on Node { left { ...A } }';
    expect(measures(costOf(tree, nested, {}, false))).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });
});

describe('the cache', () => {
  const shop = costSchema(`
    type Product { name: String }
    type Edge { cursor: String  node: Product }
    type Connection { edges: [Edge] }
    type Query { products(first: Int = 20, after: String): Connection @listSize(slicingArguments: ["first"], sizedFields: ["edges"]) }
  `);
  const source = 'query ($first: Int, $after: String) { products(first: $first, after: $after) { edges { cursor node { name } } } }';

  it('answers a new cursor from the cache (the cost never read it), and a new page size afresh', async () => {
    const { prepared } = await import('./support.js');
    const { staticOperationCost } = await import('../../src/operation-cost/static-cost.js');
    const first = prepared(shop.schema, source, { first: 10, after: 'a' });
    const cost = staticOperationCost(shop.model, shop.schema, first.operation, first.fragments, first.variables);
    const sameShape = staticOperationCost(shop.model, shop.schema, first.operation, first.fragments, { first: 10, after: 'b' });
    const larger = staticOperationCost(shop.model, shop.schema, first.operation, first.fragments, { first: 50, after: 'b' });
    expect(sameShape).toBe(cost);
    expect(measures(cost)).toEqual([12, 22]);
    expect(measures(larger)).toEqual([52, 102]);
  });
});
