/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation SignUp($email: String!, $password: String!) {\n  signUp(email: $email, password: $password) {\n    id\n    email\n  }\n}\n\nquery Me {\n  me {\n    id\n    email\n    displayName\n  }\n}\n\nmutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    total\n    currency\n  }\n}\n\nmutation PlaceOrder {\n  placeOrder {\n    id\n    total\n    currency\n  }\n}\n\nmutation SubmitReview($productId: ID!, $rating: Int!, $body: String!) {\n  submitReview(productId: $productId, rating: $rating, body: $body) {\n    rating\n  }\n}\n\nmutation RedeemGiftCard($code: String!) {\n  redeemGiftCard(code: $code) {\n    amount\n    balance\n    currency\n  }\n}": typeof types.SignUpDocument,
    "query Browse($first: Int = 20, $after: String, $category: ID, $search: String) {\n  products(first: $first, after: $after, category: $category, search: $search) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        price\n        currency\n        averageRating\n      }\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nquery ProductDetails($id: ID!) {\n  product(id: $id) {\n    id\n    name\n    description\n    price\n    currency\n    category {\n      id\n      name\n    }\n    reviews(first: 5) {\n      rating\n      body\n      author\n    }\n    averageRating\n    reviewCount\n  }\n}\n\nquery Categories {\n  categories {\n    id\n    name\n    slug\n    productCount\n  }\n}": typeof types.BrowseDocument,
};
const documents: Documents = {
    "mutation SignUp($email: String!, $password: String!) {\n  signUp(email: $email, password: $password) {\n    id\n    email\n  }\n}\n\nquery Me {\n  me {\n    id\n    email\n    displayName\n  }\n}\n\nmutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    total\n    currency\n  }\n}\n\nmutation PlaceOrder {\n  placeOrder {\n    id\n    total\n    currency\n  }\n}\n\nmutation SubmitReview($productId: ID!, $rating: Int!, $body: String!) {\n  submitReview(productId: $productId, rating: $rating, body: $body) {\n    rating\n  }\n}\n\nmutation RedeemGiftCard($code: String!) {\n  redeemGiftCard(code: $code) {\n    amount\n    balance\n    currency\n  }\n}": types.SignUpDocument,
    "query Browse($first: Int = 20, $after: String, $category: ID, $search: String) {\n  products(first: $first, after: $after, category: $category, search: $search) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        price\n        currency\n        averageRating\n      }\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nquery ProductDetails($id: ID!) {\n  product(id: $id) {\n    id\n    name\n    description\n    price\n    currency\n    category {\n      id\n      name\n    }\n    reviews(first: 5) {\n      rating\n      body\n      author\n    }\n    averageRating\n    reviewCount\n  }\n}\n\nquery Categories {\n  categories {\n    id\n    name\n    slug\n    productCount\n  }\n}": types.BrowseDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($email: String!, $password: String!) {\n  signUp(email: $email, password: $password) {\n    id\n    email\n  }\n}\n\nquery Me {\n  me {\n    id\n    email\n    displayName\n  }\n}\n\nmutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    total\n    currency\n  }\n}\n\nmutation PlaceOrder {\n  placeOrder {\n    id\n    total\n    currency\n  }\n}\n\nmutation SubmitReview($productId: ID!, $rating: Int!, $body: String!) {\n  submitReview(productId: $productId, rating: $rating, body: $body) {\n    rating\n  }\n}\n\nmutation RedeemGiftCard($code: String!) {\n  redeemGiftCard(code: $code) {\n    amount\n    balance\n    currency\n  }\n}"): (typeof documents)["mutation SignUp($email: String!, $password: String!) {\n  signUp(email: $email, password: $password) {\n    id\n    email\n  }\n}\n\nquery Me {\n  me {\n    id\n    email\n    displayName\n  }\n}\n\nmutation AddToCart($productId: ID!, $quantity: Int!) {\n  addToCart(productId: $productId, quantity: $quantity) {\n    total\n    currency\n  }\n}\n\nmutation PlaceOrder {\n  placeOrder {\n    id\n    total\n    currency\n  }\n}\n\nmutation SubmitReview($productId: ID!, $rating: Int!, $body: String!) {\n  submitReview(productId: $productId, rating: $rating, body: $body) {\n    rating\n  }\n}\n\nmutation RedeemGiftCard($code: String!) {\n  redeemGiftCard(code: $code) {\n    amount\n    balance\n    currency\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Browse($first: Int = 20, $after: String, $category: ID, $search: String) {\n  products(first: $first, after: $after, category: $category, search: $search) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        price\n        currency\n        averageRating\n      }\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nquery ProductDetails($id: ID!) {\n  product(id: $id) {\n    id\n    name\n    description\n    price\n    currency\n    category {\n      id\n      name\n    }\n    reviews(first: 5) {\n      rating\n      body\n      author\n    }\n    averageRating\n    reviewCount\n  }\n}\n\nquery Categories {\n  categories {\n    id\n    name\n    slug\n    productCount\n  }\n}"): (typeof documents)["query Browse($first: Int = 20, $after: String, $category: ID, $search: String) {\n  products(first: $first, after: $after, category: $category, search: $search) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        price\n        currency\n        averageRating\n      }\n    }\n    pageInfo {\n      endCursor\n      hasNextPage\n    }\n  }\n}\n\nquery ProductDetails($id: ID!) {\n  product(id: $id) {\n    id\n    name\n    description\n    price\n    currency\n    category {\n      id\n      name\n    }\n    reviews(first: 5) {\n      rating\n      body\n      author\n    }\n    averageRating\n    reviewCount\n  }\n}\n\nquery Categories {\n  categories {\n    id\n    name\n    slug\n    productCount\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;