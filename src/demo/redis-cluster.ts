import { Cluster } from 'ioredis';
import type { RedisClusterConfig } from './config.js';
import type { Observability } from './observability.js';

/** What `new Cluster(nodes, options)` takes. */
export type ClusterClientOptions = NonNullable<ConstructorParameters<typeof Cluster>[1]>;

/**
 * How the demo talks to a Redis Cluster, as it talks to one Redis: fail fast while a node is down
 * or silent (no offline queue, one retry per command, each command timed out after a second), so
 * that a decision whose keys live on that node is refused with PROTECTION_UNAVAILABLE instead of
 * queueing or hanging; every command to the master of its slot (`scaleReads: 'master'`: a replica
 * may lag, and a decision must see the last write). MOVED and ASK (a slot migrating or migrated) are
 * followed; a closed connection, CLUSTERDOWN and TRYAGAIN are retried 100 ms apart, at most 8 times
 * in all, so that a refusal comes within about a second then too. Reconnects on its own, at most a
 * second apart; sends the commands of one tick to each node together (auto-pipelining).
 */
export function redisClusterOptions(config: RedisClusterConfig): ClusterClientOptions {
  return {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    scaleReads: 'master',
    maxRedirections: 8,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    redisOptions: {
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 1000,
      ...(config.username === undefined ? {} : { username: config.username }),
      ...(config.password === undefined ? {} : { password: config.password }),
      ...(config.tls ? { tls: {} } : {}),
    },
  };
}

/** How long the log stays quiet about one node's errors after telling of one. */
const nodeErrorLogIntervalMs = 10_000;

/**
 * A Cluster client with {@link redisClusterOptions}. A failing node is logged (the error's name
 * only: never an address with credentials, never the password) at most once every 10 s; each
 * decision refused meanwhile is logged as it happens.
 */
export function connectRedisCluster(config: RedisClusterConfig, observability: Observability): Cluster {
  const client = new Cluster(
    config.nodes.map(({ host, port }) => ({ host, port })),
    redisClusterOptions(config),
  );
  const lastLogged = new Map<string, number>();
  const report = (source: string, error: Error) => {
    const now = Date.now();
    if ((lastLogged.get(source) ?? Number.NEGATIVE_INFINITY) > now - nodeErrorLogIntervalMs) return;
    lastLogged.set(source, now);
    observability.dependencyError('redis', error);
  };
  client.on('error', (error: Error) => report('cluster', error));
  client.on('node error', (error: Error, node: unknown) => report(`node ${String(node)}`, error));
  client.on('ready', () => {
    if (lastLogged.size > 0) observability.logger.info({ event: 'redis_available' }, 'redis cluster ready again');
    lastLogged.clear();
  });
  return client;
}
