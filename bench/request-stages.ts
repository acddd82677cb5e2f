import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import {
  execute,
  parse,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { fromNodeRequest, securityContextFactory, type ProtectionObserver, type SecurityContext } from '../src/index.js';
import { settleExecution } from '../src/adapters/server-options.js';
import { apiKeyMatchesHash } from '../src/api-keys/api-key-format.js';
import { preparersFor } from '../src/directives/credential-prewarm.js';
import { getProtectedFieldState } from '../src/directives/protect-fields.js';
import type { FieldProtection } from '../src/directives/protection.js';
import { tokenDigest } from '../src/tokens/verified-token-cache.js';
import { createDemoContext } from '../src/demo/catalog/context.js';
import { encodeProductCursor } from '../src/demo/catalog/cursor.js';
import type { CatalogDatabase } from '../src/demo/catalog/database.js';
import { openCatalogDatabase } from '../src/demo/catalog/open-catalog-database.js';
import { createObservability } from '../src/demo/observability.js';
import {
  catalogCombinations,
  catalogCredentials,
  catalogDirectives,
  catalogSchema,
  strippedCatalogSchema,
  type CatalogCombination,
} from './catalog-protections.js';
import { incomingMessages, listingRawHeaders } from './node-requests.js';
import { median } from './statistics.js';

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;

const listing = parse(
  'query ($after: String) { products(first: 20, after: $after) { edges { node { name price wholesalePrice category { name } } } } }',
);
const variableValues = { after: encodeProductCursor(200) };

interface Served {
  readonly schema: GraphQLSchema;
  readonly protectedSchema: boolean;
}

/** One request as bench/http/graphql-endpoint.ts serves it (cached document), minus the socket. */
async function serve(
  { schema, protectedSchema }: Served,
  db: CatalogDatabase,
  message: IncomingMessage,
  securityContext: (message: IncomingMessage) => SecurityContext,
): Promise<string> {
  if (!protectedSchema) {
    return JSON.stringify(await execute({ schema, document: listing, variableValues, contextValue: createDemoContext(db, undefined) }));
  }
  const rampart = securityContext(message);
  const contextValue = {
    ...createDemoContext(db, () => (rampart.proven.user ? { userId: rampart.proven.user.subject } : undefined)),
    rampart,
  };
  const result = await execute({ schema, document: listing, variableValues, contextValue });
  const settled = settleExecution(rampart, result);
  const extensions = settled instanceof Promise ? await settled : settled;
  return JSON.stringify(extensions === undefined ? result : { ...result, extensions });
}

function assertServed(name: string, body: string, costed: boolean): void {
  const answer = JSON.parse(body) as ExecutionResult & { data?: { products?: { edges: Array<{ node: { wholesalePrice: unknown } }> } } };
  const edges = answer.data?.products?.edges;
  const whole = answer.errors === undefined && edges?.length === 20 && edges.every((edge) => typeof edge.node.wholesalePrice === 'number');
  const cost = (answer.extensions as { cost?: { actualQueryCost?: unknown } } | undefined)?.cost?.actualQueryCost;
  if (!whole || (costed && typeof cost !== 'number')) throw new Error(`${name} did not serve the listing: ${body.slice(0, 300)}`);
}

/** Everything the in-process benchmarks of the catalog share. */
async function setUp() {
  const db = await openCatalogDatabase(':memory:');
  const credentials = await catalogCredentials();
  const directives = catalogDirectives(credentials);
  const observer = createObservability(() => undefined).observer;
  const factory = securityContextFactory({ observer });
  const securityContext = (message: IncomingMessage) => factory(fromNodeRequest(message));
  const raw = listingRawHeaders(credentials);
  const variants = new Map<string, Served>([['stripped', { schema: strippedCatalogSchema(), protectedSchema: false }]]);
  for (const combination of catalogCombinations)
    variants.set(combination, { schema: catalogSchema(combination, directives), protectedSchema: true });
  for (const [name, variant] of variants) {
    assertServed(name, await serve(variant, db, incomingMessages(1, raw)[0] as IncomingMessage, securityContext), name.endsWith('cost'));
  }
  return { db, credentials, directives, observer, securityContext, raw, variants };
}

/** Microseconds per request of each variant, in interleaved rounds, with the per-round values. */
async function interleaved(
  setup: Awaited<ReturnType<typeof setUp>>,
  rounds: number,
  requestsPerRound: number,
): Promise<Map<string, number[]>> {
  const { db, securityContext, raw, variants } = setup;
  const samples = new Map<string, number[]>([...variants.keys()].map((name) => [name, []]));
  for (const variant of variants.values()) {
    for (const message of incomingMessages(200, raw)) await serve(variant, db, message, securityContext); // warm up
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, variant] of variants) {
      const messages = incomingMessages(requestsPerRound, raw);
      const started = process.hrtime.bigint();
      for (const message of messages) await serve(variant, db, message, securityContext);
      samples.get(name)?.push(Number(process.hrtime.bigint() - started) / 1000 / requestsPerRound);
    }
  }
  return samples;
}

