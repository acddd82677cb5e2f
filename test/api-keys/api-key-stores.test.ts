import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiKeyStore, issueApiKey, MemoryApiKeyStore, PostgresApiKeyStore, SqliteApiKeyStore } from '../../src/index.js';
import { postgresAvailable, temporaryPostgresDatabase } from '../support/postgres.js';

const postgres = (await postgresAvailable()) ? await temporaryPostgresDatabase() : undefined;
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await postgres?.drop();
});

/** A PostgreSQL store on a fresh schema of the test database (so every test starts empty). */
async function postgresStore(): Promise<ApiKeyStore> {
  const pool = new pg.Pool({ connectionString: postgres?.url, max: 2 });
  pool.on('error', () => undefined);
  pools.push(pool);
  const schema = `s_${Math.random().toString(36).slice(2, 10)}`;
  await pool.query(`CREATE SCHEMA ${schema}`);
  const scoped = {
    query: async (text: string, values?: unknown[]) => {
      const client = await pool.connect();
      try {
        await client.query(`SET search_path TO ${schema}`);
        return await client.query(text, values);
      } finally {
        client.release();
      }
    },
  };
  return PostgresApiKeyStore.open(scoped);
}

const stores: Array<[string, () => ApiKeyStore | Promise<ApiKeyStore>]> = [
  ['MemoryApiKeyStore', () => new MemoryApiKeyStore()],
  ['SqliteApiKeyStore', () => new SqliteApiKeyStore(new Database(':memory:'))],
  ...(postgres ? [['PostgresApiKeyStore', postgresStore] as [string, () => Promise<ApiKeyStore>]] : []),
];

describe.each(stores)('%s', (_name, openStore) => {
  const createStore = async (): Promise<ApiKeyStore> => openStore();
  it('keeps only the hash of an issued key', async () => {
    const store = await createStore();
    const { key, record } = await issueApiKey(store, { app: 'ios', scopes: ['a', 'b'], now: () => 1000 });
    const found = await store.findById(record.id);
    expect(found).toEqual({
      id: record.id,
      app: 'ios',
      scopes: ['a', 'b'],
      hash: record.hash,
      createdAt: 1000,
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(await store.list())).not.toContain(key.slice(-43));
  });

  it('answers undefined for an unknown id', async () => {
    expect(await (await createStore()).findById('0000000000000000')).toBeUndefined();
  });

  it('revokes once, keeping the first revocation time, and says when the key is unknown', async () => {
    const store = await createStore();
    const { record } = await issueApiKey(store, { app: 'ios' });
    expect(await store.revoke(record.id, 5000)).toBe(true);
    expect(await store.revoke(record.id, 9000)).toBe(true);
    expect((await store.findById(record.id))?.revokedAt).toBe(5000);
    expect(await store.revoke('ffffffffffffffff', 5000)).toBe(false);
  });

  it('records the last use', async () => {
    const store = await createStore();
    const { record } = await issueApiKey(store, { app: 'ios' });
    await store.recordUse(record.id, 7000);
    expect((await store.findById(record.id))?.lastUsedAt).toBe(7000);
  });

  it('lists newest first', async () => {
    const store = await createStore();
    await issueApiKey(store, { app: 'old', now: () => 1 });
    await issueApiKey(store, { app: 'new', now: () => 2 });
    expect((await store.list()).map((record) => record.app)).toEqual(['new', 'old']);
  });

  it('refuses a duplicate id', async () => {
    const store = await createStore();
    const { record } = await issueApiKey(store, { app: 'ios' });
    await expect(async () => store.insert(record)).rejects.toThrow();
  });
});

describe('issueApiKey', () => {
  it.each([
    ['an empty app name', { app: '  ' }],
    ['a control character in the app name', { app: 'ios\n' }],
    ['a scope with spaces', { app: 'ios', scopes: ['a b'] }],
    ['an expiry in the past', { app: 'ios', expiresAt: 1, now: () => 10 }],
  ])('throws a TypeError for %s', async (_name, options) => {
    await expect(issueApiKey(new MemoryApiKeyStore(), options)).rejects.toThrow(TypeError);
  });
});

describe('MemoryApiKeyStore', () => {
  it('is bounded', async () => {
    const store = new MemoryApiKeyStore({ maxKeys: 1 });
    await issueApiKey(store, { app: 'a' });
    await expect(issueApiKey(store, { app: 'b' })).rejects.toThrow('full');
  });
});

describe('SqliteApiKeyStore', () => {
  it('sees a revocation made through another connection to the same file at once', async () => {
    const file = `${process.env['TMPDIR'] ?? '/tmp'}/rampart-keys-${process.pid}-${Date.now()}.db`;
    const server = new SqliteApiKeyStore(new Database(file));
    const cli = new SqliteApiKeyStore(new Database(file));
    const { record } = await issueApiKey(cli, { app: 'ios' });
    expect(server.findById(record.id)?.revokedAt).toBeNull();
    cli.revoke(record.id, 1234);
    expect(server.findById(record.id)?.revokedAt).toBe(1234);
  });
});

describe.skipIf(postgres === undefined)('PostgresApiKeyStore', () => {
  it('creates its table once when eight instances open it at the same moment', async () => {
    const database = await temporaryPostgresDatabase();
    const clients = Array.from({ length: 8 }, () => new pg.Client({ connectionString: database.url }));
    for (const client of clients) client.on('error', () => undefined);
    try {
      await Promise.all(clients.map((client) => client.connect()));
      const stores = await Promise.all(clients.map((client) => PostgresApiKeyStore.open(client)));
      const { record } = await issueApiKey(stores[0] as ApiKeyStore, { app: 'ios' });
      for (const store of stores) expect((await store.findById(record.id))?.app).toBe('ios');
    } finally {
      await Promise.all(clients.map((client) => client.end()));
      await database.drop();
    }
  });
});
