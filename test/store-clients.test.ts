import { describe, expect, it } from 'vitest';
import { PostgresApiKeyStore, RedisBanStore, RedisRateLimitStore, RedisReplayCache, SqliteApiKeyStore } from '../src/index.js';

// better-sqlite3, pg and ioredis are optional peers: the library never imports them, the host
// passes a client. A store given none (the package missing, a variable unset) says what to install.
describe('a store given no client', () => {
  it.each([
    ['SqliteApiKeyStore', 'npm install better-sqlite3', () => new SqliteApiKeyStore(undefined as never)],
    ['RedisRateLimitStore', 'npm install ioredis', () => new RedisRateLimitStore(undefined as never)],
    ['RedisReplayCache', 'npm install ioredis', () => new RedisReplayCache(null as never)],
    ['RedisBanStore', 'npm install ioredis', () => new RedisBanStore({} as never)],
  ])('%s throws a TypeError saying to %s', (name, install, create) => {
    expect(create).toThrow(TypeError);
    expect(create).toThrow(`${name}: `);
    expect(create).toThrow(install);
  });

  it('PostgresApiKeyStore.open rejects with a TypeError saying to npm install pg', async () => {
    await expect(PostgresApiKeyStore.open(undefined as never)).rejects.toThrow(
      new TypeError('PostgresApiKeyStore: database must be a pg Pool or Client (npm install pg; new pg.Pool({ connectionString }))'),
    );
  });
});