/** A row of the in-process comparison: µs per request and the median per-round ratio to stripped. */
export interface InProcessRow {
  readonly name: 'stripped' | CatalogCombination;
  readonly microseconds: number;
  readonly ratio: number;
}

/** A row of the stage table; a detail row is a primitive inside the stage above it. */
export interface StageRow {
  readonly stage: string;
  /** Timed alone (its own timer, the timer's cost taken off). */
  readonly microseconds: number;
  /** In sequence: the difference between running the stages up to this one and up to the one before. */
  readonly inSequence: number | undefined;
  readonly share: number;
  readonly detail?: boolean;
}

/**
 * The demo's listing in process, each combination of its protections against the stripped schema
 * (requests one after another, a new security context and request each time, the response
 * serialised), and the per-stage breakdown of the full combination's protection work.
 */
export async function measureRequestStages(rounds: number, requestsPerRound: number) {
  const setup = await setUp();
  const samples = await interleaved(setup, rounds, requestsPerRound);
  const stripped = samples.get('stripped') as number[];
  const rows: InProcessRow[] = [...samples].map(([name, values]) => ({
    name: name as InProcessRow['name'],
    microseconds: median(values),
    ratio: median(values.map((value, round) => (stripped[round] as number) / value)),
  }));
  const full = samples.get('key+limit+attestation+cost') as number[];
  const overhead = median(full.map((value, round) => value - (stripped[round] as number)));
  const stages = await stageBreakdown(setup, rounds, requestsPerRound, overhead);
  return { rows, overhead, stages };
}

/**
 * Each stage of the full combination's protection work on one request, timed on its own with
 * `process.hrtime.bigint()` in the order a request runs them (each on a fresh security context
 * whose earlier stages have run), over the inputs a real execution of the listing produced.
 */
type StageState = { security: SecurityContext; message: IncomingMessage };
type Stage = readonly [name: string, run: (state: StageState) => unknown, subtracted?: boolean];

/**
 * The stages of the full combination's protection work on one request, in the order a request runs
 * them, each a function of the request's state (its Node request, its security context once the
 * first stage made it), over the inputs one real execution of the listing recorded; and details:
 * primitives inside the stages, to be timed alone.
 */
