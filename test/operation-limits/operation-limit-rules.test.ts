import { buildSchema, getIntrospectionQuery, GraphQLError, parse, specifiedRules, validate, type IntrospectionOptions } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationLimitRules, type OperationLimits } from '../../src/index.js';
import { defaultMaxTokens } from '../../src/operation-limits/operation-limit-rules.js';
import { measureOperation } from '../../src/operation-limits/operation-shape.js';
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

const schema = buildSchema(`
  type Review { rating: Int author: String }
  type Product { id: ID! name: String reviews(first: Int): [Review!]! category: Category related: [Product!]! parent: Product }
  type Category { name: String products(first: Int): ProductConnection! }
  type ProductEdge { node: Product! cursor: String! }
  type ProductConnection { edges: [ProductEdge!]! }
  type Query { products(first: Int, after: String): ProductConnection! product(id: ID!): Product categories: [Category!]! }
`);

function errors(source: string, limits: OperationLimits = {}): string[] {
  return validate(schema, parse(source), [...specifiedRules, ...operationLimitRules(limits)]).map((error) => error.message);
}

function shape(source: string, limits: Partial<Parameters<typeof measureOperation>[3]> = {}) {
  const document = parse(source);
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  return measureOperation(schema, operation, fragments, {
    listSizeArguments: ['first'],
    defaultListSize: 10,
    ignoreIntrospection: false,
    ...limits,
  });
}

