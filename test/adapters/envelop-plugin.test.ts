import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { envelop, useEngine, useSchema } from '@envelop/core';
import * as graphqlJs from 'graphql';
import { getIntrospectionQuery } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterEach, describe, expect, it } from 'vitest';
import { useRampart, yogaRequestFacts, type UseRampartOptions } from '../../src/envelop.js';
import { securityContextFactory, type ProtectionDecisionEvent } from '../../src/index.js';
import { adapterSchema } from './adapter-schema.js';

const { key, schema, settledResults } = await adapterSchema('envelop-test');

const servers: Server[] = [];
afterEach(async () => {
  settledResults.length = 0;
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** GraphQL Yoga on node:http with useRampart, listening on loopback. */
async function yogaOnNode(options: UseRampartOptions = {}, yogaOptions: { batching?: boolean; context?: () => object } = {}) {
  const yoga = createYoga({ schema: schema(), plugins: [useRampart(options)], logging: false, ...yogaOptions });
  // Yoga answers every request itself, errors included: nothing awaits its promise.
  const server = createServer((request, response) => void yoga(request, response));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
}

const codes = (body: { errors?: Array<{ path?: string[]; extensions?: { code?: string } }> }) =>
  (body.errors ?? []).map((error) => [(error.path ?? []).join('.'), error.extensions?.code]);

describe('useRampart on GraphQL Yoga (Node)', () => {
  it('puts a security context on each operation, from the request headers and the socket peer', async () => {
    const post = await yogaOnNode();
    const without = await post({ query: '{ products health whoAmI }' });
    expect(without.body.data).toEqual({ products: null, health: 'ok', whoAmI: '127.0.0.1' });
    expect(codes(without.body)).toEqual([['products', 'API_KEY_REQUIRED']]);
    const withKey = await post({ query: '{ products }' }, { 'x-api-key': key });
    expect(withKey.body).toEqual({ data: { products: ['kettle'] } });
  });

  it('gives each operation of a batch its own security context', async () => {
    const post = await yogaOnNode({}, { batching: true });
    const { body } = await post([{ query: '{ requestId }' }, { query: '{ requestId }' }]);
    const [first, second] = body as Array<{ data: { requestId: string } }>;
    expect(first?.data.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.data.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first?.data.requestId).not.toBe(second?.data.requestId);
  });

  it('keeps a security context the host already put on the context (built before GraphQL, for a gate)', async () => {
    const existing = securityContextFactory({ requestId: () => 'from-the-gate' })({ headers: {}, remoteAddress: '203.0.113.9' });
    const post = await yogaOnNode({}, { context: () => ({ rampart: existing }) });
    expect((await post({ query: '{ requestId whoAmI }' })).body.data).toEqual({ requestId: 'from-the-gate', whoAmI: '203.0.113.9' });
  });

  it('refuses an operation over the limits and a document over the token limit', async () => {
    const post = await yogaOnNode();
    const aliases = Array.from({ length: 31 }, (_, i) => `h${i}: __typename`).join(' ');
    expect((await post({ query: `{ ${aliases} }` })).body.errors.map((error: { message: string }) => error.message)).toEqual([
      'The operation uses too many aliases.',
    ]);
    const tokens = Array.from({ length: 1000 }, () => 'health').join(' ');
    const tooLarge = await post({ query: `{ ${tokens} ${tokens} }` });
    expect(tooLarge.body.errors[0].message).toMatch(/more tha[nt] 2000 tokens/);
    expect(tooLarge.body.data).toBeUndefined();
  });

  it('takes the limits and token limit it is given, or none', async () => {
    const strict = await yogaOnNode({ limits: { maxAliases: 1 }, maxTokens: 10 });
    expect((await strict({ query: '{ a: health b: health }' })).body.errors[0].message).toBe('The operation uses too many aliases.');
    expect((await strict({ query: `{ ${'health '.repeat(12)}}` })).body.errors[0].message).toMatch(/more tha[nt] 10 tokens/);
    const none = await yogaOnNode({ limits: false, maxTokens: false });
    const aliases = Array.from({ length: 1500 }, (_, i) => `h${i}: health`).join(' ');
    expect((await none({ query: `{ ${aliases} }` })).body.errors).toBeUndefined();
  });

  it('answers the standard introspection query (GraphiQL, codegen) and refuses the deep cyclic one', async () => {
    const post = await yogaOnNode();
    const standard = await post({
      query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true }),
    });
    expect(standard.body.errors).toBeUndefined();
    expect(standard.body.data.__schema.queryType).toMatchObject({ name: 'Query' });
    const cyclic = await post({ query: '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }' });
    expect(cyclic.body.errors.map((error: { message: string }) => error.message)).toContain(
      'The introspection query is nested too deeply.',
    );
  });

  it('leaves introspection unmeasured when asked (ignoreIntrospection)', async () => {
    const post = await yogaOnNode({ limits: { ignoreIntrospection: true } });
    const cyclic = await post({ query: '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }' });
    // Only graphql-js's own MaxIntrospectionDepthRule, which Yoga runs, refuses it now.
    expect(cyclic.body.errors.map((error: { message: string }) => error.message)).toEqual(['Maximum introspection depth exceeded']);
  });

  it('sets Retry-After to the longest wait among the RATE_LIMITED fields, status 200', async () => {
    const post = await yogaOnNode();
    const first = await post({ query: '{ a: perMinute b: perMinute c: perHour d: perHour health }' });
    expect(first.status).toBe(200);
    expect(codes(first.body)).toEqual([
      ['b', 'RATE_LIMITED'],
      ['d', 'RATE_LIMITED'],
    ]);
    expect(first.body.errors.map((error: { extensions: { retryAfter: number } }) => error.extensions.retryAfter)).toEqual([60, 3600]);
    expect(first.headers.get('retry-after')).toBe('3600');
  });

  it('sets no Retry-After on a response without RATE_LIMITED, nor when told not to', async () => {
    const post = await yogaOnNode();
    expect((await post({ query: '{ products }' })).headers.get('retry-after')).toBeNull();
    const quiet = await yogaOnNode({ retryAfterHeader: false });
    const limited = await quiet({ query: '{ a: perMinute b: perMinute }' });
    expect(codes(limited.body)).toEqual([['b', 'RATE_LIMITED']]);
    expect(limited.headers.get('retry-after')).toBeNull();
  });

  it('settles the protections after execution, then merges what they add into extensions', async () => {
    const post = await yogaOnNode();
    const { body } = await post({ query: '{ settled }' });
    expect(settledResults).toEqual([{ settled: 'ok' }]);
    expect(body).toEqual({ data: { settled: 'ok' }, extensions: { cost: { requested: 3, actual: 1 } } });
  });

  it('merges what a settlement that answers synchronously (a memory store) adds, too', async () => {
    const post = await yogaOnNode();
    const { body } = await post({ query: '{ settledNow }' });
    expect(settledResults).toEqual([{ settledNow: 'ok' }]);
    expect(body).toEqual({ data: { settledNow: 'ok' }, extensions: { cost: { requested: 3, actual: 3 } } });
  });

  it('sends every decision to the observer', async () => {
    const decisions: ProtectionDecisionEvent[] = [];
    const post = await yogaOnNode({ observer: { onDecision: (event) => decisions.push(event) } });
    await post({ query: '{ products }' });
    expect(decisions.map((event) => [event.outcome, event.coordinate, event.code, event.clientIp])).toEqual([
      ['refused', 'Query.products', 'API_KEY_REQUIRED', '127.0.0.1'],
    ]);
  });
});

