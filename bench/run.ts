import { writeFileSync } from 'node:fs';
import { measureCatalogOverHttp, measureCostOverHttp, measureListOverHttp } from './http-benchmarks.js';
import { measureListOverhead } from './list-overhead.js';
import { measureRateLimitDecisions } from './rate-limit-decisions.js';
import { measureTokenVerification } from './token-verification.js';
import { redisAnswers } from './redis-answers.js';
import { measureTrustedDocumentsOverHttp } from './trusted-documents.js';

const rounds = Number(process.env['BENCH_ROUNDS'] ?? 9);
const iterations = Number(process.env['BENCH_ITERATIONS'] ?? 40);

const httpRounds = Number(process.env['BENCH_HTTP_ROUNDS'] ?? 5);
const httpSeconds = Number(process.env['BENCH_HTTP_SECONDS'] ?? 3);
const redisAvailable = await redisAnswers(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const listHttp = await measureListOverHttp(httpRounds, httpSeconds);
const catalogHttp = await measureCatalogOverHttp(httpRounds, httpSeconds, redisAvailable);
const costHttp = await measureCostOverHttp(httpRounds, httpSeconds);
const list = await measureListOverhead(rounds, iterations);
const tokens = await measureTokenVerification(rounds, 200);
const limits = await measureRateLimitDecisions(Math.min(rounds, 5));
const documents = await measureTrustedDocumentsOverHttp(httpRounds, httpSeconds);
const lines = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\`. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine: read ratios, not absolute figures. \`NODE_ENV=production\`, as graphql-js runs in production (without it, its development-mode checks slow every field and make any wrapper look cheaper). Medians of ${rounds} interleaved rounds.`,
  '',
  '## 1. A 1,000-item list whose per-item field needs a user token, over HTTP',
  '',
  `autocannon on loopback, 10 connections, ${httpRounds} interleaved rounds of ${httpSeconds} s per variant; each variant in its own process behind the same minimal endpoint (parse cached, \`execute\`, JSON). Every protected variant verifies the token once per request and reuses verified tokens across requests, so only the per-field cost differs. graphql-shield uses the equivalent rule with \`cache: 'contextual'\`. Goal: graphql-rampart at 0.90x of unprotected or better.`,
  '',
  '| variant | requests/s (median) | ratio to unprotected (median) |',
  '| --- | ---: | ---: |',
  ...listHttp.map((row) => `| ${row.name === 'rampart' ? 'graphql-rampart (@auth)' : row.name === 'shield' ? 'graphql-shield' : row.name === 'async' ? 'async per-field wrapper' : row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`),
  '',
  '## 2. The demo\'s catalog listing with its protections on the path, over HTTP',
  '',
  `\`products(first: 20, after: <the 200th product>) { edges { node { name price wholesalePrice category { name } } } }\` with an API key, a rate limit, the cost budget (an attested app instance\'s), and a user token with \`catalog:admin\` for the per-item \`wholesalePrice\`; against the same SDL and resolvers with every directive stripped. Same method as above. Goals: 0.85x with memory stores, 0.75x with Redis.${redisAvailable ? '' : ' (Redis did not answer: no Redis row.)'}`,
  '',
  '| variant | requests/s (median) | ratio to stripped (median) |',
  '| --- | ---: | ---: |',
  ...catalogHttp.map((row) => `| ${row.name === 'stripped' ? 'directives stripped' : row.name === 'memory' ? 'protected, memory stores' : 'protected, Redis stores'} | ${row.requestsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`),
  '',
  '## 2b. Cost analysis and a budget decision on the demo\'s listing, over HTTP',
  '',
  `\`products(first: 20, after: <the 200th product>) { edges { node { name price category { name } } } }\` on the stripped server, and on the same server with \`@cost\`/\`@listSize\` enforced: the operation\'s static cost (cached per document and the variables it reads), a budget charged in a memory store, the actual cost from the result, the refund and \`extensions.cost\` on the response. Same method as above. Goal: 0.97x or better (the analysis runs once per operation, not per item).`,
  '',
  '| variant | requests/s (median) | ratio to stripped (median) |',
  '| --- | ---: | ---: |',
  ...costHttp.map((row) => `| ${row.name === 'stripped' ? 'directives stripped' : 'cost analysis and a budget (memory store)'} | ${row.requestsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`),
  '',
  '## 1b. The same list, in process (`execute`, no HTTP)',
  '',
  `Each execution is a new request (new security context): the key and the token are verified once per request, before the list resolves (the token from the verified-token cache), then the field decides once for the request and each further item costs one comparison. ${iterations} executions per round; ratios per round against the unprotected schema, then the median.`,
  '',
  '| variant | executions/s (median) | ratio to unprotected (median) |',
  '| --- | ---: | ---: |',
  ...list.map((row) => `| ${row.name} | ${row.opsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`),
  '',
  '## 3. Rate-limit decisions',
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
  '## 4. Token verification: first sight and repeated (cached)',
  '',
  'Through each directive\'s own per-request verification (a new security context per call). First sight: signature and claims checked with jose. Repeat: the verified-token cache (SHA-256 of the token, bounded LRU, never past `exp`). 200 distinct tokens per round, each verified twice.',
  '',
  '| token | first sight (verifications/s) | repeat, cached (verifications/s) | speed-up | cache hits / misses (last round) |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...tokens.map((row) => `| ${row.alg} | ${row.firstSight.toFixed(0)} | ${row.cached.toFixed(0)} | ${(row.cached / row.firstSight).toFixed(1)}x | ${row.hits} / ${row.misses} |`),
  '',
];
lines.push(
  '## 5. Trusted documents: the listing by document id or as its text',
  '',
  `The demo's catalog on Apollo Server through \`rampartApollo\` with trusted documents (memory stores), the genuine app's \`Browse\` listing (20 products) sent by its id (\`extensions.persistedQuery\`, looked up in the cached store and replaced by its text) or as its full text (allowed by the policy, hashed for the security event). One server, two request bodies, ${httpRounds} interleaved rounds of ${httpSeconds} s, 10 connections. Goal: the id at 1.0x of the text or better.`,
  '',
  '| request | requests/s (median) | ratio to the full document (median) |',
  '| --- | ---: | ---: |',
  ...documents.map((row) => `| ${row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`),
  '',
);
writeFileSync(new URL('./results.md', import.meta.url), lines.join('\n'));
process.stdout.write(lines.join('\n'));
