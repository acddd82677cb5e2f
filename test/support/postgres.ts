import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { freeServerPort } from './free-port.js';

/** The server tests create their databases on. */
export const postgresAdminUrl = process.env['DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Whether PostgreSQL answers. With CI=true a missing server is a failure (CI must provide it);
 * elsewhere the PostgreSQL tests are skipped, saying so.
 */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    if (process.env['CI'] === 'true') throw new Error(`CI=true and PostgreSQL does not answer at ${postgresAdminUrl}`);
    console.warn(`PostgreSQL does not answer at ${postgresAdminUrl}: skipping the PostgreSQL tests (CI=true makes this a failure).`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh, empty database for one test file, and a function that drops it. */
export async function temporaryPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rampart_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const client = new pg.Client({ connectionString: postgresAdminUrl });
      await client.connect();
      // Connections the test has just ended may still be closing: give them a moment to leave,
      // so that terminating them does not hit a client whose owner stopped listening for errors.
      const others = 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()';
      for (let i = 0; i < 40 && (await client.query(others, [name])).rows[0].n > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      await client.end();
    },
  };
}

/** A PostgreSQL server of this test's own, on a free port, that the test may stop and start. */
export interface PrivatePostgres {
  /** The admin URL (database `postgres`, user `postgres`, trust authentication). */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server and its backends (SIGSTOP): connections stay open and nothing answers. */
  pause(): void;
  /** Thaws them (SIGCONT). */
  resume(): void;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

/**
 * Starts a private PostgreSQL cluster (initdb in a temporary directory, run as the `postgres`
 * user), so that stopping it disturbs no other test. Undefined when the binaries are missing
 * outside CI (the caller skips); with CI=true a missing binary fails.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres | undefined> {
  const { execFileSync, spawn, spawnSync } = await import('node:child_process');
  const { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir, userInfo } = await import('node:os');
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)) : [];
  const bin = versions.length > 0 ? `/usr/lib/postgresql/${versions.at(-1)}/bin` : undefined;
  const asPostgres = userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (bin === undefined || (asPostgres.length > 0 && spawnSync('id', ['postgres']).status !== 0)) {
    if (process.env['CI'] === 'true') throw new Error('CI=true and PostgreSQL binaries (or the postgres user) are missing');
    console.warn('PostgreSQL binaries are missing: skipping the PostgreSQL outage tests.');
    return undefined;
  }
  const port = await freeServerPort();
  const directory = mkdtempSync(join(tmpdir(), 'rampart-pg-'));
  if (asPostgres.length > 0) {
    const { uid, gid } = {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
    };
    chownSync(directory, uid, gid);
  }
  // Waits for the command without blocking the event loop (pg_ctl -w waits for the server).
  const run = (command: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [program, ...rest] = [...asPostgres, join(bin, command), ...args];
      const child = spawn(program as string, rest, { stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code ?? 'a signal'}`))));
    });
  await run('initdb', ['-D', join(directory, 'data'), '-A', 'trust', '-U', 'postgres']);
  const start = () =>
    run('pg_ctl', [
      '-D',
      join(directory, 'data'),
      '-o',
      `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1`,
      '-l',
      join(directory, 'log'),
      '-w',
      'start',
    ]);
  const stop = async () => {
    try {
      await run('pg_ctl', ['-D', join(directory, 'data'), '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
  };
  const signal = (pids: number[], name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // a backend that ended meanwhile
      }
    }
  };
  const processes = () => {
    const pidFile = join(directory, 'data', 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    const children = spawnSync('pgrep', ['-P', String(postmaster)])
      .stdout.toString()
      .split('\n')
      .filter(Boolean)
      .map(Number);
    return [postmaster, ...children];
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    pause: () => signal(processes(), 'SIGSTOP'),
    resume: () => signal(processes(), 'SIGCONT'),
    async destroy() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
