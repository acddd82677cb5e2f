import { listVariants } from '../list-overhead.js';

/**
 * One variant of benchmark 1b's 1,000-item list, executed in process for
 * bench/instruction-counts.ts to count under callgrind: argv[2] is a variant of
 * {@link listVariants} (`unprotected`, `rampart, key and limit on the root`, …). It warms up for
 * WARM executions, prints `ready`, waits four seconds (while the driver turns counting on), runs
 * COUNT executions and exits.
 */
const { variants, runOnce } = await listVariants();
const schema = variants[process.argv[2] ?? 'unprotected'];
if (schema === undefined) throw new Error(`no list variant ${process.argv[2] ?? ''}`);
for (let i = 0; i < Number(process.env['WARM'] ?? 2000); i++) await runOnce(schema);
process.stdout.write('ready\n');
await new Promise((resolve) => setTimeout(resolve, 4000));
for (let i = 0; i < Number(process.env['COUNT'] ?? 300); i++) await runOnce(schema);
process.exit(0);
