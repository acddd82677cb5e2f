import { describe, expect, it } from 'vitest';
import type { DocumentDecisionEvent } from '../../src/context/protection-observer.js';
import { issueApiKey, MemoryApiKeyStore, requiresApiKeyDirective, securityContextFactory } from '../../src/index.js';
import { documentIdOf } from '../../src/trusted-documents/document-id.js';
import { MemoryTrustedDocumentStore } from '../../src/trusted-documents/memory-trusted-document-store.js';
import type { TrustedDocumentsOptions } from '../../src/trusted-documents/options.js';
import type { TrustedDocumentStore } from '../../src/trusted-documents/trusted-document-store.js';
import { trustedDocuments, type DocumentRequest } from '../../src/trusted-documents/trusted-documents.js';

const listing = 'query Listing($first: Int) { products(first: $first) { edges { node { id name } } } }';
const listingId = documentIdOf(listing);
const scrape =
  '{ a: products(first: 100, search: "a") { edges { node { id name price } } } b: products(first: 100, search: "e") { edges { node { id } } } }';

function setUp(options: Partial<TrustedDocumentsOptions> = {}, headers: Record<string, string> = {}) {
  const store = new MemoryTrustedDocumentStore();
  store.importManifest('1.0.0', new Map([[listingId, listing]]), 0);
  const events: DocumentDecisionEvent[] = [];
  const documents = trustedDocuments({ store, ...options });
  const context = securityContextFactory({ observer: { onDocument: (event) => events.push(event) } });
  const resolve = (request: DocumentRequest, requestHeaders: Record<string, string> = headers) =>
    documents.resolve(context({ headers: requestHeaders, remoteAddress: '198.51.100.4' }), request);
  return { store, events, resolve };
}

const codeOf = (resolution: Awaited<ReturnType<ReturnType<typeof setUp>['resolve']>>) =>
  resolution.ok ? 'ok' : resolution.error.extensions['code'];

