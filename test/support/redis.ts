import { Redis } from 'ioredis';
import { freeServerPort } from './free-port.js';

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

/** A redis-server of this test's own, on a free port, that the test may stop and start. */
export interface PrivateRedis {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

/**
 * Starts a private redis-server (so that stopping it disturbs no other test). Undefined when the
 * binary is missing outside CI (the caller skips); with CI=true a missing binary fails.
 */
export async function startPrivateRedis(): Promise<PrivateRedis | undefined> {
  const { spawn, spawnSync } = await import('node:child_process');
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    if (process.env['CI'] === 'true') throw new Error('CI=true and redis-server is not installed');
    console.warn('redis-server is not installed: skipping the Redis outage tests.');
    return undefined;
  }
  const port = await freeServerPort();
  let child: import('node:child_process').ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error('private redis-server did not start');
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
}
