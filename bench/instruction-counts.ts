import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Instructions one request costs, counted by callgrind. */
export interface InstructionCount {
  /** The pair it belongs to: `cost`, `demo` or `list`. */
  readonly pair: string;
  readonly variant: string;
  /** The pair's unprotected variant. */
  readonly stripped: boolean;
  /** Every instruction of the process while it served the counted requests, per request. */
  readonly perRequest: number;
  /** Of those, V8's compilers' (functions still being compiled or optimized), per request. */
  readonly compilerPerRequest: number;
}

const compilerSymbol = /compiler::|Compil|Turbofan|Maglev|Zone::/;

/** One variant to count: the process that serves it (bench/instructions/), and how long. */
interface Counted {
  readonly pair: string;
  readonly variant: string;
  readonly stripped: boolean;
  readonly script: 'listing-process' | 'list-process';
  readonly warm: number;
  readonly count: number;
}

/**
 * Counts the instructions per request of one variant with `valgrind --tool=callgrind`:
 * instrumentation off while it warms up, on for `count` requests. Instruction counts repeat to
 * within a fraction of a percent whatever else the machine runs, which seconds on this shared
 * machine do not.
 */
function countVariant(counted: Counted, directory: string): Promise<InstructionCount> {
  const { pair, variant, stripped, warm, count } = counted;
  const compiled = import.meta.url.endsWith('.js');
  const script = fileURLToPath(new URL(`./instructions/${counted.script}.${compiled ? 'js' : 'ts'}`, import.meta.url));
  const out = join(directory, `callgrind.${pair}.${stripped ? 'stripped' : 'protected'}`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...(compiled ? [] : ['--import', 'tsx']),
      script,
      variant,
    ],
    { env: { ...process.env, NODE_ENV: 'production', WARM: String(warm), COUNT: String(count) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('ready')) spawnSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
  });
  return new Promise((resolve, reject) => {
    // 'close', not 'exit': valgrind's summary on stderr must have been read to the end.
    child.once('close', (code) => {
      const collected = /Collected : (\d+)/.exec(log);
      if (code !== 0 || collected === null) {
        reject(new Error(`callgrind of ${variant} failed (exit ${code}): ${log.slice(-500)}`));
        return;
      }
      const annotated = spawnSync('callgrind_annotate', ['--threshold=100', out], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
      let compiler = 0;
      for (const line of annotated.split('\n')) {
        const row = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
        if (row && !line.includes('PROGRAM TOTALS') && compilerSymbol.test(row[2] as string))
          compiler += Number((row[1] as string).replaceAll(',', ''));
      }
      resolve({ pair, variant, stripped, perRequest: Number(collected[1]) / count, compilerPerRequest: compiler / count });
    });
  });
}

/** Whether valgrind's callgrind can run here. */
export function callgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Instructions per request, protected and stripped, two variants at a time (one per core):
 * benchmark 2b's listing (`cost-stripped`, `cost`), benchmark 2's (`demo-stripped`, `demo`), and
 * benchmark 1b's 1,000-item list (unprotected, and the key and the limit on the root above a
 * per-item `@auth`).
 */
export async function countListingInstructions(): Promise<InstructionCount[]> {
  const listing = { script: 'listing-process', warm: 12_000, count: 1000 } as const;
  const list = { script: 'list-process', warm: 2000, count: 300 } as const;
  const pairs: ReadonlyArray<readonly [Counted, Counted]> = [
    [
      { ...listing, pair: 'cost', variant: 'cost-stripped', stripped: true },
      { ...listing, pair: 'cost', variant: 'cost', stripped: false },
    ],
    [
      { ...listing, pair: 'demo', variant: 'demo-stripped', stripped: true },
      { ...listing, pair: 'demo', variant: 'demo', stripped: false },
    ],
    [
      { ...list, pair: 'list', variant: 'unprotected', stripped: true },
      { ...list, pair: 'list', variant: 'rampart, key and limit on the root', stripped: false },
    ],
  ];
  const directory = mkdtempSync(join(tmpdir(), 'rampart-callgrind-'));
  try {
    const rows: InstructionCount[] = [];
    for (const pair of pairs) rows.push(...(await Promise.all(pair.map((counted) => countVariant(counted, directory)))));
    return rows;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** For a one-off run: `node .bench-build/bench/instruction-counts.js` prints the counts. */
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await countListingInstructions()) {
    process.stdout.write(`${row.pair} ${row.variant}: ${row.perRequest.toFixed(0)} (compiler ${row.compilerPerRequest.toFixed(0)})\n`);
  }
}
