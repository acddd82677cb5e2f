import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { rampartApollo } from '../../src/apollo.js';
import { DevelopmentCaptcha } from '../../src/development.js';
import { createDemoContext } from '../../src/demo/catalog/context.js';
import { openCatalogDatabase } from '../../src/demo/catalog/open-catalog-database.js';
import { clientDocuments } from '../../src/demo/client-documents.js';
import { buildDemoSchema } from '../../src/demo/schema.js';
import { unlimitedCatalogSdl, unmetDemoCostBudgets } from '../catalog-protections.js';
import {
  approovVerifier,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryCostBudgetStore,
  MemoryRateLimitStore,
  MemoryReplayCache,
  securityContextFactory,
} from '../../src/index.js';
import { MemoryTrustedDocumentStore, trustedDocuments } from '../../src/trusted-documents.js';

/**
 * The demo's catalog on Apollo Server through rampartApollo with trusted documents, as the demo
 * serves it (memory stores, budgets no run meets). A full document is allowed (the policy's
 * `allow`), so that the same listing can be sent both ways: by its id, or as its text.
 */
const { dataDir, approovSecret } = JSON.parse(process.argv[2] as string) as { dataDir: string; approovSecret: string };
const db = await openCatalogDatabase(`${dataDir}/catalog.db`);
const keys = new MemoryApiKeyStore();
const { key } = await issueApiKey(keys, { app: 'bench' });
const replay = new MemoryReplayCache();
const { schema, apiKey } = buildDemoSchema({
  apiKeyStore: keys,
  tokenIssuer: { issuer: 'https://issuer.bench/', audience: 'https://api.bench', keys: { jwks: { keys: [] } } },
  replayCaches: { dpop: replay, attestation: replay, captcha: replay },
  attestationVerifiers: [approovVerifier({ secret: approovSecret })],
  rateLimitStore: new MemoryRateLimitStore(),
  cost: unmetDemoCostBudgets(new MemoryCostBudgetStore()),
  captcha: { verifier: DevelopmentCaptcha.open(`${dataDir}/captcha.json`).verifier(), hostnames: ['localhost'] },
  sdl: unlimitedCatalogSdl,
});
const store = new MemoryTrustedDocumentStore();
store.importManifest('bench', clientDocuments(), Date.now());
const rampart = rampartApollo({
  securityContext: securityContextFactory(),
  trustedDocuments: trustedDocuments({ store, apiKey, adHocDocuments: 'allow' }),
});
const server = new ApolloServer({
  schema,
  persistedQueries: false,
  validationRules: rampart.validationRules,
  parseOptions: rampart.parseOptions,
  plugins: [rampart.plugin],
});
const { url } = await startStandaloneServer(server, {
  listen: { port: 0, host: '127.0.0.1' },
  context: ({ req }) => Promise.resolve({ ...createDemoContext(db, undefined), rampart: rampart.securityContext(req) }),
});
process.stdout.write(`key ${key}\n`);
process.stdout.write(`listening ${new URL(url).port}\n`);
