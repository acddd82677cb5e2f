import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The repository root (bench/soak/ is two levels down). */
export const repositoryRoot = new URL('../../', import.meta.url).pathname;

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The nginx binary: installed from Debian's package when missing (as root, or through sudo). */
export function ensureNginx(): string {
  const found = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' });
  const path = found.stdout.trim().split('\n')[0];
  if (found.status === 0 && path) return path;
  process.stdout.write("nginx is missing: installing Debian's nginx-light\n");
  const apt = (...args: string[]) =>
    process.getuid?.() === 0
      ? spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      : spawnSync('sudo', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], { stdio: 'inherit' });
  apt('update', '-qq');
  if (apt('install', '-y', '-qq', 'nginx-light').status !== 0) {
    throw new Error('could not install nginx (apt-get install nginx-light failed): install it and run again');
  }
  return '/usr/sbin/nginx';
}

/** nginx in front of `upstreams`, on its own port, with its files in a temporary directory. */
export async function startNginx(
  binary: string,
  upstreams: readonly number[],
  port: number,
): Promise<{ origin: string; child: ChildProcess; errorLog(): string; stop(): Promise<void> }> {
  const prefix = mkdtempSync(join(tmpdir(), 'rampart-soak-nginx-'));
  for (const folder of ['logs', 'temp']) mkdirSync(join(prefix, folder), { recursive: true });
  const config = `
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/temp/body;
  proxy_temp_path ${prefix}/temp/proxy;
  fastcgi_temp_path ${prefix}/temp/fastcgi;
  uwsgi_temp_path ${prefix}/temp/uwsgi;
  scgi_temp_path ${prefix}/temp/scgi;
  upstream rampart {
${upstreams.map((upstream) => `    server 127.0.0.1:${upstream};`).join('\n')}
    keepalive 64;
    # Below Node's 5 s keep-alive: nginx never reuses a connection the instance is closing.
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 128k;
    location / {
      proxy_pass http://rampart;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 30s;
    }
  }
}
`;
  writeFileSync(join(prefix, 'nginx.conf'), config);
  const child = spawn(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetch(`${origin}/healthz`);
      break;
    } catch {
      if (attempt > 100 || child.exitCode !== null) throw new Error(`nginx did not start: ${errors}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    origin,
    child,
    errorLog: () => {
      try {
        return readFileSync(join(prefix, 'logs', 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      child.kill('SIGQUIT');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** A demo instance in its own process (the compiled demo, as `npm start` runs it). */
export interface Instance {
  readonly port: number;
  readonly child: ChildProcess;
  /** Resident memory, in MiB, from /proc. */
  rssMiB(): number;
  output(): string;
}

/** Starts `count` demo instances at once on their own ports, sharing `env`. */
export async function startInstances(count: number, env: Record<string, string>): Promise<Instance[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, ['dist/demo/main.js'], {
        cwd: repositoryRoot,
        env: { ...process.env, NODE_ENV: 'development', ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`an instance did not start:\n${output}`)), 60_000);
        const look = () => {
          if (output.includes('listening on')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', look);
        child.once('exit', () => reject(new Error(`an instance exited:\n${output}`)));
      });
      return {
        port,
        child,
        rssMiB() {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
          return kib / 1024;
        },
        output: () => output,
      };
    }),
  );
}

/** A fresh PostgreSQL database for the soak, dropped afterwards. */
export async function temporaryDatabase(adminUrl: string): Promise<{ url: string; connections(): Promise<number>; drop(): Promise<void> }> {
  const name = `rampart_soak_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async connections() {
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      return (rows[0] as { n: number }).n;
    },
    async drop() {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

/** Redis figures for the report: clients connected and commands processed so far. */
export async function redisFigures(redis: Redis): Promise<{ clients: number; commands: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { clients: field('connected_clients'), commands: field('total_commands_processed') };
}

/** A temporary data directory shared by the instances (development providers' keys). */
export function temporaryDataDirectory(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'rampart-soak-data-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
