import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Instructions one listing request costs, counted by callgrind. */
export interface InstructionCount {
  readonly variant: string;
  /** Every instruction of the process while it served the counted requests, per request. */
  readonly perRequest: number;
  /** Of those, V8's optimizing compilers' (functions still being optimized), per request. */
  readonly compilerPerRequest: number;
}

const compilerSymbol = /compiler::|Compil|Turbofan|Maglev|Zone::/;

/**
 * Counts the instructions per request of a variant of the listing (bench/instructions/listing-process.ts)
 * with `valgrind --tool=callgrind`: instrumentation off while it warms up, on for `count` requests.
 * Instruction counts repeat to within a fraction of a percent whatever else the machine runs,
 * which seconds on this shared machine do not.
 */
function countVariant(variant: string, warm: number, count: number, directory: string): Promise<InstructionCount> {
  const compiled = import.meta.url.endsWith('.js');
  const script = fileURLToPath(new URL(`./instructions/listing-process.${compiled ? 'js' : 'ts'}`, import.meta.url));
  const out = join(directory, `callgrind.${variant}`);
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
    child.once('exit', (code) => {
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
      resolve({ variant, perRequest: Number(collected[1]) / count, compilerPerRequest: compiler / count });
    });
  });
}

/** Whether valgrind's callgrind can run here. */
export function callgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The listing's instructions per request, protected and stripped, two variants at a time (one per
 * core): benchmark 2b's pair (`cost-stripped`, `cost`) and benchmark 2's (`demo-stripped`, `demo`).
 */
export async function countListingInstructions(warm = 12_000, count = 1000): Promise<InstructionCount[]> {
  const directory = mkdtempSync(join(tmpdir(), 'rampart-callgrind-'));
  try {
    const rows: InstructionCount[] = [];
    for (const pair of [
      ['cost-stripped', 'cost'],
      ['demo-stripped', 'demo'],
    ]) {
      rows.push(...(await Promise.all(pair.map((variant) => countVariant(variant, warm, count, directory)))));
    }
    return rows;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** For a one-off run: `node .bench-build/bench/instruction-counts.js` prints the counts. */
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await countListingInstructions(Number(process.env['WARM'] ?? 12_000), Number(process.env['COUNT'] ?? 1000))) {
    process.stdout.write(`${row.variant} ${row.perRequest.toFixed(0)} ${row.compilerPerRequest.toFixed(0)}\n`);
  }
}
