import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse } from 'graphql';
import { Redis } from 'ioredis';
import {
  applyProtections,
  MemoryRateLimitStore,
  publicDirective,
  rateLimitDirective,
  RedisRateLimitStore,
  securityContextFactory,
} from '../src/index.js';
import { median } from './statistics.js';

/**
 * Rate-limit decisions per second. Memory: with 1,000 / 100,000 / 1,000,000 live identities,
 * decisions on random identities (goal: flat). Redis: decisions issued concurrently through one
 * auto-pipelining client, and how many socket writes (round trips) one GraphQL request with ten
 * limited aliases costs.
 */
export async function measureRateLimitDecisions(rounds: number) {
  const memory: Array<{ identities: number; decisionsPerSecond: number }> = [];
  for (const identities of [1_000, 100_000, 1_000_000]) {
    const store = new MemoryRateLimitStore({ maxKeys: identities * 2 });
    let now = 1_000_000;
    for (let i = 0; i < identities; i++) store.consume(`Query.x:identity-${i}`, 1, 1_000_000, 3_600_000, now);
    const samples: number[] = [];
    const decisions = 200_000;
    const keys = Array.from({ length: decisions }, () => `Query.x:identity-${Math.floor(Math.random() * identities)}`);
    for (let round = 0; round < rounds; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < decisions; i++) store.consume(keys[i] as string, 1, 1_000_000, 3_600_000, ++now);
      samples.push(decisions / (Number(process.hrtime.bigint() - start) / 1e9));
    }
    memory.push({ identities, decisionsPerSecond: median(samples) });
  }

  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const client = new Redis(url, { enableAutoPipelining: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
  });
  const prefix = `bench:${Date.now()}:`;
  const store = new RedisRateLimitStore(client, { prefix });
  const samples: number[] = [];
  const batch = 2_000;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let wave = 0; wave < 5; wave++) {
      await Promise.all(
        Array.from({ length: batch }, (_, i) => store.consume(`identity-${(round * 5 + wave) * batch + i}`, 1, 100, 60_000, Date.now())),
      );
    }
    samples.push((batch * 5) / (Number(process.hrtime.bigint() - start) / 1e9));
  }

  // Round trips of one GraphQL request with ten limited aliases.
  const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
  let writes = 0;
  const write = stream.write.bind(stream);
  stream.write = (...args: unknown[]) => {
    writes++;
    return write(...args);
  };
  const rateLimit = rateLimitDirective({ store });
  const schema = applyProtections(
    makeExecutableSchema({
      typeDefs: [rateLimit.typeDefs, publicDirective().typeDefs, 'type Query { x: Int @rateLimit(window: "1m", max: 1000, by: [IP]) }'],
      resolvers: { Query: { x: () => 1 } },
    }),
    [rateLimit, publicDirective()],
  );
  const document = parse(`{ ${Array.from({ length: 10 }, (_, i) => `a${i}: x`).join(' ')} }`);
  const contexts = securityContextFactory();
  const requests = 50;
  for (let i = 0; i < requests; i++) {
    const result = await execute({
      schema,
      document,
      contextValue: { rampart: contexts({ headers: {}, remoteAddress: `198.51.100.${i}` }) },
    });
    if (result.errors) throw new Error(result.errors[0]?.message);
  }
  stream.write = write;
  const keys = await client.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
  client.disconnect();
  return { memory, redis: { decisionsPerSecond: median(samples), writesPerRequest: writes / requests } };
}