describe('useRampart on envelop without Yoga', () => {
  function enveloped(options: UseRampartOptions) {
    return envelop({
      plugins: [useEngine({ ...graphqlJs, specifiedRules: graphqlJs.specifiedRules }), useSchema(schema()), useRampart(options)],
    });
  }

  async function run(
    getEnveloped: ReturnType<typeof enveloped>,
    source: string,
    initialContext: Record<string, unknown>,
  ): Promise<graphqlJs.ExecutionResult> {
    const { parse, validate, contextFactory, execute, schema: envelopedSchema } = getEnveloped(initialContext);
    const document = parse(source);
    const errors: readonly graphqlJs.GraphQLError[] = validate(envelopedSchema, document);
    if (errors.length > 0) return { errors };
    return (await execute({ schema: envelopedSchema, document, contextValue: await contextFactory() })) as graphqlJs.ExecutionResult;
  }

  it('reads the request with the host’s requestFacts', async () => {
    const getEnveloped = enveloped({
      requestFacts: (context) => ({ headers: { 'x-api-key': [String(context['apiKey'])] }, remoteAddress: '198.51.100.7' }),
    });
    expect(await run(getEnveloped, '{ products whoAmI }', { apiKey: key })).toEqual({
      data: { products: ['kettle'], whoAmI: '198.51.100.7' },
    });
  });

  it('fails closed when the context carries no request: protected fields PROTECTION_UNAVAILABLE, public ones resolve', async () => {
    const result = await run(enveloped({}), '{ products health }', {});
    expect(result.data).toEqual({ products: null, health: 'ok' });
    expect(result.errors?.map((error) => error.extensions['code'])).toEqual(['PROTECTION_UNAVAILABLE']);
  });

  it('adds the operation limits to validation and merges extensions after execution', async () => {
    const getEnveloped = enveloped({ requestFacts: () => ({ headers: {}, remoteAddress: '127.0.0.1' }) });
    const aliases = Array.from({ length: 31 }, (_, i) => `h${i}: __typename`).join(' ');
    expect((await run(getEnveloped, `{ ${aliases} }`, {})).errors?.map((error) => error.message)).toEqual([
      'The operation uses too many aliases.',
    ]);
    expect(await run(getEnveloped, '{ settled }', {})).toEqual({
      data: { settled: 'ok' },
      extensions: { cost: { requested: 3, actual: 1 } },
    });
  });
});