const nested = (depth: number) => `{ product(id: 1) { ${'parent { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;

describe('operationLimitRules', () => {
  it('lets an ordinary catalog query through', () => {
    expect(errors('{ products(first: 100) { edges { cursor node { name category { name } reviews(first: 3) { rating } } } } }')).toEqual(
      [],
    );
  });

  it('refuses an operation nested deeper than maxDepth, without saying the limit', () => {
    expect(errors(nested(10))).toEqual([]);
    expect(errors(nested(11))).toEqual(['The operation is nested too deeply.']);
    expect(errors(nested(11), { revealLimits: true })).toEqual(['The operation is nested too deeply (limit 10).']);
  });

  it('counts depth through fragments and inline fragments, which add none themselves', () => {
    expect(shape('{ product(id: 1) { ...A } } fragment A on Product { related { ... on Product { id } } }').depth).toBe(3);
  });

  it('measures a fragment merely named __schema like any other', () => {
    const source = `{ product(id: 1) { parent { parent { ...__schema } } } } fragment __schema on Product { ${'parent { '.repeat(8)}id${' }'.repeat(8)} }`;
    expect(errors(source, { ignoreIntrospection: true })).toEqual(['The operation is nested too deeply.']);
  });

  it('survives a fragment cycle: the standard rule refuses it, nothing loops', () => {
    const messages = errors(
      '{ ...A } fragment A on Query { products(first: 1) { edges { node { id } } } ...B } fragment B on Query { ...A }',
    );
    expect(messages.some((message) => message.startsWith('Cannot spread fragment "A" within itself'))).toBe(true);
  });

  it('counts a fragment every time it is spread: spread a thousand times, it is a thousand aliases', () => {
    const spreads = Array.from({ length: 1000 }, () => '...F').join(' ');
    expect(shape(`{ product(id: 1) { ${spreads} } } fragment F on Product { a: id }`).aliases).toBe(1000);
    expect(errors(`{ product(id: 1) { ${spreads} } } fragment F on Product { a: id }`)).toContain('The operation uses too many aliases.');
  });

  it('counts root fields through a chain of fragments each spreading the next twice, walking each fragment once', () => {
    // 2^40 spreads if walked spread by spread; the fragment lookups are counted, and refused past
    // a thousand, so a walk that is not memoised fails here instead of running for hours.
    const chain = Array.from({ length: 40 }, (_, level) => `fragment F${level} on Query { ...F${level + 1} ...F${level + 1} }`).join(' ');
    const source = `{ ...F0 } ${chain} fragment F40 on Query { categories { name } }`;
    const document = parse(source);
    let lookups = 0;
    const fragments = new (class extends Map<string, FragmentDefinitionNode> {
      override get(name: string) {
        if (++lookups > 1000) throw new Error('fragments walked more than once each');
        return super.get(name);
      }
    })(
      document.definitions.flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
      ),
    );
    const operation = document.definitions[0] as OperationDefinitionNode;
    const measured = measureOperation(schema, operation, fragments, {
      listSizeArguments: ['first'],
      defaultListSize: 10,
      ignoreIntrospection: false,
    });
    expect(measured.rootFields).toBe(1e9);
    expect(errors(source)).toContain('The operation selects too many root fields.');
    expect(
      shape('{ ...A ...A } fragment A on Query { ...B ...B } fragment B on Query { categories { name } product(id: 1) { id } __typename }')
        .rootFields,
    ).toBe(8);
  });

  it('counts __typename aliases', () => {
    const flood = Array.from({ length: 31 }, (_, i) => `t${i}: __typename`).join(' ');
    expect(errors(`{ ${flood} }`)).toEqual(['The operation uses too many aliases.']);
  });

  it('counts aliases inside lists once per item the list may hold', () => {
    expect(shape('{ products(first: 5) { edges { node { a: id b: name } } } }').aliases).toBe(10);
  });

  it('refuses deeply nested inline fragments without exhausting the stack', () => {
    const source = `{ ${'... on Query { '.repeat(1500)}categories { name }${' }'.repeat(1500)} }`;
    expect(() => errors(source)).not.toThrow();
    expect(errors(source)).toContain('The operation is nested too deeply.');
  });

  it('refuses too many root fields and too many directives', () => {
    const roots = Array.from({ length: 21 }, (_, i) => `c${i}: categories { name }`).join(' ');
    expect(errors(`{ ${roots} }`, { maxAliases: 100 })).toEqual(['The operation selects too many root fields.']);
    const includes = Array.from({ length: 21 }, () => '@include(if: true)').join(' ');
    expect(errors(`{ categories ${includes} { name } }`)).toContain('The operation uses too many directives.');
  });

  it('estimates cost by list sizes: a page of 100 with 50 reviews each is fine, nested pages are not', () => {
    const page = '{ products(first: 100) { edges { node { reviews(first: 50) { rating } } } } }';
    // products 1 + edges (1 + 100 × (node 1 + reviews (1 + 50 × rating 1)))
    expect(shape(page).cost).toBe(1 + 1 + 100 * (1 + 1 + 50));
    expect(errors(page, { maxCost: 5000 })).toEqual(['The operation is too costly.']);
    expect(errors(page, { maxCost: 6000 })).toEqual([]);
    const fanOut = '{ categories { products(first: 100) { edges { node { related { related { id } } } } } } }';
    expect(errors(fanOut)).toEqual(['The operation is too costly.']);
  });

  it('assumes the default size for a list size given by a variable', () => {
    const document = 'query ($n: Int) { products(first: $n) { edges { node { id } } } }';
    expect(shape(document).cost).toBe(1 + 1 + 10 * 2);
  });

  it('throws a TypeError for a limit that is not a positive integer', () => {
    expect(() => operationLimitRules({ maxDepth: 0 })).toThrow(TypeError);
    expect(() => operationLimitRules({ maxCost: 1.5 })).toThrow(TypeError);
  });
});

/** Only the operation-limit rules: graphql-js's own MaxIntrospectionDepthRule is not in play. */
function limitErrors(source: string, limits: OperationLimits = {}): string[] {
  return validate(schema, parse(source), operationLimitRules(limits)).map((error) => error.message);
}

const everyIntrospectionOption: readonly (keyof IntrospectionOptions)[] = [
  'descriptions',
  'specifiedByUrl',
  'directiveIsRepeatable',
  'schemaDescription',
  'inputValueDeprecation',
  'oneOf',
];

describe('operationLimitRules on introspection', () => {
  it.each([
    ['graphql-js getIntrospectionQuery()', {}],
    // GraphiQL asks for deprecated input values and the schema's description.
    ['GraphiQL', { inputValueDeprecation: true, schemaDescription: true }],
    // GraphQL Code Generator (@graphql-tools/url-loader) passes its loader options through.
    ['GraphQL Code Generator', { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }],
  ] as const)('lets the standard introspection query through with the defaults (%s)', (_tool, options: IntrospectionOptions) => {
    expect(errors(getIntrospectionQuery(options))).toEqual([]);
    expect(limitErrors(getIntrospectionQuery(options))).toEqual([]);
  });

  it('lets the standard introspection query through with every combination of its options', () => {
    const refused: string[] = [];
    for (let mask = 0; mask < 2 ** everyIntrospectionOption.length; mask++) {
      const options = Object.fromEntries(everyIntrospectionOption.map((name, bit) => [name, (mask & (1 << bit)) !== 0]));
      if (limitErrors(getIntrospectionQuery(options)).length > 0) refused.push(JSON.stringify(options));
    }
    expect(refused).toEqual([]);
  });

  it('counts introspection as one field of depth and cost, and measures how deeply its lists nest', () => {
    expect(shape(getIntrospectionQuery())).toEqual({ depth: 1, aliases: 0, rootFields: 1, directives: 0, cost: 1, introspectionDepth: 3 });
  });

  it.each([
    [
      'fields and types, the cycle back through __Type',
      '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }',
    ],
    ['from __type', '{ __type(name: "Product") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }'],
    ['interfaces and possible types', '{ __schema { types { interfaces { possibleTypes { interfaces { possibleTypes { name } } } } } } }'],
    ['input fields and arguments', '{ __schema { types { inputFields { type { inputFields { type { fields { args { name } } } } } } } } }'],
    [
      'through fragments',
      '{ __schema { ...S } } fragment S on __Schema { types { ...T } } fragment T on __Type { fields { type { fields { type { ...U } } } } } fragment U on __Type { fields { name } }',
    ],
    [
      'through inline fragments and ofType',
      '{ __schema { types { ... on __Type { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } } }',
    ],
  ])("refuses the deep cyclic introspection query (%s), without graphql-js's own rule", (_shape, source) => {
    expect(limitErrors(source)).toEqual(['The introspection query is nested too deeply.']);
  });

  it('refuses one list more than the standard query', () => {
    expect(limitErrors('{ __schema { types { fields { type { fields { name } } } } } }')).toEqual([]);
    expect(limitErrors('{ __schema { types { fields { type { fields { args { name } } } } } } }')).toEqual([
      'The introspection query is nested too deeply.',
    ]);
    expect(limitErrors('{ __schema { types { fields { type { fields { args { name } } } } } } }', { maxIntrospectionDepth: 4 })).toEqual(
      [],
    );
  });

  it('counts aliases inside introspection once per item its lists may hold', () => {
    expect(shape('{ __schema { types { a: name b: name } } }').aliases).toBe(20);
    expect(limitErrors('{ __schema { types { a: name b: name } } }')).toEqual(['The operation uses too many aliases.']);
  });

  it('measures the data fields of an operation that also introspects as it always does', () => {
    expect(shape('{ __schema { queryType { name } } products(first: 100) { edges { node { related { id } } } } }')).toMatchObject({
      depth: 5,
      cost: 1 + 1 + 1 + 100 * (1 + 1 + 10 * 1),
    });
  });

  it('leaves introspection out of every measure only when asked (ignoreIntrospection)', () => {
    const cyclic = '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
    expect(limitErrors(cyclic, { ignoreIntrospection: true })).toEqual([]);
    expect(shape(cyclic, { ignoreIntrospection: true })).toMatchObject({ depth: 0, cost: 0, introspectionDepth: 0 });
  });
});

describe('the parser token limit', () => {
  it('stops parsing a document with more tokens than allowed', () => {
    const huge = `{ ${Array.from({ length: defaultMaxTokens }, (_, i) => `f${i}: __typename`).join(' ')} }`;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the name the docs give: every graphql 16 in the peer range reads it (maxLexicalTokens arrived in 16.15)
    expect(() => parse(huge, { maxTokens: defaultMaxTokens })).toThrow(GraphQLError);
  });
});
