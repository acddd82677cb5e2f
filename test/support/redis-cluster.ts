import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { freeClusterNodePort } from './free-port.js';
import { temporaryDirectory } from './temp-directory.js';

/** One master of the test cluster. */
export interface RedisClusterNode {
  readonly host: '127.0.0.1';
  readonly port: number;
}

/** A three-master Redis Cluster of this test's own, on loopback. */
export interface TestRedisCluster {
  readonly nodes: readonly RedisClusterNode[];
  /** `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`, as `REDIS_CLUSTER_NODES` takes it. */
  readonly nodeList: string;
  /** A fail-fast Cluster client ({@link failFastCluster}) once it is ready; closed by stop(). */
  client(): Promise<Cluster>;
  /** The port of the master that serves `key`'s hash slot. */
  masterOf(key: string): Promise<number>;
  /** Freezes the master on `port` (SIGSTOP): its connections stay open and nothing answers. */
  pause(port: number): void;
  /** Thaws it (SIGCONT). */
  resume(port: number): void;
  /** Resolves once every node's `CLUSTER INFO` says `cluster_state:ok`. */
  untilOk(timeoutMs?: number): Promise<void>;
  /** Closes the clients, kills the servers and removes their directory. */
  stop(): Promise<void>;
}

/** What the test may change in the cluster's configuration. */
export interface TestRedisClusterOptions {
  /**
   * `cluster-node-timeout`: how long a node may be silent before the others count it as failed
   * (and the cluster, without replicas, goes down). @default 15000
   */
  readonly nodeTimeoutMs?: number;
}

/**
 * The Cluster client options the library recommends and the demo uses: fail fast while a node is
 * down or silent (no offline queue, one retry, each command timed out after a second), every
 * command to the master of its slot, MOVED and ASK followed.
 */
export function failFastCluster(nodes: readonly RedisClusterNode[]): Cluster {
  const client = new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      scaleReads: 'master',
      redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 1000, commandTimeout: 1000 },
    },
  );
  client.on('error', () => undefined);
  client.on('node error', () => undefined);
  return client;
}

/** Resolves once `client` is ready; rejects when it ends first or after `timeoutMs`. */
export function clusterReady(client: Cluster, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (outcome: Error | undefined) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (outcome) reject(outcome);
      else resolve();
    };
    const onReady = () => done(undefined);
    const onEnd = () => done(new Error('cluster client ended before it was ready'));
    const timer = setTimeout(() => done(new Error('cluster client not ready in time')), timeoutMs);
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

/** Whether redis-server and redis-cli are installed; with CI=true their absence is a failure. */
export function redisClusterToolsAvailable(): boolean {
  const missing = ['redis-server', 'redis-cli'].filter((tool) => spawnSync(tool, ['--version']).status !== 0);
  if (missing.length === 0) return true;
  if (process.env['CI'] === 'true') throw new Error(`CI=true and ${missing.join(' and ')} not installed (Debian: redis-server, redis-tools)`);
  console.warn(`${missing.join(' and ')} not installed: skipping the Redis Cluster tests.`);
  return false;
}

/**
 * Starts three redis-server processes in cluster mode on free ports below the ephemeral range
 * (their bus ports too), joins them with `redis-cli --cluster create` (three masters, no
 * replicas, the 16384 slots split between them) and waits until every node says
 * `cluster_state:ok`. Undefined when the tools are missing outside CI (the caller skips).
 */
export async function startRedisCluster(options: TestRedisClusterOptions = {}): Promise<TestRedisCluster | undefined> {
  if (!redisClusterToolsAvailable()) return undefined;
  const directory = temporaryDirectory('rampart-cluster-');
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freeClusterNodePort(taken);
    taken.add(port).add(port + 10_000);
    ports.push(port);
  }
  const servers = new Map<number, ChildProcess>();
  const clients: Array<Cluster | Redis> = [];
  const stop = async () => {
    await Promise.all(clients.map((client) => client.disconnect()));
    await Promise.all(
      [...servers.values()].map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.exitCode !== null || server.signalCode !== null) return resolve();
            server.once('exit', () => resolve());
            server.kill('SIGKILL');
          }),
      ),
    );
    servers.clear();
    directory.remove();
  };
  try {
    for (const port of ports) {
      const server = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(directory.path, `nodes-${port}.conf`),
          '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 15_000),
          '--save', '',
          '--appendonly', 'no',
          '--dir', directory.path,
          '--logfile', join(directory.path, `redis-${port}.log`),
        ],
        { stdio: 'ignore' },
      );
      servers.set(port, server);
    }
    const probes = ports.map((port) => {
      const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      clients.push(probe);
      return probe;
    });
    await Promise.all(probes.map((probe) => untilAnswers(probe)));
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    const untilOk = async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(probes.map((probe) => probe.cluster('INFO').then(String, () => '')));
        if (states.every((state) => /^cluster_state:ok\r?$/m.test(state))) return;
        if (Date.now() > deadline) throw new Error(`the cluster is not ok after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await untilOk();
    const nodes = ports.map((port) => ({ host: '127.0.0.1' as const, port }));
    const signal = (port: number, name: NodeJS.Signals) => {
      const server = servers.get(port);
      if (server === undefined) throw new Error(`no cluster node on port ${port}`);
      server.kill(name);
    };
    return {
      nodes,
      nodeList: nodes.map(({ host, port }) => `${host}:${port}`).join(','),
      async client() {
        const client = failFastCluster(nodes);
        clients.push(client);
        await clusterReady(client);
        return client;
      },
      async masterOf(key) {
        const probe = probes[0] as Redis;
        const slot = Number(await probe.cluster('KEYSLOT', key));
        const ranges = await probe.cluster('SLOTS');
        const master = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
        if (master === undefined) throw new Error(`no master serves slot ${slot}`);
        return Number(master[1]);
      },
      pause: (port) => signal(port, 'SIGSTOP'),
      resume: (port) => signal(port, 'SIGCONT'),
      untilOk,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves once a freshly started server answers PING (it may take a moment to listen). */
async function untilAnswers(probe: Redis, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (probe.status !== 'ready') await probe.connect();
      await probe.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('a cluster node did not start');
      probe.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
