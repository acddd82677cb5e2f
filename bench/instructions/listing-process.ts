import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { applyProtections, costDirective, fromNodeRequest, MemoryCostBudgetStore, securityContextFactory } from '../../src/index.js';
import { settleExecution } from '../../src/adapters/server-options.js';
import { createDemoContext } from '../../src/demo/catalog/context.js';
import { encodeProductCursor } from '../../src/demo/catalog/cursor.js';
import { openCatalogDatabase } from '../../src/demo/catalog/open-catalog-database.js';
import { catalogResolvers } from '../../src/demo/catalog/resolvers.js';
import { createObservability } from '../../src/demo/observability.js';
import { catalogSdl } from '../../src/demo/schema.js';
import { catalogCredentials, catalogDirectives, catalogSchema, strippedCatalogSchema } from '../catalog-protections.js';

/**
 * One variant of the demo's listing, served in process for bench/instruction-counts.ts to count
 * under callgrind: argv[2] is `cost-stripped` or `cost` (benchmark 2b's query, and its server with
 * only `@cost`/`@listSize` and a budget in memory), `demo-stripped` or `demo` (benchmark 2's query,
 * and the demo's protections with memory stores and its observer). Each request is served as
 * bench/http/graphql-endpoint.ts serves it (a Node request's headers, a new security context, the
 * settlement and `extensions.cost`), minus the socket. It warms up for WARM requests, prints
 * `ready`, waits four seconds (while the driver turns counting on), serves COUNT requests and exits.
 */
const variant = process.argv[2] ?? 'cost-stripped';
const db = await openCatalogDatabase(':memory:');
const credentials = await catalogCredentials();
const demo = variant.startsWith('demo');
const document: DocumentNode = parse(
  `query ($after: String) { products(first: 20, after: $after) { edges { node { name price${demo ? ' wholesalePrice' : ''} category { name } } } } }`,
);
const variableValues = { after: encodeProductCursor(200) };

function costOnlySchema(): GraphQLSchema {
  const cost = costDirective({
    store: new MemoryCostBudgetStore(),
    budgets: [{ name: 'bench', tier: 'any', by: ['IP'], capacity: 1e12, restorePerSecond: 1e9 }],
  });
  const sdl = catalogSdl.replace(/@(?!cost\b|listSize\b)\w+(\([^)]*\))?/g, '');
  return applyProtections(makeExecutableSchema({ typeDefs: [cost.typeDefs, sdl], resolvers: catalogResolvers as never }), [cost], {
    secureByDefault: false,
  });
}

const stripped = variant.endsWith('stripped');
const schema = stripped
  ? strippedCatalogSchema()
  : demo
    ? catalogSchema('key+limit+attestation+cost', catalogDirectives(credentials))
    : costOnlySchema();
const factory = securityContextFactory(demo ? { observer: createObservability(() => undefined).observer } : {});
const socket = new Socket();
Object.defineProperty(socket, 'remoteAddress', { value: '127.0.0.1' });
const raw = [
  'Host',
  '127.0.0.1:4000',
  'Content-Type',
  'application/json',
  'User-Agent',
  'bench',
  ...(demo ? ['X-API-Key', credentials.key, 'Authorization', `Bearer ${credentials.token}`, 'Approov-Token', credentials.attestation] : []),
];

/** A Node request as the HTTP parser leaves it, from 127.0.0.1. */
function incoming(): IncomingMessage {
  const message = new IncomingMessage(socket);
  message.method = 'POST';
  message.url = '/graphql';
  (message as unknown as { _addHeaderLines(headers: readonly string[], n: number): void })._addHeaderLines(raw, raw.length);
  return message;
}

async function serve(): Promise<string> {
  const message = incoming();
  if (stripped) return JSON.stringify(await execute({ schema, document, variableValues, contextValue: createDemoContext(db, undefined) }));
  const rampart = factory(fromNodeRequest(message));
  const contextValue = {
    ...createDemoContext(db, () => (rampart.proven.user ? { userId: rampart.proven.user.subject } : undefined)),
    rampart,
  };
  const result = await execute({ schema, document, variableValues, contextValue });
  const settled = settleExecution(rampart, result);
  const extensions = settled instanceof Promise ? await settled : settled;
  return JSON.stringify(extensions === undefined ? result : { ...result, extensions });
}

const first = JSON.parse(await serve()) as { errors?: unknown; data?: { products?: { edges: unknown[] } }; extensions?: unknown };
if (first.errors !== undefined || first.data?.products?.edges.length !== 20 || (!stripped && first.extensions === undefined)) {
  throw new Error(`${variant} did not serve the listing: ${JSON.stringify(first).slice(0, 300)}`);
}
for (let i = 0; i < Number(process.env['WARM'] ?? 12_000); i++) await serve();
process.stdout.write('ready\n');
await new Promise((resolve) => setTimeout(resolve, 4000));
for (let i = 0; i < Number(process.env['COUNT'] ?? 1000); i++) await serve();
process.exit(0);