describe('trustedDocuments', () => {
  it.each([
    ['a GraphQL-over-HTTP documentId', { documentId: `sha256:${listingId}` }],
    ['a bare documentId', { documentId: listingId }],
    ['an Apollo persisted query hash', { extensions: { persistedQuery: { version: 1, sha256Hash: listingId } } }],
    ['an id with the very document it names', { documentId: listingId, query: listing }],
  ])('serves a trusted document named by %s', async (_name, request) => {
    const { resolve, events } = setUp();
    expect(await resolve(request)).toEqual({ ok: true, query: listing, documentId: listingId, trusted: true });
    expect(events.map((event) => [event.outcome, event.documentId, event.trusted])).toEqual([['allowed', listingId, true]]);
  });

  it('refuses a document whose text was edited by one character: its id is unknown', async () => {
    const { resolve } = setUp();
    const edited = listing.replace('name', 'nam');
    expect(codeOf(await resolve({ documentId: documentIdOf(edited) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a trusted id sent with another document, before any GraphQL work', async () => {
    const { resolve, events } = setUp();
    const resolution = await resolve({ documentId: listingId, query: scrape });
    expect(codeOf(resolution)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(events[0]).toMatchObject({ outcome: 'refused', reason: 'id_mismatch', documentId: listingId });
  });

  it('refuses a full document in enforce mode (the default), whatever its aliases and filters', async () => {
    const { resolve, events } = setUp();
    const resolution = await resolve({ query: scrape });
    expect(codeOf(resolution)).toBe('PERSISTED_QUERY_REQUIRED');
    expect(resolution.ok ? '' : resolution.error.message).toMatch(/documentId/);
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'refused', code: 'PERSISTED_QUERY_REQUIRED', documentId: documentIdOf(scrape), trusted: false }),
    ]);
  });

  it('refuses an unknown id sent with its document (Apollo’s registration), registering nothing', async () => {
    const { resolve, store } = setUp();
    expect(codeOf(await resolve({ query: scrape, extensions: { persistedQuery: { version: 1, sha256Hash: documentIdOf(scrape) } } }))).toBe(
      'PERSISTED_QUERY_REQUIRED',
    );
    expect(store.find(documentIdOf(scrape))).toBeUndefined();
  });

  it('serves and reports a full document in log-unknown mode, without its text in the event', async () => {
    const { resolve, events } = setUp({ adHocDocuments: 'report' });
    expect(await resolve({ query: scrape })).toEqual({ ok: true, query: scrape, documentId: documentIdOf(scrape), trusted: false });
    expect(events).toEqual([expect.objectContaining({ outcome: 'reported', reason: 'ad_hoc', documentId: documentIdOf(scrape) })]);
    expect(JSON.stringify(events)).not.toContain('products');
  });

  it('lets a partner’s key with documents:any send its own documents, and refuses other keys', async () => {
    const keys = new MemoryApiKeyStore();
    const partner = await issueApiKey(keys, { app: 'partner', scopes: ['documents:any'] });
    const app = await issueApiKey(keys, { app: 'ios' });
    const apiKey = requiresApiKeyDirective({ store: keys });
    const { resolve, events } = setUp({
      apiKey,
      adHocDocuments: ({ apiKey: key }) => (key?.scopes.has('documents:any') ? 'allow' : 'refuse'),
    });
    expect(codeOf(await resolve({ query: scrape }, { 'x-api-key': partner.key }))).toBe('ok');
    expect(codeOf(await resolve({ query: scrape }, { 'x-api-key': app.key }))).toBe('PERSISTED_QUERY_REQUIRED');
    expect(codeOf(await resolve({ query: scrape }))).toBe('PERSISTED_QUERY_REQUIRED');
    expect(events.map((event) => [event.outcome, event.apiKeyId])).toEqual([
      ['allowed', partner.record.id],
      ['refused', app.record.id],
      ['refused', undefined],
    ]);
    expect(JSON.stringify(events)).not.toContain(partner.key);
  });

  it('refuses when a per-request policy throws: a policy that cannot decide lets nothing through', async () => {
    const { resolve } = setUp({
      adHocDocuments: () => {
        throw new Error('policy down');
      },
    });
    expect(codeOf(await resolve({ query: scrape }))).toBe('PERSISTED_QUERY_REQUIRED');
  });

  it('refuses with PROTECTION_UNAVAILABLE when the store cannot answer, and tells onDependencyError', async () => {
    const failures: unknown[] = [];
    const store: TrustedDocumentStore = {
      find: () => Promise.reject(new Error('connection refused')),
      importManifest: () => undefined,
      listVersions: () => [],
      retire: () => false,
    };
    const documents = trustedDocuments({ store, onDependencyError: (error) => failures.push(error) });
    const resolution = await documents.resolve(securityContextFactory()({ headers: {}, remoteAddress: '198.51.100.4' }), {
      documentId: listingId,
    });
    expect(resolution.ok ? 'ok' : resolution.error.extensions['code']).toBe('PROTECTION_UNAVAILABLE');
    expect(failures).toHaveLength(1);
  });

  it('asks the store once per id within the cache lifetime, found or not, and again after it', async () => {
    let now = 0;
    let lookups = 0;
    const inner = new MemoryTrustedDocumentStore();
    inner.importManifest('1.0.0', new Map([[listingId, listing]]), 0);
    const store: TrustedDocumentStore = {
      find: (id) => (lookups++, inner.find(id)),
      importManifest: () => undefined,
      listVersions: () => [],
      retire: () => false,
    };
    const documents = trustedDocuments({ store, cache: { ttlMs: 1000 }, clock: () => now });
    const context = securityContextFactory();
    const unknown = documentIdOf('query Nope { categories { id } }');
    for (let i = 0; i < 50; i++) {
      await documents.resolve(context({ headers: {}, remoteAddress: '198.51.100.4' }), { documentId: unknown });
      await documents.resolve(context({ headers: {}, remoteAddress: '198.51.100.4' }), { documentId: listingId });
    }
    expect(lookups).toBe(2);
    now = 1000;
    await documents.resolve(context({ headers: {}, remoteAddress: '198.51.100.4' }), { documentId: listingId });
    expect(lookups).toBe(3);
  });

  it('stops serving a retired version’s documents once the cache lifetime has passed', async () => {
    let now = 0;
    const store = new MemoryTrustedDocumentStore();
    store.importManifest('1.0.0', new Map([[listingId, listing]]), 0);
    const documents = trustedDocuments({ store, cache: { ttlMs: 1000 }, clock: () => now });
    const resolve = () =>
      documents.resolve(securityContextFactory()({ headers: {}, remoteAddress: '198.51.100.4' }), { documentId: listingId });
    expect((await resolve()).ok).toBe(true);
    store.retire('1.0.0', 1);
    now = 1000;
    expect(codeOf(await resolve())).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it.each([
    ['a malformed documentId', { documentId: 'not-a-hash' }],
    ['an upper-case documentId', { documentId: listingId.toUpperCase() }],
    ['a documentId that is a number', { documentId: 42 }],
    ['a persistedQuery of another version', { extensions: { persistedQuery: { version: 2, sha256Hash: listingId } } }],
    ['a persistedQuery that is a string', { extensions: { persistedQuery: listingId } }],
    ['two ids that disagree', { documentId: listingId, extensions: { persistedQuery: { version: 1, sha256Hash: documentIdOf(scrape) } } }],
  ])('refuses %s with PERSISTED_QUERY_NOT_FOUND, looking nothing up', async (_name, request) => {
    const { resolve, events } = setUp();
    expect(codeOf(await resolve(request))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(events[0]?.reason).toBe('malformed_id');
  });

  it('refuses a query that is not a string', async () => {
    const { resolve } = setUp({ adHocDocuments: 'allow' });
    expect(codeOf(await resolve({ query: { kind: 'Document' } }))).toBe('PERSISTED_QUERY_REQUIRED');
  });

  it('throws a TypeError without a store', () => {
    expect(() => trustedDocuments({} as TrustedDocumentsOptions)).toThrow('store must implement TrustedDocumentStore');
  });

  it.each([
    ['an unknown policy', { adHocDocuments: 'maybe' }],
    ['a cache lifetime of 0', { cache: { ttlMs: 0 } }],
    ['an apiKey that is not the directive', { apiKey: {} }],
  ])('throws a TypeError for %s', (_name, overrides) => {
    expect(() => trustedDocuments({ store: new MemoryTrustedDocumentStore(), ...overrides } as TrustedDocumentsOptions)).toThrow(TypeError);
  });
});