async function catalogStages(setup: Awaited<ReturnType<typeof setUp>>) {
  const { db, credentials, directives, raw, observer } = setup;
  const schema = catalogSchema('key+limit+attestation+cost', directives);
  const products = schema.getQueryType()?.getFields()['products'];
  const wholesale = (schema.getType('Product') as GraphQLObjectType | undefined)?.getFields()['wholesalePrice'];
  if (products === undefined || wholesale === undefined) throw new Error('the catalog has no products or wholesalePrice');
  const productProtections = getProtectedFieldState(products)?.protections ?? [];
  const wholesaleState = getProtectedFieldState(wholesale);
  const find = (list: readonly FieldProtection[], name: string): FieldProtection => {
    const found = list.find((protection) => protection.directive === name);
    if (found === undefined) throw new Error(`no @${name} where the benchmark expects it`);
    return found;
  };
  const apiKey = find(productProtections, 'requiresApiKey');
  const rateLimit = find(productProtections, 'rateLimit');
  const cost = find(productProtections, 'cost');
  const auth = find(wholesaleState?.protections ?? [], 'auth');
  const bareWholesale = wholesaleState?.resolve as Resolver;
  const protectedWholesale = wholesale.resolve as Resolver;

  // One real execution, recording what the stages are given: infos, arguments, sources, events.
  let productsInfo: GraphQLResolveInfo | undefined;
  let productsArgs: Record<string, unknown> = {};
  let wholesaleInfo: GraphQLResolveInfo | undefined;
  const sources: unknown[] = [];
  const recorded: Array<{ kind: 'decision' | 'verification'; event: object }> = [];
  const recordingObserver: ProtectionObserver = {
    onDecision: (event) => recorded.push({ kind: 'decision', event }),
    onVerification: (event) => recorded.push({ kind: 'verification', event }),
  };
  const productsResolve = products.resolve as Resolver;
  products.resolve = (source, args: Record<string, unknown>, context, info) => {
    productsInfo = info;
    productsArgs = args;
    return productsResolve(source, args, context, info);
  };
  wholesale.resolve = (source, args: Record<string, unknown>, context, info) => {
    wholesaleInfo = info;
    sources.push(source);
    return protectedWholesale(source, args, context, info);
  };
  const recordingContext = securityContextFactory({ observer: recordingObserver })(
    fromNodeRequest(incomingMessages(1, raw)[0] as IncomingMessage),
  );
  const contextValue = { ...createDemoContext(db, undefined), rampart: recordingContext };
  const result = await execute({ schema, document: listing, variableValues, contextValue });
  await settleExecution(recordingContext, result);
  products.resolve = productsResolve;
  wholesale.resolve = protectedWholesale;
  if (productsInfo === undefined || wholesaleInfo === undefined || result.errors !== undefined || sources.length !== 20) {
    throw new Error('the recording execution did not list 20 products');
  }
  const listInfo = productsInfo;
  const itemInfo = wholesaleInfo;

  // Stages, in request order, without an observer (its work is a stage of its own).
  const bare = securityContextFactory();
  const record = credentials.apiKeyStore.findById(credentials.key.slice(8, 24));
  if (record === undefined) throw new Error('the key is not in the store');
  const stages: Stage[] = [
    [
      'request facts and security context (headers read, client address, request id)',
      (state) => {
        state.security = bare(fromNodeRequest(state.message));
      },
    ],
    ['query-parameter scan (credentials in the URL)', ({ security }) => security.queryParameterNames],
    ['API key verification (header, id, store lookup, SHA-256 and compare)', ({ security }) => apiKey.prepare?.(security)],
    ['user token verification (Authorization, verified-token cache hit)', ({ security }) => auth.prepare?.(security)],
    [
      'prewarm walk (cached per document node; preparers answered from the memo)',
      ({ security }) => {
        for (const prepare of preparersFor(listInfo)) prepare(security);
      },
    ],
    ['API key check on products (memo)', ({ security }) => apiKey.check(security, productsArgs, listInfo)],
    ['attestation probe (Approov-Token, verified-token cache hit)', ({ security }) => directives.attestation.probe.attested(security)],
    [
      'cost: static cost (cached), credentials warmed, tier, budgets charged',
      ({ security }) => cost.check(security, productsArgs, listInfo),
    ],
    ['rate-limit decision (identity, key hash, memory store)', ({ security }) => rateLimit.check(security, productsArgs, listInfo)],
    [
      'per-item @auth on 20 items (one decision, 19 remembered), wrapper only',
      ({ security }) => {
        const context = { rampart: security };
        for (const source of sources) protectedWholesale(source, {}, context, itemInfo);
      },
    ],
    [
      '(the bare wholesalePrice resolver on 20 items, subtracted from the row above)',
      ({ security }) => {
        const context = { rampart: security };
        for (const source of sources) bareWholesale(source, {}, context, itemInfo);
      },
      true,
    ],
    ['settlement: actual cost from the result, refund, extensions.cost', async ({ security }) => settleExecution(security, result)],
    [
      "observer: the request's events to the demo's metrics (counters, histograms)",
      () => {
        for (const { kind, event } of recorded) {
          if (kind === 'decision')
            observer.onDecision?.({ ...(event as Parameters<NonNullable<ProtectionObserver['onDecision']>>[0]), time: Date.now() });
          else
            observer.onVerification?.({
              ...(event as Parameters<NonNullable<ProtectionObserver['onVerification']>>[0]),
              durationMs: performance.now() - performance.now(),
            });
        }
      },
    ],
  ];
  // Details: primitives inside the stages above, timed alone, per request.
  const details: Array<[string, (message: IncomingMessage) => unknown]> = [
    ['↳ fromNodeRequest: Node building headersDistinct', (message) => fromNodeRequest(message)],
    ['↳ crypto.randomUUID (request id)', () => randomUUID()],
    ['↳ SHA-256 and constant-time compare of the API key', () => apiKeyMatchesHash(credentials.key, record.hash)],
    ['↳ SHA-256 of the user token (cache key)', () => tokenDigest(credentials.token)],
    ['↳ SHA-256 of the attestation token (cache key)', () => tokenDigest(`approov:${credentials.attestation}`)],
  ];
  return { stages: stages as readonly Stage[], details };
}

