import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentIdOf } from '../../src/trusted-documents/document-id.js';
import { MemoryTrustedDocumentStore } from '../../src/trusted-documents/memory-trusted-document-store.js';
import { PostgresTrustedDocumentStore } from '../../src/trusted-documents/postgres-trusted-document-store.js';
import { SqliteTrustedDocumentStore } from '../../src/trusted-documents/sqlite-trusted-document-store.js';
import type { TrustedDocumentStore } from '../../src/trusted-documents/trusted-document-store.js';
import { postgresAvailable, temporaryPostgresDatabase } from '../support/postgres.js';

const documentOf = (text: string): [string, string] => [documentIdOf(text), text];
const listing = documentOf('query Listing { products(first: 20) { edges { node { id } } } }');
const listingV2 = documentOf('query Listing { products(first: 20) { edges { node { id name } } } }');
const categories = documentOf('query Categories { categories { id } }');

const postgres = await postgresAvailable();
let database: Awaited<ReturnType<typeof temporaryPostgresDatabase>> | undefined;
const pools: pg.Pool[] = [];
beforeAll(async () => {
  if (postgres) database = await temporaryPostgresDatabase();
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await database?.drop();
});

async function openPostgres(): Promise<PostgresTrustedDocumentStore> {
  const pool = new pg.Pool({ connectionString: database?.url, max: 2 });
  pool.on('error', () => undefined);
  pools.push(pool);
  return PostgresTrustedDocumentStore.open(pool);
}

const backends: Array<[string, () => Promise<TrustedDocumentStore>]> = [
  ['memory', () => Promise.resolve(new MemoryTrustedDocumentStore())],
  ['SQLite', () => Promise.resolve(new SqliteTrustedDocumentStore(new Database(':memory:')))],
  ...(postgres ? ([['PostgreSQL', openPostgres]] as Array<[string, () => Promise<TrustedDocumentStore>]>) : []),
];

describe.each(backends)('a trusted document store (%s)', (_name, open) => {
  it('serves an old app version’s documents until its own manifest is retired', async () => {
    const store = await open();
    const [v1, v2] = [`1.${Math.random()}`.slice(0, 12), `2.${Math.random()}`.slice(0, 12)];
    await store.importManifest(v1, new Map([listing, categories]), 1000);
    await store.importManifest(v2, new Map([listingV2, categories]), 2000);
    expect(await store.find(listing[0])).toBe(listing[1]);
    expect(await store.find(listingV2[0])).toBe(listingV2[1]);
    expect(await store.retire(v1, 3000)).toBe(true);
    expect(await store.find(listing[0])).toBeUndefined();
    // Still listed by the live version.
    expect(await store.find(categories[0])).toBe(categories[1]);
    expect(await store.find(listingV2[0])).toBe(listingV2[1]);
  });

  it('lists versions newest first, with their document count and retirement', async () => {
    const store = await open();
    const before = (await store.listVersions()).length;
    await store.importManifest('list-a', new Map([listing]), 10_000);
    await store.importManifest('list-b', new Map([listing, categories]), 20_000);
    await store.retire('list-a', 30_000);
    const versions = (await store.listVersions()).filter((version) => version.appVersion.startsWith('list-'));
    expect(versions).toEqual([
      { appVersion: 'list-b', documents: 2, importedAt: 20_000, retiredAt: null },
      { appVersion: 'list-a', documents: 1, importedAt: 10_000, retiredAt: 30_000 },
    ]);
    expect((await store.listVersions()).length).toBe(before + 2);
  });

  it('replaces a version’s list when it is imported again, and serves it again if it was retired', async () => {
    const store = await open();
    await store.importManifest('again', new Map([listing]), 1);
    await store.retire('again', 2);
    await store.importManifest('again', new Map([categories]), 3);
    expect(await store.find(categories[0])).toBe(categories[1]);
    expect((await store.listVersions()).find((version) => version.appVersion === 'again')?.retiredAt).toBeNull();
  });

  it('answers false when retiring a version it does not know, and undefined for an unknown id', async () => {
    const store = await open();
    expect(await store.retire('never-imported', 1)).toBe(false);
    expect(await store.find(documentIdOf('query Unknown { categories { id } }'))).toBeUndefined();
  });

  it.each(['', '-1', 'a'.repeat(65), 'v 1', "1'; DROP TABLE x; --"])('refuses the app version %j', async (appVersion) => {
    const store = await open();
    await expect(async () => store.importManifest(appVersion, new Map([listing]), 1)).rejects.toThrow(TypeError);
  });
});

describe.runIf(postgres)('PostgresTrustedDocumentStore shared by instances', () => {
  it('serves on one instance what another imported, and stops when another retires it', async () => {
    const [a, b] = [await openPostgres(), await openPostgres()];
    await a.importManifest('shared-1', new Map([documentOf('query Shared { categories { name } }')]), 1);
    const id = documentIdOf('query Shared { categories { name } }');
    expect(await b.find(id)).toBe('query Shared { categories { name } }');
    await b.retire('shared-1', 2);
    expect(await a.find(id)).toBeUndefined();
  });

  it('creates its tables once when instances open it at the same moment', async () => {
    await expect(Promise.all(Array.from({ length: 4 }, () => openPostgres()))).resolves.toHaveLength(4);
  });
});
