import { parse, subscribe, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  issueApiKey,
  MemoryApiKeyStore,
  MemoryRateLimitStore,
  rateLimitDirective,
  requiresApiKeyDirective,
  securityContextFactory,
} from '../../src/index.js';
import { protectedSchema, requestFacts } from '../support/harness.js';

const sdl = `
  type Query { ok: Int @requiresApiKey }
  type Subscription { ticks: Int @requiresApiKey @rateLimit(window: "1m", max: 2, by: [IP]) }
`;

// eslint-disable-next-line @typescript-eslint/require-await -- a subscription's source must be an async iterable, even with nothing to wait for
async function* threeTicks() {
  for (let tick = 1; tick <= 3; tick++) yield { ticks: tick };
}

async function setUp() {
  const store = new MemoryApiKeyStore();
  const { key } = await issueApiKey(store, { app: 'ios' });
  const schema = protectedSchema(sdl, [requiresApiKeyDirective({ store }), rateLimitDirective({ store: new MemoryRateLimitStore() })], {
    Query: { ok: () => 1 },
    Subscription: { ticks: { subscribe: threeTicks } },
  });
  const start = (headers: Record<string, string>) =>
    subscribe({
      schema,
      document: parse('subscription { ticks }'),
      contextValue: { rampart: securityContextFactory()(requestFacts({ headers })) },
    });
  return { key, start };
}

describe('protected subscriptions', () => {
  it('refuses to start a subscription without the credentials', async () => {
    const { start } = await setUp();
    const result = (await start({})) as ExecutionResult;
    expect(result.errors?.map((error) => error.extensions['code'])).toEqual(['API_KEY_REQUIRED']);
  });

  it('checks once at the start: every event is delivered, and a rate limit counts the subscription, not its events', async () => {
    const { key, start } = await setUp();
    const stream = (await start({ 'x-api-key': key })) as AsyncIterable<ExecutionResult>;
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    expect(events).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }, { data: { ticks: 3 } }]);
    await start({ 'x-api-key': key });
    const third = (await start({ 'x-api-key': key })) as ExecutionResult;
    expect(third.errors?.map((error) => error.extensions['code'])).toEqual(['RATE_LIMITED']);
  });
});
