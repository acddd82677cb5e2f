import { Redis } from 'ioredis';

/** The Redis the tests use: `REDIS_URL`, by default 127.0.0.1:6379. */
export const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * Whether Redis answers. With CI=true a missing Redis is a failure (CI must provide it);
 * elsewhere the Redis tests are skipped, saying so.
 */
export async function redisAvailable(): Promise<boolean> {
  const client = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    if (process.env['CI'] === 'true') throw new Error(`CI=true and Redis does not answer at ${redisUrl}`);
    console.warn(`Redis does not answer at ${redisUrl}: skipping the Redis tests (CI=true makes this a failure).`);
    return false;
  } finally {
    client.disconnect();
  }
}

/** A client configured as the library recommends: fail fast when disconnected, no unbounded queue. */
export function failFastRedis(url = redisUrl): Redis {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000 });
  client.on('error', () => undefined);
  return client;
}

/** A fail-fast client, once it is connected and ready. */
export async function readyRedis(url = redisUrl): Promise<Redis> {
  const client = failFastRedis(url);
  if (client.status !== 'ready') await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return client;
}
