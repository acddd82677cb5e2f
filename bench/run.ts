import { writeFileSync } from 'node:fs';
import { measureCatalogOverHttp, measureCostOverHttp, measureListOverHttp } from './http-benchmarks.js';
import { combinationLabels } from './catalog-protections.js';
import { callgrindAvailable, countListingInstructions, type InstructionCount } from './instruction-counts.js';
import { measureListOverhead } from './list-overhead.js';
import { profileCatalog } from './profile-catalog.js';
import { measureRequestStages } from './request-stages.js';
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
const instructions: InstructionCount[] | undefined =
  process.env['BENCH_INSTRUCTIONS'] !== '0' && callgrindAvailable() ? await countListingInstructions() : undefined;
const list = await measureListOverhead(rounds, iterations);
const tokens = await measureTokenVerification(rounds, 200);
const limits = await measureRateLimitDecisions(Math.min(rounds, 5));
const documents = await measureTrustedDocumentsOverHttp(httpRounds, httpSeconds);
const stages = await measureRequestStages(rounds, Number(process.env['BENCH_STAGE_REQUESTS'] ?? 400));
const profile = await profileCatalog('memory', Number(process.env['BENCH_PROFILE_SECONDS'] ?? 20));
const share = (value: number) => `${(value * 100).toFixed(1)}%`;
const listLabels: Record<string, string> = {
  rampart: 'graphql-rampart (@auth)',
  'rampart-root': 'graphql-rampart (@requiresApiKey @rateLimit on the list, @auth per item)',
  shield: 'graphql-shield',
  async: 'async per-field wrapper',
};
const catalogLabels: Record<string, string> = {
  ...combinationLabels,
  memory: "the demo's protections (key, limit, cost budget with attestation), memory stores",
  redis: "the demo's protections, Redis stores",
};
const lines = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\`. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine: read ratios, not absolute figures. \`NODE_ENV=production\`, as graphql-js runs in production (without it, its development-mode checks slow every field and make any wrapper look cheaper). Medians of ${rounds} interleaved rounds. ${import.meta.url.endsWith('.js') ? 'Everything runs as the package ships: compiled by `tsc`, run by plain Node.' : 'Run through tsx (its transform wraps every named closure, which slows closure-heavy paths): `npm run bench` runs the compiled code instead.'}`,
  '',
  '## 1. A 1,000-item list whose per-item field needs a user token, over HTTP',
  '',
  `autocannon on loopback, 10 connections, ${httpRounds} interleaved rounds of ${httpSeconds} s per variant; each variant in its own process behind the same minimal endpoint (parse cached, \`execute\`, JSON). Every protected variant verifies the token once per request and reuses verified tokens across requests, so only the per-field cost differs. graphql-shield uses the equivalent rule with \`cache: 'contextual'\`. The second graphql-rampart row is the demo's shape: \`@requiresApiKey @rateLimit\` on the list's root field (a key verified and a rate-limit decision per request) above the per-item \`@auth\`. Goals: graphql-rampart at 0.90x of unprotected or better; with the key and the limit on the root, 0.95x.`,
  '',
  '| variant | requests/s (median) | ratio to unprotected (median) |',
  '| --- | ---: | ---: |',
  ...listHttp.map((row) => `| ${listLabels[row.name] ?? row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`),
  '',
  "## 2. The demo's catalog listing with its protections on the path, over HTTP",
  '',
  `\`products(first: 20, after: <the 200th product>) { edges { node { name price wholesalePrice category { name } } } }\` with an API key, a rate limit, the cost budget (an attested app instance's), and a user token with \`catalog:admin\` for the per-item \`wholesalePrice\`; as in the demo, every decision and verification goes to its observer (Prometheus counters and histograms) and the budget is settled after execution with \`extensions.cost\` in the response, as the Apollo adapter does. Against the same SDL and resolvers with every directive stripped. Same method as above. The demo's protections are added one at a time (memory stores, every row with the per-item \`@auth\`), so that a regression shows where it comes from: attestation alone is \`@requiresAttestation\` on \`products\`; the demo itself probes attestation for the cost budget's tier instead. Goals: the demo's protections at 0.92x with memory stores and with Redis.${redisAvailable ? '' : ' (Redis did not answer: no Redis row.)'}`,
  '',
  '| variant | requests/s (median) | ratio to stripped (median) |',
  '| --- | ---: | ---: |',
  ...catalogHttp.map(
    (row) => `| ${catalogLabels[row.name] ?? row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`,
  ),
  '',
  "## 2b. Cost analysis and a budget decision on the demo's listing, over HTTP",
  '',
  `\`products(first: 20, after: <the 200th product>) { edges { node { name price category { name } } } }\` on the stripped server, and on the same server with \`@cost\`/\`@listSize\` enforced: the operation's static cost (cached per document and the variables it reads), a budget charged in a memory store, the actual cost from the result, the refund and \`extensions.cost\` on the response. Same method as above. Goal: 0.97x or better (the analysis runs once per operation, not per item).`,
  '',
  '| variant | requests/s (median) | ratio to stripped (median) |',
  '| --- | ---: | ---: |',
  ...costHttp.map(
    (row) =>
      `| ${row.name === 'stripped' ? 'directives stripped' : 'cost analysis and a budget (memory store)'} | ${row.requestsPerSecond.toFixed(0)} | ${row.ratio.toFixed(2)}x |`,
  ),
  '',
  '## 2c. The listings and the 1,000-item list counted in instructions (callgrind, in process)',
  '',
  instructions === undefined
    ? 'valgrind is not installed here (or `BENCH_INSTRUCTIONS=0`): no instruction counts.'
    : "Seconds on this shared machine move by several percent between runs; instructions do not. Each variant is served in process as the HTTP endpoint serves it (a Node request's headers, a new security context, the settlement and `extensions.cost`, the response serialised), under `valgrind --tool=callgrind` with counting off for 12,000 requests of warm-up, then on for 1,000: every instruction the process ran for them, per request. V8's compilers still run now and then (a function called once per request reaches its optimization threshold late); its share is given, and the last column leaves it out. 2b's pair: benchmark 2b's query, stripped and with `@cost`/`@listSize` and a budget (goal 0.97x). 2's pair: benchmark 2's query, stripped and with the demo's protections, memory stores (goal 0.92x). 1b's pair: the 1,000-item list unprotected and with the key and the limit on the root above a per-item `@auth` (goal 0.95x), 2,000 executions of warm-up and 300 counted. Reproduce with `npm run bench`, or `node .bench-build/bench/instruction-counts.js` after it.",
  '',
  ...(instructions === undefined
    ? []
    : [
        "| variant | instructions per request | of which V8's compilers | ratio to stripped | ratio to stripped, compilers left out |",
        '| --- | ---: | ---: | ---: | ---: |',
        ...instructions.map((row) => {
          const base = instructions.find((other) => other.pair === row.pair && other.stripped) as InstructionCount;
          const label: Record<string, string> = {
            'cost-stripped': "2b's listing, directives stripped",
            cost: "2b's listing, cost analysis and a budget (memory store)",
            'demo-stripped': "2's listing, directives stripped",
            demo: "2's listing, the demo's protections (memory stores)",
            unprotected: "1b's 1,000-item list, unprotected",
            'rampart, key and limit on the root': "1b's 1,000-item list, `@requiresApiKey @rateLimit` on the root, `@auth` per item",
          };
          return `| ${label[row.variant] ?? row.variant} | ${Math.round(row.perRequest).toLocaleString('en')} | ${Math.round(row.compilerPerRequest).toLocaleString('en')} | ${(base.perRequest / row.perRequest).toFixed(3)}x | ${((base.perRequest - base.compilerPerRequest) / (row.perRequest - row.compilerPerRequest)).toFixed(3)}x |`;
        }),
      ]),
  '',
  '## 1b. The same list, in process (`execute`, no HTTP)',
  '',
  `Each execution is a new request (new security context): the key and the token are verified once per request, before the list resolves (the token from the verified-token cache), then the field decides once for the request and each further item costs one comparison. \`rampart\`: \`@requiresApiKey @auth\` on the item field; with the key and the limit on the root: \`@requiresApiKey @rateLimit\` on the list field, \`@auth\` on the item field (goal 0.95x). ${iterations} executions per round; ratios per round against the unprotected schema, then the median.`,
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
  "Through each directive's own per-request verification (a new security context per call). First sight: signature and claims checked with jose. Repeat: the verified-token cache (SHA-256 of the token, bounded LRU, never past `exp`). 200 distinct tokens per round, each verified twice.",
  '',
  '| token | first sight (verifications/s) | repeat, cached (verifications/s) | speed-up | cache hits / misses (last round) |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...tokens.map(
    (row) =>
      `| ${row.alg} | ${row.firstSight.toFixed(0)} | ${row.cached.toFixed(0)} | ${(row.cached / row.firstSight).toFixed(1)}x | ${row.hits} / ${row.misses} |`,
  ),
  '',
  "## 5. Where the demo listing's protection time goes",
  '',
  "### 5a. Each combination of the listing's protections, in process",
  '',
  `The listing of benchmark 2 executed in process (\`execute\`, the response serialised; no HTTP), one request after another, each with a new security context, Node request headers as the HTTP parser leaves them, the demo's observer (Prometheus metrics) and the settlement after execution, as the Apollo adapter does. Every row has the per-item \`@auth\` on \`wholesalePrice\`; attestation alone is \`@requiresAttestation\` on \`products\`; the demo's own row probes attestation for the cost budget's tier instead. ${rounds} interleaved rounds of ${Number(process.env['BENCH_STAGE_REQUESTS'] ?? 400)} requests; the ratio is the median of the per-round ratios to the stripped schema.`,
  '',
  '| protections on the listing (with a per-item @auth) | µs per request (median) | ratio to stripped (median) |',
  '| --- | ---: | ---: |',
  ...stages.rows.map((row) => `| ${combinationLabels[row.name]} | ${row.microseconds.toFixed(1)} | ${row.ratio.toFixed(2)}x |`),
  '',
  "### 5b. One request's protection work, stage by stage",
  '',
  `The demo's row above costs ${stages.overhead.toFixed(1)} µs per request more than the stripped schema (the median of the per-round differences). Each stage below runs in the order a request runs them, each request on a fresh security context whose earlier stages have run, over the inputs a real execution of the listing recorded (its \`info\`, arguments, items, result and observer events), ${Number(process.env['BENCH_STAGE_REQUESTS'] ?? 400)} requests per round, medians of ${rounds} rounds. *Alone*: timed on its own with \`process.hrtime.bigint()\` (what an empty stage measures taken off). *In sequence*: no timer per stage; the first k stages run back to back, and a stage costs the difference between its run and the run before it. Indented rows are primitives inside the stage above, timed alone. Share: of the ${stages.overhead.toFixed(1)} µs, by the stage alone. What is not itemised is the remainder: the resolver wrappers' own calls, the promise hops, and what the protections cost the request around them (garbage collection, caches and branch predictors colder for the rest of the request; stages repeated in a loop run hot). Reproduce with \`npm run bench\` (bench/request-stages.ts).`,
  '',
  '| stage | µs per request, alone | µs per request, in sequence | share |',
  '| --- | ---: | ---: | ---: |',
  ...stages.stages.map(
    (row) =>
      `| ${row.detail ? `&nbsp;&nbsp;${row.stage}` : row.stage} | ${row.microseconds.toFixed(2)} | ${row.inSequence === undefined ? '' : row.inSequence.toFixed(2)} | ${share(row.share)} |`,
  ),
  '',
  '### 5c. CPU profile of the demo listing under load',
  '',
  `\`node --cpu-prof\` on the \`memory\` server of benchmark 2, driven by autocannon (10 connections) for ${Number(process.env['BENCH_PROFILE_SECONDS'] ?? 20)} s: ${profile.requestsPerSecond.toFixed(0)} requests/s while profiled, ${profile.totalMs.toFixed(0)} ms sampled. Self time per function and per file or package; µs per request divides by the requests served (start-up and idle time included, so an upper bound). Reproduce with \`NODE_ENV=production node --import tsx bench/profile-catalog.ts memory 20\` (or \`stripped\` to compare).`,
  '',
  '| function (self time) | share | µs per request |',
  '| --- | ---: | ---: |',
  ...profile.functions
    .slice(0, 25)
    .map((row) => `| \`${row.name}\` | ${share(row.share)} | ${((row.selfMs * 1000) / profile.requests).toFixed(1)} |`),
  '',
  '| file or package (self time) | share | µs per request |',
  '| --- | ---: | ---: |',
  ...profile.places
    .slice(0, 20)
    .map((row) => `| \`${row.name}\` | ${share(row.share)} | ${((row.selfMs * 1000) / profile.requests).toFixed(1)} |`),
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
// Compiled (npm run bench), this module runs from .bench-build/bench/: the results go to bench/.
writeFileSync(new URL(import.meta.url.endsWith('.js') ? '../../bench/results.md' : './results.md', import.meta.url), lines.join('\n'));
process.stdout.write(lines.join('\n'));
