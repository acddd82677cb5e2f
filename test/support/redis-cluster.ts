import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { redisClusterOptions } from '../../src/demo/redis-cluster.js';
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
  /** Kills the master on `port` (SIGKILL): its connections close, and it refuses new ones. */
  kill(port: number): Promise<void>;
  /** Starts the killed master on `port` again, from its nodes file (same id, same slots). */
  restart(port: number): Promise<void>;
  /** Resolves once every node's `CLUSTER INFO` says `cluster_state:ok`. */
  untilOk(timeoutMs?: number): Promise<void>;
  /** Resolves once the node on `port` says `cluster_state:fail` (a master it counts as failed). */
  untilFailed(port: number, timeoutMs?: number): Promise<void>;
  /**
   * Moves the hash slot of `key` to the master on `toPort` as `redis-cli --cluster reshard` does,
   * in three steps a test can act between: {@link beginMigration} (the target IMPORTING, the
   * source MIGRATING), {@link migrateKeys} (MIGRATE every key of the slot), {@link finishMigration}
   * (every master told the slot's new owner).
   */
  beginMigration(key: string, toPort: number): Promise<void>;
  /** Moves every key of the migrating slot of `key` to its target; how many moved. */
  migrateKeys(key: string): Promise<number>;
  /** Gives the migrating slot of `key` to its target on every master. */
  finishMigration(key: string): Promise<void>;
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
  /** `requirepass` (and `masterauth`) of every node. @default none */
  readonly password?: string;
}

/**
 * A Cluster client with the options the demo uses (src/demo/redis-cluster.ts): fail fast while a
 * node is down or silent (no offline queue, one retry, each command timed out after a second),
 * every command to the master of its slot, MOVED and ASK followed.
 */
export function failFastCluster(nodes: readonly RedisClusterNode[], password?: string): Cluster {
  const client = new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    redisClusterOptions({ nodes, username: undefined, password, tls: false }),
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
  if (process.env['CI'] === 'true')
    throw new Error(`CI=true and ${missing.join(' and ')} not installed (Debian: redis-server, redis-tools)`);
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
    for (const client of clients) client.disconnect();
    await Promise.all(
      [...servers.values()].map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.exitCode !== null || server.signalCode !== null) {
              resolve();
              return;
            }
            server.once('exit', () => resolve());
            server.kill('SIGKILL');
          }),
      ),
    );
    servers.clear();
    directory.remove();
  };
  try {
    const startNode = (port: number) => {
      const server = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(directory.path, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(options.nodeTimeoutMs ?? 15_000),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          directory.path,
          '--logfile',
          join(directory.path, `redis-${port}.log`),
          ...(options.password === undefined ? [] : ['--requirepass', options.password, '--masterauth', options.password]),
        ],
        { stdio: 'ignore' },
      );
      servers.set(port, server);
    };
    for (const port of ports) startNode(port);
    const probes = ports.map((port) => {
      const probe = new Redis({
        host: '127.0.0.1',
        port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        ...(options.password === undefined ? {} : { password: options.password }),
      });
      probe.on('error', () => undefined);
      clients.push(probe);
      return probe;
    });
    await Promise.all(probes.map((probe) => untilAnswers(probe)));
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      // The password through the environment, not the command line (where ps would show it).
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, ...(options.password === undefined ? {} : { REDISCLI_AUTH: options.password }) },
      },
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
    const untilFailed = async (port: number, timeoutMs = 30_000) => {
      const probe = probes[ports.indexOf(port)] as Redis;
      const deadline = Date.now() + timeoutMs;
      while (!/^cluster_state:fail\r?$/m.test(await probe.cluster('INFO').then(String, () => ''))) {
        if (Date.now() > deadline) throw new Error(`node ${port} did not count the cluster as failed within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const ids = await Promise.all(probes.map((probe) => probe.cluster('MYID').then(String)));
    const probeOf = (port: number) => probes[ports.indexOf(port)] as Redis;
    const idOf = (port: number) => ids[ports.indexOf(port)] as string;
    const masterOf = async (key: string) => {
      const probe = probes[0] as Redis;
      const slot = await probe.cluster('KEYSLOT', key);
      const ranges = await probe.cluster('SLOTS');
      const master = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
      if (master === undefined) throw new Error(`no master serves slot ${slot}`);
      return master[1];
    };
    const migrations = new Map<number, { from: number; to: number }>();
    const slotOf = (key: string) => (probes[0] as Redis).cluster('KEYSLOT', key);
    const migrationOf = async (key: string) => {
      const slot = await slotOf(key);
      const migration = migrations.get(slot);
      if (migration === undefined) throw new Error(`the slot of ${key} is not migrating`);
      return { slot, ...migration };
    };
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
        const client = failFastCluster(nodes, options.password);
        clients.push(client);
        await clusterReady(client);
        return client;
      },
      masterOf,
      async beginMigration(key, toPort) {
        const [slot, from] = [await slotOf(key), await masterOf(key)];
        if (from === toPort) throw new Error(`the slot of ${key} is on ${toPort} already`);
        await probeOf(toPort).cluster('SETSLOT', slot, 'IMPORTING', idOf(from));
        await probeOf(from).cluster('SETSLOT', slot, 'MIGRATING', idOf(toPort));
        migrations.set(slot, { from, to: toPort });
      },
      async migrateKeys(key) {
        const { slot, from, to } = await migrationOf(key);
        const auth = options.password === undefined ? [] : ['AUTH', options.password];
        let moved = 0;
        for (;;) {
          const keys = await probeOf(from).cluster('GETKEYSINSLOT', slot, 100);
          if (keys.length === 0) return moved;
          await probeOf(from).call('MIGRATE', '127.0.0.1', to, '', 0, 5000, ...auth, 'KEYS', ...keys);
          moved += keys.length;
        }
      },
      async finishMigration(key) {
        const { slot, from, to } = await migrationOf(key);
        // The target first, then the source, then the other masters (as redis-cli does).
        for (const port of [to, from, ...ports.filter((port) => port !== to && port !== from)]) {
          await probeOf(port).cluster('SETSLOT', slot, 'NODE', idOf(to));
        }
        migrations.delete(slot);
      },
      pause: (port) => signal(port, 'SIGSTOP'),
      resume: (port) => signal(port, 'SIGCONT'),
      async kill(port) {
        const server = servers.get(port);
        if (server === undefined) throw new Error(`no cluster node on port ${port}`);
        if (server.exitCode === null && server.signalCode === null) {
          await new Promise<void>((resolve) => {
            server.once('exit', () => resolve());
            server.kill('SIGKILL');
          });
        }
      },
      async restart(port) {
        startNode(port);
        await untilAnswers(probes[ports.indexOf(port)] as Redis);
      },
      untilOk,
      untilFailed,
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
