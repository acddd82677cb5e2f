import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql, type TypedDocumentNode } from '@apollo/client';
import { Client, fetchExchange, gql as urqlGql, type AnyVariables, type DocumentInput, type OperationResult } from '@urql/core';
import { OperationTypeNode } from 'graphql';
import { from, mergeMap, of, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../support/demo.js';

/**
 * How long a refusal asks to wait: the largest `retryAfter` (whole seconds) of its RATE_LIMITED
 * errors, or undefined when none is rate limited.
 */
function retryAfterOf(
  errors: ReadonlyArray<{ readonly extensions?: Readonly<Record<string, unknown>> | undefined }> | undefined,
): number | undefined {
  const seconds = (errors ?? [])
    .filter((error) => error.extensions?.['code'] === 'RATE_LIMITED')
    .map((error) => error.extensions?.['retryAfter'])
    .filter((value): value is number => Number.isInteger(value) && (value as number) > 0);
  return seconds.length === 0 ? undefined : Math.max(...seconds);
}

/**
 * An Apollo Client link that retries a query refused with RATE_LIMITED once its `retryAfter` has
 * passed, at most `retries` times. Queries only: a mutation is never sent twice.
 */
function retryAfterLink(wait: (seconds: number) => Promise<void>, retries = 1): ApolloLink {
  return new ApolloLink((operation, forward) => {
    if (operation.operationType !== OperationTypeNode.QUERY) return forward(operation);
    const attempt = (left: number): Observable<ApolloLink.Result> =>
      forward(operation).pipe(
        mergeMap((result) => {
          const seconds = retryAfterOf(result.errors);
          return seconds === undefined || left === 0 ? of(result) : from(wait(seconds)).pipe(mergeMap(() => attempt(left - 1)));
        }),
      );
    return attempt(retries);
  });
}

/** The same for urql: runs a query, and once more after `retryAfter` when it is rate limited. */
async function queryRespectingRetryAfter<Data, Variables extends AnyVariables>(
  client: Client,
  query: DocumentInput<Data, Variables>,
  variables: Variables,
  wait: (seconds: number) => Promise<void>,
  retries = 1,
): Promise<OperationResult<Data, Variables>> {
  for (let left = retries; ; left -= 1) {
    const result = await client.query(query, variables, { requestPolicy: 'network-only' }).toPromise();
    const seconds = retryAfterOf(result.error?.graphQLErrors);
    if (seconds === undefined || left === 0) return result;
    await wait(seconds);
  }
}

/** A fetch that records what it sends, for assertions on the requests a client makes. */
function recordingFetch(): { fetch: typeof fetch; sent: Array<{ method: string; headers: Headers; body: unknown }> } {
  const sent: Array<{ method: string; headers: Headers; body: unknown }> = [];
  return {
    sent,
    fetch: async (input, init) => {
      sent.push({ method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: init?.body });
      return fetch(input, init);
    },
  };
}

const listing = '{ products(first: 3) { edges { node { id name price } } } }';
const partial = '{ products(first: 2) { edges { node { id name wholesalePrice } } } }';
interface Listing {
  products: { edges: Array<{ node: { id: string; name: string; price: number } }> };
}
interface PartialListing {
  products: { edges: Array<{ node: { id: string; name: string; wholesalePrice: number | null } }> };
}

/** The documents as Apollo Client takes them, typed by what they select. */
const listingQuery: TypedDocumentNode<Listing> = gql(listing);
const partialQuery: TypedDocumentNode<PartialListing> = gql(partial);

let demo: RunningDemo;
/** The protections' clock: a budget refills when the test moves it. */
let now = Date.now();
/** What a client waits for retryAfter: the seconds asked, passed on the demo's clock, not slept. */
const waits: number[] = [];
const waitOnDemoClock = (seconds: number) => {
  waits.push(seconds);
  now += seconds * 1000;
  return Promise.resolve();
};

beforeAll(async () => {
  demo = await startDemo({}, { clock: () => now, app: 'real-clients' });
});
afterAll(() => demo.stop());

/** A fresh key, so that each test has rate limits of its own. */
async function newKey(app: string): Promise<string> {
  return (JSON.parse(await demo.cli('keys', 'create', '--app', app, '--json')) as { key: string }).key;
}

/**
 * Spends the cost budget of `key` and this address (without attestation: a few pages of products
 * an hour) with the listing the tests send, until it is refused, so that the next one is refused
 * too until the budget has refilled for `retryAfter` seconds.
 */
async function spendListingLimit(key: string): Promise<void> {
  for (let page = 0; page < 100; page += 1) {
    const answer = await demo.post({ query: listing }, { 'x-api-key': key });
    if (answer.body.errors?.[0]?.extensions?.['code'] === 'RATE_LIMITED') return;
    expect(answer.body.errors).toBeUndefined();
  }
  expect.unreachable('the budget was never spent');
}

describe('Apollo Client (core, no React) against the demo', () => {
  const apollo = (key: string, options: { link?: ApolloLink; fetch?: typeof fetch } = {}) => {
    const http = new HttpLink({
      uri: demo.endpoint.href,
      headers: { 'x-api-key': key },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return new ApolloClient({ link: options.link ? ApolloLink.from([options.link, http]) : http, cache: new InMemoryCache() });
  };

  it('a query with the key returns products', async () => {
    const { data, error } = await apollo(demo.apiKey).query({ query: listingQuery });
    expect(error).toBeUndefined();
    expect(data?.products.edges).toHaveLength(3);
    expect(data?.products.edges[0]?.node).toEqual({ __typename: 'Product', id: '1', name: expect.any(String), price: expect.any(Number) });
  });

  it('by default (errorPolicy none), a partial result rejects with CombinedGraphQLErrors: the fields that were allowed are lost', async () => {
    const refused = await apollo(demo.apiKey)
      .query({ query: partialQuery })
      .then(
        () => expect.unreachable('a partial result resolved without errorPolicy'),
        (error: unknown) => error,
      );
    expect(CombinedGraphQLErrors.is(refused)).toBe(true);
    const { errors, data } = refused as CombinedGraphQLErrors;
    expect(errors.map((error) => [error.path?.join('.'), error.extensions?.['code']])).toEqual([
      ['products.edges.0.node.wholesalePrice', 'UNAUTHENTICATED'],
      ['products.edges.1.node.wholesalePrice', 'UNAUTHENTICATED'],
    ]);
    // The error carries the partial data, but the query's result has none.
    expect((data as PartialListing | undefined)?.products.edges[0]?.node.name).toEqual(expect.any(String));
  });

  it("with errorPolicy 'all', a partial result keeps the allowed fields, nulls the refused ones and gives each refusal's path and code", async () => {
    const { data, error } = await apollo(demo.apiKey).query({ query: partialQuery, errorPolicy: 'all' });
    expect(data?.products.edges.map((edge) => [edge.node.id, typeof edge.node.name, edge.node.wholesalePrice])).toEqual([
      ['1', 'string', null],
      ['2', 'string', null],
    ]);
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect((error as CombinedGraphQLErrors).errors.map((e) => [e.path?.join('.'), e.extensions?.['code']])).toEqual([
      ['products.edges.0.node.wholesalePrice', 'UNAUTHENTICATED'],
      ['products.edges.1.node.wholesalePrice', 'UNAUTHENTICATED'],
    ]);
  });

  it('without a retry, RATE_LIMITED comes with retryAfter in whole seconds', async () => {
    const key = await newKey('apollo-limited');
    await spendListingLimit(key);
    const { data, error } = await apollo(key).query({ query: listingQuery, errorPolicy: 'all' });
    expect(data).toBeNull();
    const [refusal] = (error as CombinedGraphQLErrors).errors;
    expect(refusal?.extensions?.['code']).toBe('RATE_LIMITED');
    expect(refusal?.extensions?.['retryAfter']).toEqual(expect.any(Number));
    expect(Number.isInteger(refusal?.extensions?.['retryAfter'])).toBe(true);
  });

  it('a RATE_LIMITED refusal is retried after retryAfter by a link, and then served', async () => {
    const key = await newKey('apollo-retry');
    await spendListingLimit(key);
    const recorder = recordingFetch();
    waits.length = 0;
    const { data, error } = await apollo(key, { link: retryAfterLink(waitOnDemoClock), fetch: recorder.fetch }).query({
      query: listingQuery,
    });
    expect(error).toBeUndefined();
    expect(data?.products.edges).toHaveLength(3);
    expect(recorder.sent).toHaveLength(2);
    expect(waits).toHaveLength(1);
    // The refill of one listing's points at 250 points an hour: minutes, not the hour.
    expect(waits[0]).toBeGreaterThanOrEqual(1);
    expect(waits[0]).toBeLessThanOrEqual(3600);
  });
});

describe('urql (@urql/core) against the demo', () => {
  const urql = (key: string, recorder = recordingFetch()) =>
    new Client({
      url: demo.endpoint.href,
      exchanges: [fetchExchange],
      fetchOptions: { headers: { 'x-api-key': key } },
      fetch: recorder.fetch,
    });

  it("a query with the key returns products, sent as urql's default GET without a content-type", async () => {
    const recorder = recordingFetch();
    const { data, error } = await urql(demo.apiKey, recorder).query(urqlGql<Listing>(listing), {}).toPromise();
    expect(error).toBeUndefined();
    expect(data?.products.edges).toHaveLength(3);
    expect(recorder.sent).toHaveLength(1);
    expect(recorder.sent[0]?.method).toBe('GET');
    expect(recorder.sent[0]?.headers.get('content-type')).toBeNull();
    expect(recorder.sent[0]?.headers.get('x-api-key')).toBe(demo.apiKey);
  });

  it('a partial result comes with both data and error by default', async () => {
    const { data, error } = await urql(demo.apiKey).query(urqlGql<PartialListing>(partial), {}).toPromise();
    expect(data?.products.edges.map((edge) => [edge.node.id, typeof edge.node.name, edge.node.wholesalePrice])).toEqual([
      ['1', 'string', null],
      ['2', 'string', null],
    ]);
    expect(error?.graphQLErrors.map((e) => [e.path?.join('.'), e.extensions['code']])).toEqual([
      ['products.edges.0.node.wholesalePrice', 'UNAUTHENTICATED'],
      ['products.edges.1.node.wholesalePrice', 'UNAUTHENTICATED'],
    ]);
  });

  it('a RATE_LIMITED refusal is retried after retryAfter, and then served', async () => {
    const key = await newKey('urql-retry');
    await spendListingLimit(key);
    const recorder = recordingFetch();
    waits.length = 0;
    const { data, error } = await queryRespectingRetryAfter(urql(key, recorder), urqlGql<Listing>(listing), {}, waitOnDemoClock);
    expect(error).toBeUndefined();
    expect(data?.products.edges).toHaveLength(3);
    expect(recorder.sent.map((request) => request.method)).toEqual(['GET', 'GET']);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1);
  });
});
