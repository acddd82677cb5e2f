import { describe, expect, it } from 'vitest';
import {
  authDirective,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryRateLimitStore,
  type ProtectionDecisionEvent,
  publicDirective,
  rateLimitDirective,
  type ReportOnlySetting,
  requiresApiKeyDirective,
  type VerificationEvent,
} from '../../src/index.js';
import { errorCodes, protectedSchema, run } from '../support/harness.js';
import { createTestIssuer } from '../support/token-issuer.js';

const sdl = `
  type Item { id: ID! secret: String @requiresApiKey }
  type Query {
    items(count: Int!): [Item!]! @public
    me: String @auth(requires: ["orders:read"])
    admin: String @auth(requires: ["catalog:admin"])
    limited: Int @rateLimit(window: "1m", max: 1, by: [IP])
  }
`;

async function setUp(reportOnly: { apiKey?: ReportOnlySetting; auth?: ReportOnlySetting } = {}) {
  const issuer = await createTestIssuer();
  const store = new MemoryApiKeyStore();
  const key = (await issueApiKey(store, { app: 'ios' })).key;
  const schema = protectedSchema(
    sdl,
    [
      requiresApiKeyDirective({ store, ...(reportOnly.apiKey ? { reportOnly: reportOnly.apiKey } : {}) }),
      authDirective({
        issuers: [{ issuer: issuer.issuer, audience: issuer.audience, keys: { jwks: issuer.jwks } }],
        ...(reportOnly.auth ? { reportOnly: reportOnly.auth } : {}),
      }),
      rateLimitDirective({ store: new MemoryRateLimitStore() }),
      publicDirective(),
    ],
    {
      Query: {
        items: (_: unknown, args: { count: number }) => Array.from({ length: args.count }, (_, i) => ({ id: String(i), secret: `s${i}` })),
        me: () => 'me',
        admin: () => 'admin',
        limited: () => 1,
      },
    },
  );
  const decisions: ProtectionDecisionEvent[] = [];
  const verifications: VerificationEvent[] = [];
  const observer = {
    onDecision: (event: ProtectionDecisionEvent) => decisions.push(event),
    onVerification: (event: VerificationEvent) => verifications.push(event),
  };
  return { schema, key, token: await issuer.sign({ sub: 'alice', scope: 'orders:read' }), decisions, verifications, observer };
}

describe('the protection observer', () => {
  it('reports a refusal with the code, reason, coordinate and proven identities, never a credential', async () => {
    const { schema, key, token, decisions, observer } = await setUp();
    const result = await run(
      schema,
      '{ me admin }',
      { headers: { authorization: `Bearer ${token}`, 'x-api-key': key }, remoteAddress: '198.51.100.4' },
      { observer },
    );
    expect(errorCodes(result)).toEqual([['admin', 'FORBIDDEN']]);
    const refusal = decisions.find((event) => event.outcome === 'refused');
    expect(refusal).toEqual({
      time: expect.any(Number),
      outcome: 'refused',
      directives: ['auth'],
      code: 'FORBIDDEN',
      reason: 'insufficient_scope@Query.admin',
      coordinate: 'Query.admin',
      requestId: expect.any(String),
      clientIp: '198.51.100.4',
      apiKeyId: undefined,
      userSubject: 'alice',
      appId: undefined,
      deviceId: undefined,
    });
    expect(JSON.stringify(decisions)).not.toContain(token);
    expect(JSON.stringify(decisions)).not.toContain(key);
  });

  it('reports a per-request decision once per field, however many items', async () => {
    const { schema, key, decisions, observer } = await setUp();
    await run(schema, '{ items(count: 1000) { secret } }', { headers: { 'x-api-key': key } }, { observer });
    const itemDecisions = decisions.filter((event) => event.coordinate === 'Item.secret');
    expect(itemDecisions).toEqual([
      expect.objectContaining({ outcome: 'allowed', directives: ['requiresApiKey'], apiKeyId: expect.any(String) }),
    ]);
  });

  it('reports each verification that ran, once per request', async () => {
    const { schema, key, token, verifications, observer } = await setUp();
    await run(
      schema,
      '{ a: me b: me items(count: 3) { secret } }',
      { headers: { authorization: `Bearer ${token}`, 'x-api-key': key } },
      { observer },
    );
    expect(verifications.map(({ kind, outcome }) => [kind, outcome]).sort()).toEqual([
      ['access_token', 'verified'],
      ['api_key', 'verified'],
    ]);
    expect(verifications.every((event) => event.durationMs >= 0)).toBe(true);
    await run(schema, '{ me }', { headers: { authorization: 'Bearer a.b.c' } }, { observer });
    expect(verifications.at(-1)).toEqual({ kind: 'access_token', outcome: 'refused', durationMs: expect.any(Number) });
  });

  it('changes nothing when the observer throws', async () => {
    const { schema } = await setUp();
    const observer = {
      onDecision: () => {
        throw new Error('logger down');
      },
      onVerification: () => {
        throw new Error('metrics down');
      },
    };
    expect(errorCodes(await run(schema, '{ me }', {}, { observer }))).toEqual([['me', 'UNAUTHENTICATED']]);
  });
});

describe('report-only mode', () => {
  it('lets the call through and reports what would have been refused', async () => {
    const { schema, decisions, observer } = await setUp({ auth: true });
    const result = await run(schema, '{ me admin }', {}, { observer });
    expect(result).toEqual({ data: { me: 'me', admin: 'admin' } });
    expect(
      decisions.filter((event) => event.outcome === 'would_refuse').map((event) => [event.coordinate, event.code, event.reason]),
    ).toEqual([
      ['Query.me', 'UNAUTHENTICATED', 'missing'],
      ['Query.admin', 'UNAUTHENTICATED', 'missing'],
    ]);
  });

  it('applies to the listed coordinates only', async () => {
    const { schema, observer } = await setUp({ auth: ['Query.me'] });
    const result = await run(schema, '{ me admin }', {}, { observer });
    expect(result.data).toEqual({ me: 'me', admin: null });
    expect(errorCodes(result)).toEqual([['admin', 'UNAUTHENTICATED']]);
  });

  it('keeps enforcing the other directives while one is in report-only mode', async () => {
    const { schema, decisions, observer } = await setUp({ apiKey: true });
    const result = await run(schema, '{ items(count: 2) { secret } limited a: limited }', {}, { observer });
    expect(result.data?.['items']).toEqual([{ secret: 's0' }, { secret: 's1' }]);
    expect(errorCodes(result)).toEqual([['a', 'RATE_LIMITED']]);
    expect(decisions.some((event) => event.outcome === 'would_refuse' && event.code === 'API_KEY_REQUIRED')).toBe(true);
  });
});
