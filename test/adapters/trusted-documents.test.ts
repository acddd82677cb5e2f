import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rampartApollo } from '../../src/apollo.js';
import { useRampart } from '../../src/envelop.js';
import {
  issueApiKey,
  MemoryApiKeyStore,
  publicDirective,
  requiresApiKeyDirective,
  type DocumentDecisionEvent,
  type ProtectionDecisionEvent,
} from '../../src/index.js';
import { documentIdOf, MemoryTrustedDocumentStore, trustedDocuments, type AdHocDocumentPolicy } from '../../src/trusted-documents.js';
import { protectedSchema } from '../support/harness.js';

// Trusted documents on both server adapters, over HTTP: every transport the app may use (POST with
// documentId, POST with Apollo's persistedQuery, GET with documentId where the server reads it)
// serves a listed operation with its variables; a script's own document is refused before any
// resolver runs, whatever its aliases and filters.
const keys = new MemoryApiKeyStore();
const app = await issueApiKey(keys, { app: 'ios' });
const partner = await issueApiKey(keys, { app: 'partner', scopes: ['documents:any'] });
const listing = 'query Listing($first: Int!) { products(first: $first) }';
const listingId = documentIdOf(listing);
const scrape = '{ a: products(first: 100) b: products(first: 99) c: products(first: 98) }';

let resolverCalls = 0;
const documentEvents: DocumentDecisionEvent[] = [];
const decisionEvents: ProtectionDecisionEvent[] = [];
const observer = {
  onDocument: (event: DocumentDecisionEvent) => documentEvents.push(event),
  onDecision: (event: ProtectionDecisionEvent) => decisionEvents.push(event),
};

function schema() {
  const apiKey = requiresApiKeyDirective({ store: keys });
  const built = protectedSchema(
    'type Query { products(first: Int!): [String!] @requiresApiKey health: String @public }',
    [apiKey, publicDirective()],
    {
      Query: {
        products: (_: unknown, args: { first: number }) => {
          resolverCalls++;
          return Array.from({ length: Math.min(args.first, 3) }, (_, i) => `product ${i}`);
        },
        health: () => 'ok',
      },
    },
  );
  return { built, apiKey };
}

function documentsFor(apiKey: ReturnType<typeof schema>['apiKey'], policy: AdHocDocumentPolicy | 'partners') {
  const store = new MemoryTrustedDocumentStore();
  store.importManifest('1.0.0', new Map([[listingId, listing]]), 0);
  return trustedDocuments({
    store,
    apiKey,
    adHocDocuments: policy === 'partners' ? ({ apiKey: key }) => (key?.scopes.has('documents:any') ? 'allow' : 'refuse') : policy,
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const servers: Array<() => Promise<void>> = [];
let yogaUrl: string;
let apolloUrl: string;

beforeAll(async () => {
  const yogaSchema = schema();
  const yoga = createYoga({
    schema: yogaSchema.built,
    plugins: [useRampart({ observer, trustedDocuments: documentsFor(yogaSchema.apiKey, 'partners') })],
  });
  // Yoga answers every request itself, errors included: nothing awaits its promise.
  const yogaServer = createServer((request, response) => void yoga(request, response));
  yogaUrl = await listen(yogaServer);
  servers.push(() => new Promise((resolve) => yogaServer.close(() => resolve())));

  const apolloSchema = schema();
  const rampart = rampartApollo({ observer, trustedDocuments: documentsFor(apolloSchema.apiKey, 'partners') });
  const apollo = new ApolloServer({
    schema: apolloSchema.built,
    plugins: [rampart.plugin],
    validationRules: rampart.validationRules,
    persistedQueries: false,
  });
  const { url } = await startStandaloneServer(apollo, { listen: { port: 0, host: '127.0.0.1' }, context: rampart.context });
  apolloUrl = url;
  servers.push(() => apollo.stop());
});
afterAll(async () => {
  await Promise.all(servers.map((stop) => stop()));
});

type Answer = {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
};

async function post(url: string, body: unknown, key = app.key): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const servedListing = { data: { products: ['product 0', 'product 1'] } };
const persisted = (id: string) => ({ persistedQuery: { version: 1, sha256Hash: id } });

describe.each([
  ['GraphQL Yoga (useRampart)', () => yogaUrl],
  ['Apollo Server (rampartApollo)', () => apolloUrl],
])('trusted documents on %s', (_name, url) => {
  it('serves a listed operation named by Apollo’s persistedQuery hash, with its variables', async () => {
    const answer = await post(url(), { extensions: persisted(listingId), variables: { first: 2 } });
    expect(answer).toEqual({ status: 200, body: servedListing });
  });

  it('refuses a script’s own document with PERSISTED_QUERY_REQUIRED (HTTP 400), before any resolver runs', async () => {
    const before = resolverCalls;
    const answer = await post(url(), { query: scrape });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_REQUIRED']);
    expect(answer.body.data ?? undefined).toBeUndefined();
    expect(resolverCalls).toBe(before);
  });

  it('refuses an id whose document was edited by one character with PERSISTED_QUERY_NOT_FOUND (HTTP 200, so clients fall back)', async () => {
    const edited = listing.replace('first: $first', 'first:$first');
    const answer = await post(url(), { extensions: persisted(documentIdOf(edited)), variables: { first: 2 } });
    expect(answer.status).toBe(200);
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('refuses a listed id sent with a script’s document, registering nothing', async () => {
    const answer = await post(url(), { query: scrape, extensions: persisted(listingId) });
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const again = await post(url(), { extensions: persisted(documentIdOf(scrape)) });
    expect(again.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('lets a partner key with documents:any send its own document, and names the key in the security event', async () => {
    const answer = await post(url(), { query: '{ products(first: 1) }' }, partner.key);
    expect(answer).toEqual({ status: 200, body: { data: { products: ['product 0'] } } });
    expect(documentEvents.at(-1)).toMatchObject({ outcome: 'allowed', trusted: false, apiKeyId: partner.record.id });
  });

  it('decides the document and the fields with one security context per request', async () => {
    await post(url(), { extensions: persisted(listingId), variables: { first: 1 } });
    const document = documentEvents.at(-1);
    const decision = decisionEvents.at(-1);
    expect(document?.requestId).toBe(decision?.requestId);
    expect(document?.apiKeyId).toBe(app.record.id);
  });
});

describe('trusted documents with GraphQL over HTTP’s documentId', () => {
  it('serves a POST with documentId on GraphQL Yoga', async () => {
    expect(await post(yogaUrl, { documentId: `sha256:${listingId}`, variables: { first: 2 } })).toEqual({
      status: 200,
      body: servedListing,
    });
  });

  it('serves a GET with documentId on GraphQL Yoga', async () => {
    const url = new URL(yogaUrl);
    url.searchParams.set('documentId', `sha256:${listingId}`);
    url.searchParams.set('variables', JSON.stringify({ first: 2 }));
    const response = await fetch(url, { headers: { 'x-api-key': app.key, accept: 'application/json' } });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: servedListing });
  });

  it('refuses a GET with a script’s own query on GraphQL Yoga', async () => {
    const url = new URL(yogaUrl);
    url.searchParams.set('query', scrape);
    const response = await fetch(url, { headers: { 'x-api-key': app.key, accept: 'application/json' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Answer['body']).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_REQUIRED');
  });
});