async function stageBreakdown(
  setup: Awaited<ReturnType<typeof setUp>>,
  rounds: number,
  requestsPerRound: number,
  overhead: number,
): Promise<StageRow[]> {
  const { stages, details } = await catalogStages(setup);
  const { raw } = setup;
  // An empty stage, timed the same way: what the timing itself costs, taken off every stage.
  const timer = '(timer)';
  const timed: readonly Stage[] = [[timer, () => undefined], ...stages];
  const totals = new Map<string, number[]>([...timed.map(([name]) => name), ...details.map(([name]) => name)].map((name) => [name, []]));
  for (let round = -1; round < rounds; round++) {
    const messages = incomingMessages(requestsPerRound, raw);
    const spent = new Map<string, bigint>();
    for (const message of messages) {
      const state = { security: undefined as unknown as SecurityContext, message };
      for (const [name, run] of timed) {
        const started = process.hrtime.bigint();
        const value = run(state);
        if (value instanceof Promise) await value;
        spent.set(name, (spent.get(name) ?? 0n) + process.hrtime.bigint() - started);
      }
    }
    for (const [name, run] of details) {
      const detailMessages = incomingMessages(requestsPerRound, raw);
      const started = process.hrtime.bigint();
      for (const message of detailMessages) run(message);
      spent.set(name, process.hrtime.bigint() - started);
    }
    if (round < 0) continue; // warm-up
    for (const [name, nanoseconds] of spent) totals.get(name)?.push(Number(nanoseconds) / 1000 / requestsPerRound);
  }
  const perRequest = new Map([...totals].map(([name, values]) => [name, median(values)]));
  // In sequence, without a timer per stage: the first k stages over fresh requests, k = 0 … all,
  // in interleaved rounds; a stage costs the difference between its ladder and the one before.
  const ladders = new Map<number, number[]>();
  for (let round = -1; round < rounds; round++) {
    for (let count = 0; count <= stages.length; count++) {
      const messages = incomingMessages(requestsPerRound, raw);
      const started = process.hrtime.bigint();
      for (const message of messages) {
        const state = { security: undefined as unknown as SecurityContext, message };
        for (let index = 0; index < count; index++) {
          const value = (stages[index] as Stage)[1](state);
          if (value instanceof Promise) await value;
        }
      }
      if (round >= 0) {
        let times = ladders.get(count);
        if (times === undefined) ladders.set(count, (times = []));
        times.push(Number(process.hrtime.bigint() - started) / 1000 / requestsPerRound);
      }
    }
  }
  const ladder = (count: number) => median(ladders.get(count) ?? [0]);
  const bareResolver = stages.find(([, , subtracted]) => subtracted)?.[0] as string;
  const rows: StageRow[] = [];
  stages.forEach(([name, , subtracted], index) => {
    if (subtracted) return;
    let microseconds = (perRequest.get(name) ?? 0) - (perRequest.get(timer) ?? 0);
    if (name.startsWith('per-item')) microseconds -= (perRequest.get(bareResolver) ?? 0) - (perRequest.get(timer) ?? 0);
    // The bare resolver runs right after the per-item stage in the ladder: its step is taken off.
    let inSequence = ladder(index + 1) - ladder(index);
    if (name.startsWith('per-item')) inSequence -= ladder(index + 2) - ladder(index + 1);
    rows.push({ stage: name, microseconds, inSequence, share: microseconds / overhead });
    if (name.startsWith('request facts')) {
      for (const detail of details.slice(0, 2))
        rows.push({
          stage: detail[0],
          microseconds: perRequest.get(detail[0]) ?? 0,
          inSequence: undefined,
          share: (perRequest.get(detail[0]) ?? 0) / overhead,
          detail: true,
        });
    }
    if (name.startsWith('API key verification')) rows.push(detailRow(details[2]?.[0] as string));
    if (name.startsWith('user token')) rows.push(detailRow(details[3]?.[0] as string));
    if (name.startsWith('attestation probe')) rows.push(detailRow(details[4]?.[0] as string));
  });
  const itemised = rows.filter((row) => !row.detail).reduce((sum, row) => sum + row.microseconds, 0);
  const inSequence = rows.filter((row) => !row.detail).reduce((sum, row) => sum + (row.inSequence ?? 0), 0);
  rows.push({
    stage: 'not itemised (resolver wrappers, promise hops, garbage collection, cold caches)',
    microseconds: overhead - itemised,
    inSequence: overhead - inSequence,
    share: (overhead - itemised) / overhead,
  });
  return rows;

  function detailRow(name: string): StageRow {
    const microseconds = perRequest.get(name) ?? 0;
    return { stage: name, microseconds, inSequence: undefined, share: microseconds / overhead, detail: true };
  }
}

/**
 * The in-process listing for a profiler or an instruction counter: `run` serves requests of one
 * variant one after another; `ladder` runs the first `stages` stages of the protection work on
 * fresh requests (the difference between two ladders is one stage's cost).
 */
export async function inProcessCatalog() {
  const setup = await setUp();
  const { stages } = await catalogStages(setup);
  return {
    stageNames: stages.map(([name]) => name),
    async run(name: 'stripped' | CatalogCombination, requests: number): Promise<void> {
      const variant = setup.variants.get(name);
      if (variant === undefined) throw new Error(`no variant ${name}`);
      for (let done = 0; done < requests; done += 500) {
        for (const message of incomingMessages(Math.min(500, requests - done), setup.raw))
          await serve(variant, setup.db, message, setup.securityContext);
      }
    },
    async ladder(count: number, requests: number): Promise<void> {
      for (const message of incomingMessages(requests, setup.raw)) {
        const state = { security: undefined as unknown as SecurityContext, message };
        for (const [, run] of stages.slice(0, count)) {
          const value = run(state);
          if (value instanceof Promise) await value;
        }
      }
    },
  };
}
