import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicDirective, rateLimitDirective, RedisRateLimitStore } from '../../../src/index.js';
import { errorCodes, protectedSchema } from '../../support/harness.js';
import { postQuery, startGraphQLServer } from '../../support/minimal-graphql-server.js';
import { failFastRedis, readyRedis, redisAvailable, startPrivateRedis, type PrivateRedis } from '../../support/redis.js';
import { ifSetUp } from '../../support/set-up.js';

const sdl = 'type Query { hot: Int @rateLimit(window: "1m", max: 10, by: [GLOBAL]) ok: Int @public }';
const available = await redisAvailable();

function schemaOn(client: Redis, prefix: string) {
  return protectedSchema(sdl, [rateLimitDirective({ store: new RedisRateLimitStore(client, { prefix }) }), publicDirective()], {
    Query: { hot: () => 1, ok: () => 1 },
  });
}

describe.runIf(available)('@rateLimit on Redis, across instances', () => {
  const clients: Redis[] = [];
  const servers: Array<Awaited<ReturnType<typeof startGraphQLServer>>> = [];
  const prefix = `test:${randomUUID()}:`;

  beforeAll(async () => {
    for (let i = 0; i < 4; i++) {
      const client = await readyRedis();
      clients.push(client);
      servers.push(await startGraphQLServer(schemaOn(client, prefix)));
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    clients.forEach((client) => client.disconnect());
  });

  it('admits exactly 10 of 200 concurrent requests spread over 4 instances (max: 10)', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => postQuery((servers[i % 4] as { url: string }).url, '{ hot }')));
    expect(results.filter((result) => result.data?.['hot'] === 1)).toHaveLength(10);
    expect(results.filter((result) => result.errors?.[0]?.extensions?.['code'] === 'RATE_LIMITED')).toHaveLength(190);
  });
});

describe('@rateLimit while its Redis goes away and comes back', () => {
  let redis: PrivateRedis | undefined;
  let client: Redis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    if (redis) client = failFastRedis(redis.url);
  });
  afterAll(async () => {
    ifSetUp(client)?.disconnect();
    await redis?.stop();
  });

  it('refuses with PROTECTION_UNAVAILABLE while Redis is down, stays up, and limits again once it is back', async (context) => {
    if (redis === undefined) return context.skip();
    const schema = schemaOn(client, `test:${randomUUID()}:`);
    const server = await startGraphQLServer(schema);
    try {
      await waitFor(() => client.status === 'ready');
      expect(errorCodes(await postQuery(server.url, '{ hot ok }'))).toEqual([]);

      await redis.stop();
      await waitFor(() => client.status !== 'ready');
      const during = await postQuery(server.url, '{ hot ok }');
      expect(during.data).toEqual({ hot: null, ok: 1 });
      expect(errorCodes(during)).toEqual([['hot', 'PROTECTION_UNAVAILABLE']]);

      await redis.start();
      await waitFor(() => client.status === 'ready', 15_000);
      const after = await Promise.all(Array.from({ length: 12 }, () => postQuery(server.url, '{ hot }')));
      expect(after.filter((result) => result.data?.['hot'] === 1)).toHaveLength(10);
    } finally {
      await server.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
