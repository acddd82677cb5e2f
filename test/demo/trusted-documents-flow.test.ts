import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientDocumentId } from '../../src/demo/client-documents.js';
import { documentIdOf } from '../../src/trusted-documents.js';
import { postgresAvailable, temporaryPostgresDatabase } from '../support/postgres.js';
import { startDemo, type DemoAnswer, type RunningDemo } from '../support/demo.js';
import { temporaryDirectory } from '../support/temp-directory.js';

// The demo runs only the genuine app's documents (client/*.graphql, by id) when it enforces
// trusted documents, as in production; a script's own queries, which scraped the catalog with
// aliases and filters, are refused before any GraphQL work.
const browse = clientDocumentId('Browse');
const scrape = `{ ${Array.from({ length: 20 }, (_, i) => `c${i}: products(first: 100, category: "${i + 1}", search: "a") { edges { node { id name price } } }`).join(' ')} }`;
const codeOf = (answer: DemoAnswer) => answer.body?.errors?.[0]?.extensions?.code as string | undefined;
const logEvents = (demo: RunningDemo, event: string) =>
  demo.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['event'] === event);

describe('the demo enforcing trusted documents', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo({ TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_CACHE_MS: '50' });
  });
  afterAll(() => demo.stop());

  it.each([
    ['GraphQL over HTTP’s documentId', { documentId: `sha256:${browse}`, variables: { first: 3 } }],
    ['the bare id as documentId', { documentId: browse, variables: { first: 3 } }],
    ['Apollo’s persistedQuery extension', { extensions: { persistedQuery: { version: 1, sha256Hash: browse } }, variables: { first: 3 } }],
  ])('serves the genuine app’s listing sent by %s, with its variables', async (_name, body) => {
    const answer = await demo.post(body);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.products.edges).toHaveLength(3);
  });

  it('serves the genuine app’s listing by documentId in a GET', async () => {
    const url = new URL(demo.endpoint);
    url.searchParams.set('documentId', `sha256:${browse}`);
    url.searchParams.set('variables', JSON.stringify({ first: 2 }));
    const response = await fetch(url, { headers: { 'x-api-key': demo.apiKey, 'apollo-require-preflight': 'true' } });
    const body = (await response.json()) as { data?: { products: { edges: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.products.edges).toHaveLength(2);
  });

  it('refuses a script’s own query (20 aliases of filtered listings) with PERSISTED_QUERY_REQUIRED, and logs its id, never its text', async () => {
    const answer = await demo.post({ query: scrape });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('PERSISTED_QUERY_REQUIRED');
    expect(answer.body.data).toBeUndefined();
    const refused = logEvents(demo, 'document_refused').at(-1);
    expect(refused).toMatchObject({ code: 'PERSISTED_QUERY_REQUIRED', documentId: documentIdOf(scrape), reason: 'ad_hoc' });
    expect(demo.logLines.join('\n')).not.toContain('category:');
    expect(demo.logLines.join('\n')).not.toContain(demo.apiKey);
  });

  it('refuses an id whose document was edited by one character, and an id sent with another document', async () => {
    expect(codeOf(await demo.post({ documentId: documentIdOf('query Browse { categories { id } }') }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(codeOf(await demo.post({ documentId: browse, query: scrape }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    const both = await demo.post({ documentId: browse, extensions: { persistedQuery: { version: 1, sha256Hash: documentIdOf(scrape) } } });
    expect(codeOf(both)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('lets a partner’s key with documents:any send its own query', async () => {
    const partner = JSON.parse(await demo.cli('keys', 'create', '--app', 'partner', '--scopes', 'documents:any', '--json')) as {
      key: string;
      id: string;
    };
    const answer = await demo.post({ query: '{ categories { name } }' }, { 'x-api-key': partner.key });
    expect(answer.body.errors).toBeUndefined();
    expect(logEvents(demo, 'document_allowed').at(-1)).toMatchObject({ apiKeyId: partner.id });
  });

  it('serves a new app version’s document once imported, and refuses it once that version is retired', async () => {
    const search = 'query Search($search: String!) { products(first: 5, search: $search) { edges { node { id name } } } }';
    const id = documentIdOf(search);
    const manifest = `${demo.dataDir}/search-manifest.json`;
    writeFileSync(manifest, JSON.stringify({ [id]: search }));
    expect(codeOf(await demo.post({ documentId: id, variables: { search: 'a' } }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    await demo.cli('documents', 'import', manifest, '--app-version', '9.9.0');
    await until(async () => (await demo.post({ documentId: id, variables: { search: 'a' } })).body.errors === undefined);
    await demo.cli('documents', 'retire', '9.9.0');
    await until(async () => codeOf(await demo.post({ documentId: id, variables: { search: 'a' } })) === 'PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('the demo reporting unknown documents (development’s default)', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.stop());

  it('serves a query that is not a trusted document and reports it, without its text', async () => {
    const answer = await demo.post({ query: '{ categories { name } }' });
    expect(answer.body.errors).toBeUndefined();
    expect(logEvents(demo, 'document_reported').at(-1)).toMatchObject({
      documentId: documentIdOf('{ categories { name } }'),
      reason: 'ad_hoc',
    });
    const metrics = await (await fetch(new URL('/metrics', demo.endpoint))).text();
    expect(metrics).toMatch(/rampart_documents_total\{outcome="reported",trusted="false"\} [1-9]/);
  });
});

const postgres = await postgresAvailable();

describe.runIf(postgres)('two demo instances sharing trusted documents through PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof temporaryPostgresDatabase>>;
  let instances: RunningDemo[];
  const dataDir = temporaryDirectory();
  beforeAll(async () => {
    database = await temporaryPostgresDatabase();
    const env = { DATABASE_URL: database.url, DATA_DIR: dataDir.path, TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_CACHE_MS: '50' };
    instances = [await startDemo(env), await startDemo(env)];
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await database.drop();
    dataDir.remove();
  });

  it('serves on both what one import added, and refuses on both once the version is retired', async () => {
    const [a, b] = instances as [RunningDemo, RunningDemo];
    const document = 'query Shared { categories { slug } }';
    const id = documentIdOf(document);
    const manifest = `${dataDir.path}/shared.json`;
    writeFileSync(manifest, JSON.stringify({ [id]: document }));
    await a.cli('documents', 'import', manifest, '--app-version', 'shared-1');
    for (const instance of [a, b]) await until(async () => (await instance.post({ documentId: id })).body.errors === undefined);
    await b.cli('documents', 'retire', 'shared-1');
    for (const instance of [a, b]) await until(async () => codeOf(await instance.post({ documentId: id })) === 'PERSISTED_QUERY_NOT_FOUND');
    // The genuine app's own version is still served.
    expect((await a.post({ documentId: browse, variables: { first: 1 } })).body.errors).toBeUndefined();
  });
});

/** Asks until `condition` holds (the servers' cache lifetime is 50 ms here); fails after 5 s. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
