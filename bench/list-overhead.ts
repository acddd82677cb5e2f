import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import {
  applyProtections,
  authDirective,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryRateLimitStore,
  publicDirective,
  rateLimitDirective,
  requiresApiKeyDirective,
  securityContextFactory,
} from '../src/index.js';
import { median } from './statistics.js';

/**
 * The 1,000-item list's schemas, by variant name, and one execution of its query as a new request
 * (a new security context with the API key and the user token).
 */
export async function listVariants() {
  const sdl = `
    type Item { id: ID! name: String! price: Float! secret: String @requiresApiKey @auth }
    type Query { items: [Item!]! @public }
  `;
  const items = Array.from({ length: 1000 }, (_, i) => ({ id: String(i), name: `item ${i}`, price: i, secret: `s${i}` }));
  const store = new MemoryApiKeyStore();
  const { key } = await issueApiKey(store, { app: 'bench' });
  const apiKey = requiresApiKeyDirective({ store });
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const auth = authDirective({
    issuers: [
      {
        issuer: 'https://issuer.test/',
        audience: 'https://api.test',
        keys: { jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] } },
      },
    ],
  });
  const token = await new SignJWT({ scope: 'orders:read' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k' })
    .setIssuer('https://issuer.test/')
    .setAudience('https://api.test')
    .setSubject('user-1')
    .setExpirationTime('1h')
    .sign(privateKey);
  const open = publicDirective();
  const typeDefs = [apiKey.typeDefs, auth.typeDefs, open.typeDefs, sdl];
  const resolvers = { Query: { items: () => items } };

  const unprotected = makeExecutableSchema({ typeDefs, resolvers });
  const rampart = applyProtections(makeExecutableSchema({ typeDefs, resolvers }), [apiKey, auth, open]);
  // A limit no benchmark meets: it measures the decision, not refusals.
  const rateLimit = rateLimitDirective({ store: new MemoryRateLimitStore() });
  const rootSdl = sdl
    .replace('secret: String @requiresApiKey @auth', 'secret: String @auth')
    .replace('items: [Item!]! @public', 'items: [Item!]! @requiresApiKey @rateLimit(window: "1m", max: 1000000000, by: [API_KEY, IP])');
  const rampartRoot = applyProtections(
    makeExecutableSchema({ typeDefs: [apiKey.typeDefs, auth.typeDefs, rateLimit.typeDefs, rootSdl], resolvers }),
    [apiKey, auth, rateLimit],
  );
  const asyncWrapper = makeExecutableSchema({
    typeDefs,
    resolvers: {
      ...resolvers,
      Item: { secret: async (item: { secret: string }) => ((await Promise.resolve(true)) ? item.secret : null) },
    },
  });

  const document = parse('{ items { id name price secret } }');
  const contextFactory = securityContextFactory();
  const facts = {
    headers: { 'x-api-key': [key], authorization: [`Bearer ${token}`] },
    remoteAddress: '127.0.0.1',
    url: '/graphql',
    method: 'POST',
  };
  const runOnce = async (schema: GraphQLSchema) => {
    const result = await execute({ schema, document, contextValue: { rampart: contextFactory(facts) } });
    if (result.errors) throw new Error(result.errors[0]?.message);
  };
  const variants: Record<string, GraphQLSchema> = {
    unprotected,
    rampart,
    'rampart, key and limit on the root': rampartRoot,
    'async wrapper': asyncWrapper,
  };
  return { variants, runOnce };
}

/**
 * The hot path: one query over a 1,000-item list whose per-item field is protected by
 * `@requiresApiKey @auth` (a new request, so a new request memo, every execution), executed
 * in-process (no HTTP), side by side with the same schema unprotected and with a naive async
 * per-field wrapper (what a middleware that awaits a check on every field costs); and the demo's
 * shape: `@requiresApiKey @rateLimit` on the list's root field above a per-item `@auth`.
 */
export async function measureListOverhead(rounds: number, iterationsPerRound: number) {
  const { variants, runOnce } = await listVariants();
  const perRound: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (const schema of Object.values(variants)) for (let i = 0; i < 50; i++) await runOnce(schema);
  for (let round = 0; round < rounds; round++) {
    // Interleaved, so that machine noise hits every variant alike.
    for (const [name, schema] of Object.entries(variants)) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterationsPerRound; i++) await runOnce(schema);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      perRound[name]?.push(iterationsPerRound / seconds);
    }
  }
  const base = median(perRound['unprotected'] ?? []);
  return Object.entries(perRound).map(([name, samples]) => {
    const ratios = samples.map((value, round) => value / (perRound['unprotected']?.[round] ?? value));
    return { name, opsPerSecond: median(samples), ratio: median(ratios), base };
  });
}
