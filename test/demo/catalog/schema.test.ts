import { readFileSync } from 'node:fs';

import { getDirectives } from '@graphql-tools/utils';
import { astFromValue, isInterfaceType, Kind, parse, print } from 'graphql';
import type { GraphQLField, GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';

import { buildCatalogSchema } from './harness.js';

const schema = buildCatalogSchema();

function signatures(type: GraphQLObjectType | null | undefined): string[] {
  return Object.values(type?.getFields() ?? {}).map((field: GraphQLField<unknown, unknown>) => {
    const args = field.args.map((arg) => {
      const defaultValue = arg.defaultValue === undefined ? undefined : astFromValue(arg.defaultValue, arg.type);
      const value = defaultValue ? ` = ${print(defaultValue)}` : '';
      return `${arg.name}: ${String(arg.type)}${value}`;
    });
    return `${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''}: ${String(field.type)}`;
  });
}

describe('schema/catalog.graphql', () => {
  it("holds exactly the contract's queries", () => {
    expect(signatures(schema.getQueryType())).toEqual([
      'products(first: Int = 20, after: String, category: ID, search: String): ProductConnection!',
      'product(id: ID!): Product',
      'categories: [Category!]!',
      'me: User',
    ]);
  });

  it("holds exactly the contract's mutations", () => {
    expect(signatures(schema.getMutationType())).toEqual([
      'signUp(email: String!, password: String!): User',
      'redeemGiftCard(code: String!): GiftCardRedemption',
      'addToCart(productId: ID!, quantity: Int!): Cart!',
      'placeOrder: Order!',
      'submitReview(productId: ID!, rating: Int!, body: String!): Review!',
      'updatePrice(productId: ID!, price: Float!): Product!',
    ]);
  });

  it('puts @requiresApiKey on every root field', () => {
    const rootFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) => Object.values(type?.getFields() ?? {}));
    const unguarded = rootFields
      .filter((field) => getDirectives(schema, field).every((d) => d.name !== 'requiresApiKey'))
      .map((field) => field.name);

    expect(rootFields).toHaveLength(10);
    expect(unguarded).toEqual([]);
  });

  it("guards each operation as the contract's table says", () => {
    const guards: Record<string, string> = {};
    const document = parse(readFileSync('schema/catalog.graphql', 'utf8'));
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
      for (const field of definition.fields ?? []) {
        const directives = (field.directives ?? []).map((directive) => {
          const args = (directive.arguments ?? []).map((argument) => print(argument)).join(', ');
          return `@${directive.name.value}${args ? `(${args})` : ''}`;
        });
        if (directives.length > 0) guards[`${definition.name.value}.${field.name.value}`] = directives.join(' ');
      }
    }
    expect(guards).toEqual({
      'Query.products':
        '@requiresApiKey @rateLimit(window: "1m", max: 120, by: [API_KEY, IP]) @listSize(slicingArguments: ["first"], sizedFields: ["edges"])',
      'Query.product': '@requiresApiKey @rateLimit(window: "1m", max: 300, by: [API_KEY, IP]) @cost(weight: "2")',
      'Query.categories': '@requiresApiKey @listSize(assumedSize: 50)',
      'Query.me': '@requiresApiKey @auth',
      'Mutation.signUp': '@requiresApiKey @rateLimit(window: "1h", max: 5, by: [IP]) @captcha(action: "signup", skipIfAttested: true)',
      'Mutation.redeemGiftCard':
        '@requiresApiKey @auth @requiresAttestation(consume: true) @rateLimit(window: "10m", max: 5, by: [USER]) @rateLimit(window: "1h", max: 3, by: [GLOBAL], identityArgs: ["code"])',
      'Mutation.addToCart': '@requiresApiKey @auth',
      'Mutation.placeOrder':
        '@requiresApiKey @auth(requires: ["orders:write"]) @requiresAttestation(bindToAuthorization: true, consume: true) @rateLimit(window: "1m", max: 5, by: [USER])',
      'Mutation.submitReview': '@requiresApiKey @auth @rateLimit(window: "1h", max: 10, by: [USER]) @captcha(action: "review")',
      'Mutation.updatePrice': '@requiresApiKey @auth(requires: ["catalog:admin"]) @cost(weight: "2")',
      'Product.wholesalePrice': '@auth(requires: ["catalog:admin"])',
      'Product.stockLevel': '@auth(requires: ["catalog:admin"])',
      'Product.reviews': '@listSize(slicingArguments: ["first"])',
      'Cart.items': '@listSize(assumedSize: 20)',
      'Order.items': '@listSize(assumedSize: 20)',
      'ProductEdge.node': '@cost(weight: "0")',
      'CartItem.product': '@cost(weight: "2")',
      'OrderItem.product': '@cost(weight: "2")',
    });
  });

  it('describes every type, field and enum value it defines', () => {
    const undescribed: string[] = [];
    const document = parse(readFileSync('schema/catalog.graphql', 'utf8'));
    for (const definition of document.definitions) {
      if (
        definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
        definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
        definition.kind !== Kind.ENUM_TYPE_DEFINITION
      ) {
        continue;
      }
      const type = definition.name.value;
      if (definition.description === undefined) undescribed.push(type);
      const members = definition.kind === Kind.ENUM_TYPE_DEFINITION ? definition.values : definition.fields;
      for (const member of members ?? []) {
        if (member.description === undefined) undescribed.push(`${type}.${member.name.value}`);
      }
    }

    expect(document.definitions).toHaveLength(16);
    expect(undescribed).toEqual([]);
  });

  it('lets Product, Category, Review, User and Order be Nodes', () => {
    const node = schema.getType('Node');
    const implementations = isInterfaceType(node) ? schema.getPossibleTypes(node) : [];

    expect(implementations.map((type) => type.name).sort()).toEqual(['Category', 'Order', 'Product', 'Review', 'User']);
  });
});
