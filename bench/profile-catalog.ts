import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { summariseCpuProfile, type ProfileRow } from './cpu-profile.js';
import { catalogFixture } from './http-benchmarks.js';
import { startVariant, throughput, type Variant } from './http/side-by-side.js';

/** A CPU profile of one catalog server variant under load, summarised. */
export interface CatalogProfile {
  readonly variant: string;
  readonly requestsPerSecond: number;
  /** About how many requests the profile holds (warm-up included). */
  readonly requests: number;
  readonly totalMs: number;
  /** Functions with the most self time. */
  readonly functions: readonly ProfileRow[];
  /** Self time per file of this project and per package. */
  readonly places: readonly ProfileRow[];
  /** The `.cpuprofile`, when kept. */
  readonly path: string | undefined;
}

/**
 * `node --cpu-prof` on bench/http/catalog-server.ts (default `memory`: the demo's listing with
 * every protection), driven by autocannon (10 connections) for `seconds`, then summarised.
 */
export async function profileCatalog(variantName = 'memory', seconds = 20, keep = false): Promise<CatalogProfile> {
  const fixture = await catalogFixture();
  const directory = mkdtempSync(join(tmpdir(), 'rampart-profile-'));
  let requestsPerSecond: number;
  try {
    // The first start seeds the catalog. The profiled one writes its profile when it exits on SIGTERM.
    const seeder = await startVariant('stripped', 'bench/http/catalog-server.ts', ['stripped', fixture.settings]);
    seeder.process.kill();
    const started = await startVariant(
      variantName,
      'bench/http/catalog-server.ts',
      [variantName, fixture.settings],
      ['--cpu-prof', '--cpu-prof-dir', directory, "--import=data:text/javascript,process.once('SIGTERM',()=>process.exit(0))"],
    );
    try {
      const variant: Variant = { ...started, body: fixture.body, headers: variantName === 'stripped' ? {} : fixture.headers(started) };
      await fixture.check(variant);
      await throughput(variant, 2, 10); // warm up
      requestsPerSecond = await throughput(variant, seconds, 10);
    } finally {
      const exited = new Promise((resolve) => started.process.once('exit', resolve));
      started.process.kill('SIGTERM');
      await exited;
    }
    const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`no profile in ${directory}`);
    const functions = summariseCpuProfile(join(directory, file), 'function', 40);
    const places = summariseCpuProfile(join(directory, file), 'place', 30);
    const kept = keep ? join(directory, file) : undefined;
    return {
      variant: variantName,
      requestsPerSecond,
      requests: requestsPerSecond * (seconds + 2),
      totalMs: functions.totalMs,
      functions: functions.rows,
      places: places.rows,
      path: kept,
    };
  } finally {
    fixture.remove();
    if (!keep) rmSync(directory, { recursive: true, force: true });
  }
}

/** `NODE_ENV=production node --import tsx bench/profile-catalog.ts [variant] [seconds]` prints the summary. */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const profile = await profileCatalog(process.argv[2], Number(process.argv[3] ?? 20), true);
  process.stdout.write(`${profile.variant}: ${profile.requestsPerSecond.toFixed(0)} requests/s (profiled)\n`);
  for (const [title, rows] of [
    ['function', profile.functions],
    ['file or package', profile.places],
  ] as const) {
    process.stdout.write(
      `\nself time by ${title} (of ${profile.totalMs.toFixed(0)} ms sampled; µs per request of about ${profile.requests.toFixed(0)})\n`,
    );
    for (const row of rows) {
      process.stdout.write(
        `${(row.share * 100).toFixed(1).padStart(5)}%  ${((row.selfMs * 1000) / profile.requests).toFixed(1).padStart(6)} µs  ${row.name}\n`,
      );
    }
  }
  process.stdout.write(`\nprofile: ${profile.path}\n`);
}
