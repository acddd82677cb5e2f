import { writeFileSync } from 'node:fs';
import { measureListOverhead } from './list-overhead.js';

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 9);
const iterations = Number(process.env['BENCH_ITERATIONS'] ?? 40);

const rows = await measureListOverhead(rounds, iterations);
const lines = [
  '# Benchmarks',
  '',
  `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Medians of ${rounds} interleaved rounds of ${iterations} executions each; ratios are per round against the unprotected schema, then the median.`,
  '',
  '## 1,000-item list, per-item field protected by @requiresApiKey (in-process `execute`)',
  '',
  '| variant | executions/s (median) | ratio to unprotected (median) |',
  '| --- | ---: | ---: |',
  ...rows.map((row) => `| ${row.name} | ${row.opsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`),
  '',
];
writeFileSync(new URL('./results.md', import.meta.url), lines.join('\n'));
process.stdout.write(lines.join('\n'));
