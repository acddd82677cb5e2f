import type { IncomingMessage } from 'node:http';
import { execute, parse, type DocumentNode } from 'graphql';
import { fromNodeRequest, securityContextFactory } from '../../src/index.js';
import { settleExecution } from '../../src/adapters/server-options.js';
import { createDemoContext } from '../../src/demo/catalog/context.js';
import { encodeProductCursor } from '../../src/demo/catalog/cursor.js';
import { openCatalogDatabase } from '../../src/demo/catalog/open-catalog-database.js';
import { createObservability } from '../../src/demo/observability.js';
import {
  catalogCredentials,
  catalogDirectives,
  catalogSchema,
  costOnlyCatalogSchema,
  strippedCatalogSchema,
} from '../catalog-protections.js';
import { incomingMessages, listingRawHeaders } from '../node-requests.js';

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

const stripped = variant.endsWith('stripped');
const schema = stripped
  ? strippedCatalogSchema()
  : demo
    ? catalogSchema('key+limit+attestation+cost', catalogDirectives(credentials))
    : costOnlyCatalogSchema();
const factory = securityContextFactory(demo ? { observer: createObservability(() => undefined).observer } : {});
const raw = listingRawHeaders(demo ? credentials : undefined);

async function serve(): Promise<string> {
  const message = incomingMessages(1, raw)[0] as IncomingMessage;
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
