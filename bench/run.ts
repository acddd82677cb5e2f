import { writeFileSync } from 'node:fs';
import { measureListOverhead } from './list-overhead.js';
import { measureRateLimitDecisions } from './rate-limit-decisions.js';
import { measureTokenVerification } from './token-verification.js';

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 9);
const iterations = Number(process.env['BENCH_ITERATIONS'] ?? 40);

const list = await measureListOverhead(rounds, iterations);
const tokens = await measureTokenVerification(rounds, 200);
const limits = await measureRateLimitDecisions(Math.min(rounds, 5));
const lines = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\`. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine: read ratios, not absolute figures. \`NODE_ENV=production\`, as graphql-js runs in production (without it, its development-mode checks slow every field and make any wrapper look cheaper). Medians of ${rounds} interleaved rounds.`,
  '',
  '## 1,000-item list, per-item field protected by `@requiresApiKey @auth` (in-process `execute`)',
  '',
  `Each execution is a new request (new security context): the key and the token are verified once per request, before the list resolves (the token from the verified-token cache), then the field decides once for the request and each further item costs one comparison. ${iterations} executions per round; ratios per round against the unprotected schema, then the median.`,
  '',
  '| variant | executions/s (median) | ratio to unprotected (median) |',
  '| --- | ---: | ---: |',
  ...list.map((row) => `| ${row.name} | ${row.opsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`),
  '',
  '## Access-token verification through `@auth`, per request',
  '',
  'First sight: signature and claims checked with jose. Repeat: the verified-token cache (SHA-256 of the token, bounded LRU, never past `exp`). 200 distinct tokens per round, each verified twice.',
  '',
  '| algorithm | first sight (verifications/s) | repeat, cached (verifications/s) | speed-up | cache hits / misses (last round) |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...tokens.map((row) => `| ${row.alg} | ${row.firstSight.toFixed(0)} | ${row.cached.toFixed(0)} | ${(row.cached / row.firstSight).toFixed(1)}x | ${row.hits} / ${row.misses} |`),
  '',
  '## Rate-limit decisions',
  '',
  'Memory store: 200,000 decisions on random identities among N live ones (each decision one map lookup and a few array operations). Redis store: 10,000 decisions per round issued concurrently through one ioredis client with auto-pipelining, one Lua script per decision, on loopback.',
  '',
  '| store | live identities | decisions/s (median) |',
  '| --- | ---: | ---: |',
  ...limits.memory.map((row) => `| memory | ${row.identities.toLocaleString('en')} | ${row.decisionsPerSecond.toFixed(0)} |`),
  `| Redis | 10,000 per round | ${limits.redis.decisionsPerSecond.toFixed(0)} |`,
  '',
  `A GraphQL request with ten rate-limited aliases on the Redis store costs ${limits.redis.writesPerRequest.toFixed(1)} socket writes (round trips) on average: the decisions of one execution tick travel together.`,
  '',
];
writeFileSync(new URL('./results.md', import.meta.url), lines.join('\n'));
process.stdout.write(lines.join('\n'));
