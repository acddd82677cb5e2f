import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from '../statistics.js';

/** A benchmark variant running in its own process. */
export interface Variant {
  readonly name: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Printed by the process before it listens (e.g. `key rampart_…`). */
  readonly announced: Record<string, string>;
  readonly process: ChildProcess;
}

/**
 * Starts `script` (a path such as `bench/http/catalog-server.ts`) with `args` in production mode;
 * resolves once it listens. `nodeOptions` go before the script (`--cpu-prof`, …). Under `npm run
 * bench` (this module compiled to .bench-build/) it runs the compiled script with plain Node, as
 * the package runs; from TypeScript it runs the script through tsx.
 */
export function startVariant(
  name: string,
  script: string,
  args: readonly string[],
  nodeOptions: readonly string[] = [],
): Promise<Omit<Variant, 'headers' | 'body'>> {
  const compiled = import.meta.url.endsWith('.js');
  const entry = compiled
    ? [fileURLToPath(new URL(`../../${script.replace(/\.ts$/, '.js')}`, import.meta.url))]
    : ['--import', 'tsx', script];
  const child = spawn(process.execPath, [...nodeOptions, ...entry, ...args], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const announced: Record<string, string> = {};
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const [word, value] = line.split(' ');
        if (word === undefined || value === undefined) continue;
        if (word === 'listening') {
          resolve({ name, url: `http://127.0.0.1:${value}/graphql`, announced, process: child });
        } else {
          announced[word] = value;
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
}

/** Requests per second against one variant for `seconds`, refusing to count errors or non-2xx. */
export async function throughput(variant: Variant, seconds: number, connections: number): Promise<number> {
  const result = await autocannon({
    url: variant.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...variant.headers },
    body: variant.body,
    connections,
    duration: seconds,
  });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${variant.name}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return result.requests.average;
}

/**
 * Measures every variant in interleaved rounds (so that machine noise hits all alike) and reports,
 * per variant, the median requests per second and the median of its per-round ratio to the first.
 */
export async function sideBySide(variants: readonly Variant[], rounds: number, seconds: number, connections: number) {
  const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
  for (const variant of variants) await throughput(variant, 1, connections); // warm up
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) samples.get(variant.name)?.push(await throughput(variant, seconds, connections));
  }
  const base = samples.get(variants[0]?.name as string) as number[];
  return variants.map((variant) => {
    const own = samples.get(variant.name) as number[];
    return {
      name: variant.name,
      requestsPerSecond: median(own),
      ratio: median(own.map((value, round) => value / (base[round] as number))),
    };
  });
}
