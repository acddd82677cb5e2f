/**
 * `npm run soak`: three demo instances on PostgreSQL and Redis behind nginx, driven for a fixed
 * time at a fixed rate by the genuine app's traffic and by attacks, on loopback. Writes
 * bench/soak.md. Not a test: it measures; bounded by SOAK_SECONDS and stops by itself.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { clientDocumentId } from '../../src/demo/client-documents.js';
import { DevelopmentAttester, DevelopmentCaptcha, DevelopmentIssuer } from '../../src/development.js';
import {
  ensureNginx,
  freePort,
  redisFigures,
  repositoryRoot,
  startInstances,
  startNginx,
  temporaryDataDirectory,
  temporaryDatabase,
  type Instance,
} from './infrastructure.js';
import {
  addressOf,
  attackScenarios,
  genuineScenarios,
  outcomeOf,
  pick,
  scraped,
  scraperAllowance,
  type Outcome,
  type Scenario,
  type SoakWorld,
} from './traffic.js';

const seconds = Number(process.env['SOAK_SECONDS'] ?? 120);
const rate = Number(process.env['SOAK_RATE'] ?? 100);
const genuineShare = Number(process.env['SOAK_GENUINE_SHARE'] ?? 0.6);
const userCount = Number(process.env['SOAK_USERS'] ?? 200);
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const adminUrl = process.env['DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const maxInFlight = 2000;

interface Sample {
  readonly at: string;
  readonly rss: readonly number[];
  readonly redisClients: number;
  readonly redisCommands: number;
  readonly postgresConnections: number;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const nginxBinary = ensureNginx();
  say('building the demo (tsc)…');
  const built = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: repositoryRoot,
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('the build failed');

  const database = await temporaryDatabase(adminUrl);
  const dataDir = temporaryDataDirectory();
  const redisPrefix = `soak:${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let instances: Instance[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  try {
    const publicPort = await freePort();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      DATA_DIR: dataDir.path,
      TRUST_PROXY: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // As in production: only the genuine app's documents, by id.
      TRUSTED_DOCUMENTS: 'enforce',
    };
    // The proxy's port is chosen first: every instance names the public origin in tokens and proofs.
    say('starting three instances…');
    instances = await startInstances(3, { ...env, PUBLIC_ORIGIN: `http://127.0.0.1:${publicPort}` });
    nginx = await startNginx(
      nginxBinary,
      instances.map((instance) => instance.port),
      publicPort,
    );
    say(`nginx on ${nginx.origin} in front of ports ${instances.map((instance) => instance.port).join(', ')}`);

    const created = spawnSync(process.execPath, ['bin/rampart.js', 'keys', 'create', '--app', 'soak', '--json'], {
      cwd: repositoryRoot,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    const apiKey = (JSON.parse(created.stdout) as { key: string }).key;
    // An internal tool's key, which may send its own documents: the setup reads stock levels.
    const tools = spawnSync(
      process.execPath,
      ['bin/rampart.js', 'keys', 'create', '--app', 'soak-tools', '--scopes', 'documents:any', '--json'],
      {
        cwd: repositoryRoot,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      },
    );
    const toolsKey = (JSON.parse(tools.stdout) as { key: string }).key;
    const issuer = await DevelopmentIssuer.open(`${dataDir.path}/dev-issuer.json`);
    const world: SoakWorld = {
      origin: nginx.origin,
      apiKey,
      issuer,
      attester: DevelopmentAttester.open(`${dataDir.path}/dev-attester.json`),
      captcha: DevelopmentCaptcha.open(`${dataDir.path}/dev-captcha.json`),
      users: await signUpUsers(nginx.origin, apiKey, issuer, DevelopmentCaptcha.open(`${dataDir.path}/dev-captcha.json`)),
      inStock: await productsInStock(nginx.origin, toolsKey, issuer),
    };
    say(`${world.users.length} genuine users signed up; driving ${rate} requests/s for ${seconds} s…`);

    const sample = async (at: string): Promise<Sample> => {
      const figures = await redisFigures(redis);
      return {
        at,
        rss: instances.map((instance) => instance.rssMiB()),
        redisClients: figures.clients,
        redisCommands: figures.commands,
        postgresConnections: await database.connections(),
      };
    };
    const samples: Sample[] = [await sample('start')];
    const results = await drive(world, async () => {
      samples.push(await sample('middle'));
    });
    samples.push(await sample('end'));

    const exits = await Promise.all(
      instances.map(
        (instance) =>
          new Promise<number | null>((resolve) => {
            instance.child.once('exit', (code) => resolve(code));
            instance.child.kill('SIGTERM');
          }),
      ),
    );
    instances = [];
    writeReport(results, samples, exits, nginx.errorLog());
  } finally {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await nginx?.stop();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
    await database.drop();
    dataDir.remove();
  }
}

/** Signs up the genuine users, each from its own address, and mints their tokens. */
async function signUpUsers(
  origin: string,
  apiKey: string,
  issuer: DevelopmentIssuer,
  captcha: DevelopmentCaptcha,
): Promise<SoakWorld['users']> {
  const users: Array<SoakWorld['users'][number]> = [];
  for (let batch = 0; batch < userCount; batch += 20) {
    const signed = await Promise.all(
      Array.from({ length: Math.min(20, userCount - batch) }, async (_, i) => {
        const n = batch + i;
        const address = addressOf('genuine', n);
        const response = await fetch(`${origin}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': apiKey,
            'x-forwarded-for': address,
            'x-captcha-token': await captcha.solve({ action: 'signup' }),
          },
          body: JSON.stringify({
            documentId: `sha256:${clientDocumentId('SignUp')}`,
            variables: { email: `shopper-${n}-${randomBytes(3).toString('hex')}@example.com`, password: 'correct horse battery' },
          }),
        });
        const body = (await response.json()) as { data?: { signUp?: { id?: string } } };
        const id = body.data?.signUp?.id;
        if (id === undefined) throw new Error(`a genuine sign-up failed: ${JSON.stringify(body)}`);
        const token = await issuer.issueAccessToken({
          subject: id,
          scopes: ['orders:read', 'orders:write', 'reviews:write'],
          ttlSeconds: seconds + 600,
        });
        return { bearer: `Bearer ${token}`, address, device: `device-${n}` };
      }),
    );
    users.push(...signed);
  }
  return users;
}

/** Products with at least 100 in stock, read as a catalog admin (stockLevel needs catalog:admin). */
async function productsInStock(origin: string, apiKey: string, issuer: DevelopmentIssuer): Promise<string[]> {
  const admin = await issuer.issueAccessToken({ subject: 'soak-admin', scopes: ['catalog:admin'], ttlSeconds: 600 });
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, authorization: `Bearer ${admin}`, 'x-forwarded-for': '10.19.0.1' },
    body: JSON.stringify({ query: '{ products(first: 100) { edges { node { id stockLevel } } } }' }),
  });
  const body = (await response.json()) as { data?: { products?: { edges?: Array<{ node: { id: string; stockLevel: number | null } }> } } };
  const ids = (body.data?.products?.edges ?? []).filter((edge) => (edge.node.stockLevel ?? 0) >= 100).map((edge) => edge.node.id);
  if (ids.length === 0) throw new Error(`no product in stock: ${JSON.stringify(body)}`);
  return ids;
}

interface Result {
  readonly scenario: Scenario;
  readonly outcome: Outcome;
  readonly code: string | undefined;
  readonly milliseconds: number;
}

/** Sends the mix at `rate` requests a second for `seconds`, open loop; `atMiddle` runs half-way. */
async function drive(world: SoakWorld, atMiddle: () => Promise<void>): Promise<Result[]> {
  const results: Result[] = [];
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  let sequence = 0;
  let middleDone = false;
  const total = Math.round(rate * seconds);
  while (sequence < total) {
    const elapsed = (performance.now() - started) / 1000;
    if (!middleDone && elapsed >= seconds / 2) {
      middleDone = true;
      await atMiddle();
    }
    const due = Math.min(total, Math.floor(elapsed * rate));
    while (sequence < due && pending.size < maxInFlight) {
      const n = sequence++;
      const genuine = Math.random() < genuineShare;
      const scenario = pick(genuine ? genuineScenarios : attackScenarios, Math.random());
      const began = performance.now();
      const request = scenario
        .send(world, n)
        .then(
          ({ status, body }) => {
            const verdict = outcomeOf(status, body);
            const byDesign = verdict.outcome === 'served' && scenario.servedByDesign?.(body) === true;
            return { ...verdict, ...(byDesign ? { outcome: 'served by design' as const } : {}), milliseconds: performance.now() - began };
          },
          () => ({ outcome: 'failed' as const, code: 'network', milliseconds: performance.now() - began }),
        )
        .then((result) => {
          results.push({ scenario, ...result });
        });
      pending.add(request);
      void request.finally(() => pending.delete(request));
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  return results;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function writeReport(results: readonly Result[], samples: readonly Sample[], exits: readonly (number | null)[], nginxErrors: string): void {
  const rows = new Map<string, { scenario: Scenario; counts: Record<string, number>; times: number[] }>();
  for (const result of results) {
    const row = rows.get(result.scenario.name) ?? { scenario: result.scenario, counts: {}, times: [] };
    const key = result.outcome === 'served' ? 'served' : `${result.outcome}${result.code ? ` ${result.code}` : ''}`;
    row.counts[key] = (row.counts[key] ?? 0) + 1;
    row.times.push(result.milliseconds);
    rows.set(result.scenario.name, row);
  }
  const of = (kind: 'genuine' | 'attack', outcome: Outcome) =>
    results.filter((result) => result.scenario.kind === kind && result.outcome === outcome).length;
  const genuineTimes = results.filter((result) => result.scenario.kind === 'genuine').map((result) => result.milliseconds);
  const [start, middle, end] = samples as [Sample, Sample, Sample];
  const commandsPerRequest = (end.redisCommands - start.redisCommands) / Math.max(1, results.length);
  const rssGrowth = end.rss.map((value, i) => ((value - (middle.rss[i] ?? value)) / (middle.rss[i] ?? value)) * 100);
  const lines = [
    '# Soak: three instances behind nginx, genuine traffic and attacks',
    '',
    `Written by \`npm run soak\`. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, a shared 2-core machine. Three demo instances (compiled, development providers) on one PostgreSQL database and one Redis, behind nginx (\`TRUST_PROXY=127.0.0.1\`; clients named by \`X-Forwarded-For\`), driven open-loop at ${rate} requests/s for ${seconds} s: ${Math.round(genuineShare * 100)} % the genuine app (${userCount} signed-up users, each with its own address and attested device), the rest attacks. Everything on loopback.`,
    '',
    '## Outcomes',
    '',
    '| | count | goal |',
    '| --- | ---: | --- |',
    `| requests | ${results.length} | |`,
    `| genuine served | ${of('genuine', 'served')} | |`,
    `| genuine refused | ${of('genuine', 'refused')} | 0 |`,
    `| attack refused | ${of('attack', 'refused')} | |`,
    `| attack served within the scraper's small budget, by design | ${of('attack', 'served by design')} | |`,
    `| attack served | ${of('attack', 'served')} | 0 |`,
    `| 5xx | ${results.filter((result) => result.outcome === '5xx').length} | 0 |`,
    `| failed (network, timeout) | ${results.filter((result) => result.outcome === 'failed').length} | 0 |`,
    '',
    '| scenario | kind | outcomes | p50 ms | p99 ms |',
    '| --- | --- | --- | ---: | ---: |',
    ...[...rows.values()].map(
      (row) =>
        `| ${row.scenario.name} | ${row.scenario.kind} | ${Object.entries(row.counts)
          .map(([outcome, count]) => `${outcome}: ${count}`)
          .join(', ')} | ${percentile(row.times, 50).toFixed(1)} | ${percentile(row.times, 99).toFixed(1)} |`,
    ),
    '',
    `Genuine calls: p50 ${percentile(genuineTimes, 50).toFixed(1)} ms, p99 ${percentile(genuineTimes, 99).toFixed(1)} ms (a flow of two requests counts as one call).`,
    `The scraper (one stolen key, one address, replaying the app's listing with filters and cursors) read ${scraped.size} distinct products in the whole run (its budget: about ${scraperAllowance}).`,
    '',
    '## Resources',
    '',
    '| | start | middle | end |',
    '| --- | ---: | ---: | ---: |',
    ...[0, 1, 2].map(
      (i) => `| instance ${i + 1} RSS (MiB) | ${start.rss[i]?.toFixed(0)} | ${middle.rss[i]?.toFixed(0)} | ${end.rss[i]?.toFixed(0)} |`,
    ),
    `| Redis clients | ${start.redisClients} | ${middle.redisClients} | ${end.redisClients} |`,
    `| PostgreSQL connections | ${start.postgresConnections} | ${middle.postgresConnections} | ${end.postgresConnections} |`,
    '',
    `RSS at the end against the middle: ${rssGrowth.map((growth) => `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %`).join(', ')} (goal: within 10 %).`,
    `Redis commands per request: ${commandsPerRequest.toFixed(2)} (every command the instances sent, over every request of the run; auto-pipelining sends the commands of one tick in one round trip, so round trips are at most this).`,
    `Instances exited after SIGTERM with ${exits.map(String).join(', ')} (goal: 0).`,
    '',
    ...(nginxErrors.trim() === ''
      ? []
      : ['nginx reported (first lines):', '', '```', ...nginxErrors.trim().split('\n').slice(0, 10), '```', '']),
  ];
  writeFileSync(new URL('../soak.md', import.meta.url), lines.join('\n'));
  say(lines.join('\n'));
}

await main();
