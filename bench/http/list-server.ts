import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IncomingMessage } from 'node:http';
import { rule, shield } from 'graphql-shield';
import { applyMiddleware } from 'graphql-middleware';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import {
  applyProtections,
  authDirective,
  fromNodeRequest,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryRateLimitStore,
  publicDirective,
  rateLimitDirective,
  requiresApiKeyDirective,
  securityContextFactory,
} from '../../src/index.js';
import { serveGraphQL } from './graphql-endpoint.js';

/**
 * One variant of "a 1,000-item list whose per-item field needs a user token", as a process of its
 * own: `unprotected`, `rampart` (@auth on the item field), `rampart-root` (@requiresApiKey and
 * @rateLimit on the list's root field above the per-item @auth; the API key is printed for the
 * driver), `shield` (graphql-shield, the equivalent rule, cache: 'contextual'), `async` (a
 * resolver that awaits a check per item).
 * Every protected variant verifies the token once per request and reuses verified tokens across
 * requests, so that only the per-field cost differs. Reads the public JWKS from argv[3].
 */
const variant = process.argv[2];
const jwks = JSON.parse(process.argv[3] as string) as JSONWebKeySet;
const issuer = 'https://issuer.bench/';
const audience = 'https://api.bench';
const items = Array.from({ length: 1000 }, (_, i) => ({ id: String(i), name: `item ${i}`, price: i, secret: `s${i}` }));
const sdl = 'type Item { id: ID! name: String! price: Float! secret: String } type Query { items: [Item!]! }';
const resolvers = { Query: { items: () => items } };

// The verified-token cache the non-rampart variants get, so that they are not charged a signature per request.
const verified = new Map<string, JWTPayload>();
const keySet = createLocalJWKSet(jwks);
async function userOf(request: IncomingMessage): Promise<JWTPayload | undefined> {
  const token = request.headers.authorization?.slice(7);
  if (!token) return undefined;
  let user = verified.get(token);
  if (user === undefined) {
    ({ payload: user } = await jwtVerify(token, keySet, { issuer, audience }));
    verified.set(token, user);
  }
  return user;
}

if (variant === 'unprotected') {
  serveGraphQL(makeExecutableSchema({ typeDefs: sdl, resolvers }), () => ({}));
} else if (variant === 'rampart') {
  const auth = authDirective({ issuers: [{ issuer, audience, keys: { jwks } }] });
  const open = publicDirective();
  const schema = applyProtections(
    makeExecutableSchema({
      typeDefs: [
        auth.typeDefs,
        open.typeDefs,
        sdl.replace('secret: String', 'secret: String @auth').replace('items: [Item!]!', 'items: [Item!]! @public'),
      ],
      resolvers,
    }),
    [auth, open],
  );
  const securityContext = securityContextFactory();
  serveGraphQL(schema, (request) => ({ rampart: securityContext(fromNodeRequest(request)) }));
} else if (variant === 'rampart-root') {
  const keys = new MemoryApiKeyStore();
  const { key } = await issueApiKey(keys, { app: 'bench' });
  const apiKey = requiresApiKeyDirective({ store: keys });
  // A limit no benchmark meets: it measures the decision, not refusals.
  const rateLimit = rateLimitDirective({ store: new MemoryRateLimitStore() });
  const auth = authDirective({ issuers: [{ issuer, audience, keys: { jwks } }] });
  const schema = applyProtections(
    makeExecutableSchema({
      typeDefs: [
        apiKey.typeDefs,
        rateLimit.typeDefs,
        auth.typeDefs,
        sdl
          .replace('secret: String', 'secret: String @auth')
          .replace('items: [Item!]!', 'items: [Item!]! @requiresApiKey @rateLimit(window: "1m", max: 1000000000, by: [API_KEY, IP])'),
      ],
      resolvers,
    }),
    [apiKey, rateLimit, auth],
  );
  const securityContext = securityContextFactory();
  process.stdout.write(`key ${key}\n`);
  serveGraphQL(schema, (request) => ({ rampart: securityContext(fromNodeRequest(request)) }));
} else if (variant === 'shield') {
  const isAuthenticated = rule({ cache: 'contextual' })((_parent, _args, context: { user?: JWTPayload }) => context.user !== undefined);
  const permissions = shield({ Item: { secret: isAuthenticated } }, { allowExternalErrors: true });
  const schema = applyMiddleware(makeExecutableSchema({ typeDefs: sdl, resolvers }), permissions);
  serveGraphQL(schema, async (request) => ({ user: await userOf(request) }));
} else if (variant === 'async') {
  const schema = makeExecutableSchema({
    typeDefs: sdl,
    resolvers: {
      ...resolvers,
      Item: {
        secret: async (item: { secret: string }, _args: unknown, context: { user?: JWTPayload }) =>
          (await Promise.resolve(context.user !== undefined)) ? item.secret : null,
      },
    },
  });
  serveGraphQL(schema, async (request) => ({ user: await userOf(request) }));
} else {
  throw new Error(`unknown variant ${variant}`);
}
