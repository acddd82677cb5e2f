// What a slot migration, a master frozen or killed, and a cluster down do to @rateLimit decisions
// on a Redis Cluster (the demo's Cluster client options): MOVED and ASK are followed and the count
// moves with the slot; a decision that cannot be made is refused with PROTECTION_UNAVAILABLE in
// bounded time (fail closed), decisions on the other masters go on, and service resumes by itself.
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publicDirective, rateLimitDirective, RedisRateLimitStore, type RateLimitDecision, type RateLimitStore } from '../../src/index.js';
import { hashTagged } from '../../src/redis-hash-tag.js';
import { errorCodes, protectedSchema, run } from '../support/harness.js';
import { redisClusterToolsAvailable, startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { ifSetUp } from '../support/set-up.js';
import { within } from '../support/within.js';

const available = redisClusterToolsAvailable();
const prefix = 'test:failover:';

/** The store, remembering the key of the last decision (to find the master it lives on). */
class KeyRecordingStore implements RateLimitStore {
  lastKey = '';
  constructor(private readonly inner: RateLimitStore) {}
  consume(key: string, cost: number, max: number, windowMs: number, now: number): Promise<RateLimitDecision> | RateLimitDecision {
    this.lastKey = key;
    return this.inner.consume(key, cost, max, windowMs, now);
  }
}

describe.runIf(available)('@rateLimit on a Redis Cluster while slots move and masters fail', { timeout: 60_000 }, () => {
  let cluster: TestRedisCluster;
  let client: Cluster;
  let store: KeyRecordingStore;
  let schema: ReturnType<typeof protectedSchema>;
  /** The master of each `item(id)` counter: id → port. */
  const masters = new Map<string, number>();

  const ask = (id: string) => run(schema, `{ item(id: "${id}") ok }`);
  const idOn = (port: number) => [...masters].find(([, master]) => master === port)?.[0] as string;
  const idOff = (port: number) => [...masters].find(([, master]) => master !== port)?.[0] as string;

  /** Asks until the decision for `id` is served again; throws after `timeoutMs`. */
  async function untilServed(id: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await ask(id);
      if (result.errors === undefined) return;
      expect(errorCodes(result)).toEqual([['item', 'PROTECTION_UNAVAILABLE']]);
      if (Date.now() > deadline) throw new Error(`item(id: ${id}) still refused after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    // A node silent for 2 s counts as failed: the cluster-down case below need not wait 15 s.
    cluster = (await startRedisCluster({ nodeTimeoutMs: 2000 })) as TestRedisCluster;
    client = await cluster.client();
    store = new KeyRecordingStore(new RedisRateLimitStore(client, { prefix, clock: 'redis' }));
    schema = protectedSchema(
      'type Query { item(id: ID!): Int @rateLimit(window: "1m", max: 10, identityArgs: ["id"]) ok: Int @public }',
      [rateLimitDirective({ store }), publicDirective()],
      { Query: { item: () => 1, ok: () => 1 } },
    );
    for (let i = 0; i < 12; i++) {
      const id = `warm-${i}`;
      expect(errorCodes(await ask(id))).toEqual([]);
      masters.set(id, await cluster.masterOf(`${hashTagged(prefix, store.lastKey)}:log`));
    }
    expect(new Set(masters.values()).size).toBe(3);
  });
  afterAll(() => ifSetUp(cluster)?.stop());
  beforeEach(() => cluster.untilOk());

  it('follows ASK while a counter’s slot migrates and MOVED once it has, counting exactly 10 of 16 calls across the move', async () => {
    const served = async (calls: number) => {
      const results = await Promise.all(Array.from({ length: calls }, () => ask('migrating')));
      for (const result of results) expect(errorCodes(result).filter(([, code]) => code !== 'RATE_LIMITED')).toEqual([]);
      return results.filter((result) => result.errors === undefined).length;
    };
    let allowed = await served(4);
    const key = `${hashTagged(prefix, store.lastKey)}:log`;
    const from = await cluster.masterOf(key);
    const to = cluster.nodes.map((node) => node.port).find((port) => port !== from) as number;

    await cluster.beginMigration(key, to);
    allowed += await served(2); // the keys are still on the source: it decides
    expect(await cluster.migrateKeys(key)).toBe(2); // the log and the sum
    allowed += await served(2); // the source answers ASK: the target decides
    await cluster.finishMigration(key);
    expect(await cluster.masterOf(key)).toBe(to);
    allowed += await served(8); // the source answers MOVED: the client follows, and learns the new owner

    expect(allowed).toBe(10);
  });

  it('refuses with PROTECTION_UNAVAILABLE, in about the command timeout, a decision whose keys live on a frozen master; serves the others; serves it again once it thaws', async () => {
    const target = cluster.nodes[0]?.port as number;
    cluster.pause(target);
    try {
      const started = Date.now();
      const [onFrozen, elsewhere] = await Promise.all([within(ask(idOn(target)), 15_000), ask(idOff(target))]);
      expect(elsewhere).toEqual({ data: { item: 1, ok: 1 } });
      expect(onFrozen).not.toBe('timed out');
      if (onFrozen === 'timed out') return;
      expect(onFrozen.data).toEqual({ item: null, ok: 1 });
      expect(errorCodes(onFrozen)).toEqual([['item', 'PROTECTION_UNAVAILABLE']]);
      console.info(`master frozen: refused after ${Date.now() - started} ms (command timeout 1000 ms)`);
    } finally {
      cluster.resume(target);
    }
    expect(await ask(idOn(target))).toEqual({ data: { item: 1, ok: 1 } });
  });

  it('refuses with PROTECTION_UNAVAILABLE, in bounded time, a decision whose keys live on a killed master; serves the others; serves it again once it is back', async () => {
    const target = cluster.nodes[1]?.port as number;
    await cluster.kill(target);
    try {
      const started = Date.now();
      const [onKilled, elsewhere] = await Promise.all([within(ask(idOn(target)), 15_000), ask(idOff(target))]);
      expect(elsewhere).toEqual({ data: { item: 1, ok: 1 } });
      expect(onKilled).not.toBe('timed out');
      if (onKilled === 'timed out') return;
      expect(onKilled.data).toEqual({ item: null, ok: 1 });
      expect(errorCodes(onKilled)).toEqual([['item', 'PROTECTION_UNAVAILABLE']]);
      console.info(`master killed: refused after ${Date.now() - started} ms`);
    } finally {
      await cluster.restart(target);
    }
    await untilServed(idOn(target));
  });

  it('refuses every decision with PROTECTION_UNAVAILABLE once the cluster counts a master as failed (CLUSTERDOWN), and serves again once it is ok', async () => {
    const [target, witness] = cluster.nodes.map((node) => node.port) as [number, number];
    cluster.pause(target);
    try {
      await cluster.untilFailed(witness);
      const onHealthyMaster = await within(ask(idOn(witness)), 15_000);
      expect(onHealthyMaster).not.toBe('timed out');
      if (onHealthyMaster === 'timed out') return;
      expect(errorCodes(onHealthyMaster)).toEqual([['item', 'PROTECTION_UNAVAILABLE']]);
    } finally {
      cluster.resume(target);
    }
    await cluster.untilOk();
    await untilServed(idOn(witness));
    await untilServed(idOn(target));
  });
});
