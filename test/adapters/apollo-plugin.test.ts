import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { getIntrospectionQuery } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { rampartApollo, type RampartServerOptions } from '../../src/apollo.js';
import { securityContextFactory, type ProtectionDecisionEvent, type SecurityContext } from '../../src/index.js';
import { adapterSchema } from './adapter-schema.js';

const { key, schema, settledResults } = await adapterSchema('apollo-test');

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  settledResults.length = 0;
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

function poster(url: string) {
  return async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
}

/** Apollo Server with rampartApollo, on startStandaloneServer. */
async function standalone(options: RampartServerOptions = {}) {
  const rampart = rampartApollo(options);
  const server = new ApolloServer({
    schema: schema(),
    validationRules: rampart.validationRules,
    parseOptions: rampart.parseOptions,
    plugins: [rampart.plugin],
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' }, context: rampart.context });
  stops.push(() => server.stop());
  return poster(url);
}

const codes = (body: { errors?: Array<{ path?: string[]; extensions?: { code?: string } }> }) =>
  (body.errors ?? []).map((error) => [(error.path ?? []).join('.'), error.extensions?.code]);

describe('rampartApollo on startStandaloneServer', () => {
  it('builds a security context per request from the Node request: headers and socket peer', async () => {
    const post = await standalone();
    const without = await post({ query: '{ products health whoAmI }' });
    expect(without.body.data).toEqual({ products: null, health: 'ok', whoAmI: '127.0.0.1' });
    expect(codes(without.body)).toEqual([['products', 'API_KEY_REQUIRED']]);
    expect((await post({ query: '{ products }' }, { 'x-api-key': key })).body).toEqual({ data: { products: ['kettle'] } });
  });

  it('refuses an operation over the limits (HTTP 400) and a document over the token limit', async () => {
    const post = await standalone();
    const aliases = Array.from({ length: 31 }, (_, i) => `h${i}: __typename`).join(' ');
    const flood = await post({ query: `{ ${aliases} }` });
    expect(flood.status).toBe(400);
    expect(flood.body.errors).toEqual([
      expect.objectContaining({ message: 'The operation uses too many aliases.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    ]);
    const tooLarge = await post({ query: `{ ${'health '.repeat(2001)}}` });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('takes the limits and token limit it is given, or none', async () => {
    const strict = await standalone({ limits: { maxAliases: 1 }, maxTokens: 10 });
    expect((await strict({ query: '{ a: health b: health }' })).body.errors[0].message).toBe('The operation uses too many aliases.');
    expect((await strict({ query: `{ ${'health '.repeat(12)}}` })).body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const none = await standalone({ limits: false, maxTokens: false });
    const aliases = Array.from({ length: 1500 }, (_, i) => `h${i}: health`).join(' ');
    expect((await none({ query: `{ ${aliases} }` })).body.errors).toBeUndefined();
  });

  it('answers the standard introspection query (GraphiQL, codegen) and refuses the deep cyclic one', async () => {
    const post = await standalone();
    const standard = await post({
      query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true }),
    });
    expect(standard.body.errors).toBeUndefined();
    const cyclic = await post({ query: '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }' });
    expect(cyclic.status).toBe(400);
    expect(cyclic.body.errors.map((error: { message: string }) => error.message)).toContain(
      'The introspection query is nested too deeply.',
    );
  });

  it('sets Retry-After to the longest wait among the RATE_LIMITED fields, status 200', async () => {
    const post = await standalone();
    const limited = await post({ query: '{ a: perMinute b: perMinute c: perHour d: perHour }' });
    expect(limited.status).toBe(200);
    expect(codes(limited.body)).toEqual([
      ['b', 'RATE_LIMITED'],
      ['d', 'RATE_LIMITED'],
    ]);
    expect(limited.headers.get('retry-after')).toBe('3600');
    expect((await post({ query: '{ health }' })).headers.get('retry-after')).toBeNull();
  });

  it('sets no Retry-After when told not to', async () => {
    const post = await standalone({ retryAfterHeader: false });
    const limited = await post({ query: '{ a: perMinute b: perMinute }' });
    expect(codes(limited.body)).toEqual([['b', 'RATE_LIMITED']]);
    expect(limited.headers.get('retry-after')).toBeNull();
  });

  it('settles the protections before the response is sent, then merges what they add into extensions', async () => {
    const post = await standalone();
    const { body } = await post({ query: '{ settled }' });
    expect(settledResults).toEqual([{ settled: 'ok' }]);
    expect(body).toEqual({ data: { settled: 'ok' }, extensions: { cost: { requested: 3, actual: 1 } } });
  });

  it('waits for a settlement that answers later (a Redis refund) before sending the response', async () => {
    const post = await standalone();
    const { body } = await post({ query: '{ settledLater }' });
    expect(settledResults).toEqual([{ settledLater: 'ok' }]);
    expect(body).toEqual({ data: { settledLater: 'ok' }, extensions: { cost: { requested: 3, actual: 2 } } });
  });

  it('sends every decision to the observer', async () => {
    const decisions: ProtectionDecisionEvent[] = [];
    const post = await standalone({ observer: { onDecision: (event) => decisions.push(event) } });
    await post({ query: '{ products }' });
    expect(decisions.map((event) => [event.outcome, event.coordinate, event.code, event.clientIp])).toEqual([
      ['refused', 'Query.products', 'API_KEY_REQUIRED', '127.0.0.1'],
    ]);
  });
});

describe('rampartApollo on expressMiddleware', () => {
  it('builds the security context from the Express request inside the host’s own context function', async () => {
    const rampart = rampartApollo({ trustedProxies: ['loopback'] });
    const server = new ApolloServer<{ rampart: SecurityContext; shop: string }>({
      schema: schema(),
      validationRules: rampart.validationRules,
      parseOptions: rampart.parseOptions,
      plugins: [rampart.plugin],
    });
    await server.start();
    const app = express();
    app.use(
      '/graphql',
      express.json(),
      expressMiddleware(server, { context: ({ req }) => Promise.resolve({ rampart: rampart.securityContext(req), shop: 'main' }) }),
    );
    const http: Server = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    stops.push(async () => {
      await server.stop();
      await new Promise((resolve) => http.close(resolve));
    });
    const post = poster(`http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`);
    const answer = await post({ query: '{ products whoAmI a: perMinute b: perMinute }' }, { 'x-forwarded-for': '198.51.100.4' });
    expect(answer.body.data).toEqual({ products: null, whoAmI: '198.51.100.4', a: 1, b: null });
    expect(codes(answer.body)).toEqual([
      ['products', 'API_KEY_REQUIRED'],
      ['b', 'RATE_LIMITED'],
    ]);
    expect(answer.headers.get('retry-after')).toBe('60');
  });
});

describe('rampartApollo', () => {
  it('builds a security context from request facts made by hand (serverless integrations)', () => {
    const security = rampartApollo().securityContext({ headers: { 'x-api-key': ['k'] }, remoteAddress: '192.0.2.8' });
    expect([security.clientIp, security.header('x-api-key')]).toEqual(['192.0.2.8', 'k']);
  });

  it('gives a new security context per call: each operation its own', () => {
    const rampart = rampartApollo();
    const facts = { headers: {}, remoteAddress: '192.0.2.8' };
    expect(rampart.securityContext(facts)).not.toBe(rampart.securityContext(facts));
  });

  it('uses the factory it is given (shared with a gate before GraphQL)', () => {
    const rampart = rampartApollo({ securityContext: securityContextFactory({ requestId: () => 'gate-1' }) });
    expect(rampart.securityContext({ headers: {}, remoteAddress: undefined }).requestId).toBe('gate-1');
  });

  it('throws a TypeError naming rampartApollo for a bad option', () => {
    expect(() => rampartApollo({ securityContext: securityContextFactory(), observer: {} })).toThrow(
      new TypeError('rampartApollo: give either securityContext or observer (to the factory), not both'),
    );
    expect(() => rampartApollo({ maxTokens: 1.5 })).toThrow(new TypeError('rampartApollo: maxTokens must be a positive integer, or false'));
    expect(() => rampartApollo({ securityContext: 'factory' as never })).toThrow(TypeError);
  });
});