describe('yogaRequestFacts', () => {
  it('reads a Fetch request and the Node socket peer, or a Node request alone, or nothing', () => {
    const request = new Request('https://shop.example/graphql?x=1', { method: 'POST', headers: { 'x-api-key': 'k' } });
    const req = {
      headersDistinct: { 'x-api-key': ['n'] },
      socket: { remoteAddress: '192.0.2.1' },
      method: 'POST',
      url: '/graphql',
      headers: {},
    };
    expect(yogaRequestFacts({ request, req })).toEqual({
      headers: { 'x-api-key': 'k' },
      remoteAddress: '192.0.2.1',
      method: 'POST',
      url: '/graphql?x=1',
      protocol: 'https',
    });
    expect(yogaRequestFacts({ req })).toMatchObject({ headers: { 'x-api-key': ['n'] }, remoteAddress: '192.0.2.1' });
    expect(yogaRequestFacts({ request })?.remoteAddress).toBeUndefined();
    expect(yogaRequestFacts({ request: 'GET /' })).toBeUndefined();
  });
});

describe('useRampart options', () => {
  it('throws a TypeError naming useRampart for a bad option', () => {
    const factory = securityContextFactory();
    expect(() => useRampart({ securityContext: factory, trustedProxies: ['10.0.0.0/8'] })).toThrow(
      new TypeError('useRampart: give either securityContext or trustedProxies (to the factory), not both'),
    );
    expect(() => useRampart({ maxTokens: 0 })).toThrow(new TypeError('useRampart: maxTokens must be a positive integer, or false'));
    expect(() => useRampart({ requestFacts: 'request' as never })).toThrow(new TypeError('useRampart: requestFacts must be a function'));
    expect(() => useRampart({ limits: { maxDepth: -1 } })).toThrow(TypeError);
  });
});
