import { jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeySetUnavailableError } from '../../src/tokens/key-set-unavailable-error.js';
import { RemoteKeySet, type RemoteKeySetOptions } from '../../src/tokens/remote-key-set.js';
import { json, startJsonServer, type JsonServer } from '../support/json-server.js';
import { createTestIssuer, type TestIssuer } from '../support/token-issuer.js';

let server: JsonServer;
let issuer: TestIssuer;
let now: number;

beforeEach(async () => {
  issuer = await createTestIssuer({ kid: 'one' });
  server = await startJsonServer(json(issuer.jwks));
  now = 1_000_000;
});
afterEach(() => server.close());

function keySet(options: RemoteKeySetOptions = {}) {
  return new RemoteKeySet(new URL(`${server.origin}/jwks`), { clock: () => now, ...options });
}

const fetches = () => server.hits.get('/jwks') ?? 0;
const verify = (set: RemoteKeySet, token: string) => jwtVerify(token, set.getKey, { algorithms: ['ES256'] });

describe('RemoteKeySet', () => {
  it('fetches once and verifies many tokens with the cached keys', async () => {
    const set = keySet();
    for (let i = 0; i < 5; i++) await verify(set, await issuer.sign());
    expect(fetches()).toBe(1);
  });

  it('fetches once for many concurrent first verifications', async () => {
    const set = keySet();
    const token = await issuer.sign();
    await Promise.all(Array.from({ length: 20 }, () => verify(set, token)));
    expect(fetches()).toBe(1);
  });

  it('refetches on an unknown kid only after the cooldown', async () => {
    const set = keySet({ cooldownMs: 30_000 });
    await verify(set, await issuer.sign());
    const stranger = await issuer.sign({}, { kid: 'unknown' });
    now += 1000;
    await expect(verify(set, stranger)).rejects.toThrow();
    await expect(verify(set, stranger)).rejects.toThrow();
    expect(fetches()).toBe(1);
    now += 30_000;
    await expect(verify(set, stranger)).rejects.toThrow();
    expect(fetches()).toBe(2);
  });

  it('accepts tokens signed with a rotated key after the cooldown, without a restart', async () => {
    const set = keySet({ cooldownMs: 30_000 });
    await verify(set, await issuer.sign());
    const rotated = await createTestIssuer({ kid: 'two' });
    server.respond(json({ keys: [...issuer.jwks.keys, ...rotated.jwks.keys] }));
    const fresh = await rotated.sign();
    await expect(verify(set, fresh)).rejects.toThrow();
    now += 30_000;
    await expect(verify(set, fresh)).resolves.toBeTruthy();
    expect(fetches()).toBe(2);
  });

  it('refreshes keys older than maxAge', async () => {
    const set = keySet({ maxAgeMs: 60_000 });
    await verify(set, await issuer.sign());
    now += 60_000;
    await verify(set, await issuer.sign());
    expect(fetches()).toBe(2);
  });

  it('keeps using fetched keys within the stale-if-error window, then fails closed', async () => {
    const set = keySet({ maxAgeMs: 60_000, staleIfErrorMs: 120_000, retryAfterErrorMs: 0 });
    const token = await issuer.sign();
    await verify(set, token);
    server.respond((_, response) => response.writeHead(503).end());
    now += 60_000 + 119_000;
    await expect(verify(set, token)).resolves.toBeTruthy();
    now += 1000;
    await expect(verify(set, token)).rejects.toBeInstanceOf(KeySetUnavailableError);
  });

  // No wall-clock assertion: were the timeout ignored, the fetch would hang and the test's own
  // 5 s limit would fail it.
  it('fails closed when the first fetch times out, and the process stays up', async () => {
    server.respond(() => undefined); // never answers
    const set = keySet({ timeoutMs: 200 });
    await expect(verify(set, await issuer.sign())).rejects.toBeInstanceOf(KeySetUnavailableError);
  }, 5_000);

  it('does not retry a failed fetch before retryAfterErrorMs', async () => {
    server.respond((_, response) => response.writeHead(500).end());
    const set = keySet({ retryAfterErrorMs: 5000 });
    const token = await issuer.sign();
    await expect(verify(set, token)).rejects.toBeInstanceOf(KeySetUnavailableError);
    await expect(verify(set, token)).rejects.toBeInstanceOf(KeySetUnavailableError);
    expect(fetches()).toBe(1);
    now += 5000;
    server.respond(json(issuer.jwks));
    await expect(verify(set, token)).resolves.toBeTruthy();
    expect(fetches()).toBe(2);
  });

  it.each([
    ['non-JSON', (_: unknown, response: import('node:http').ServerResponse) => response.writeHead(200).end('<html>')],
    ['JSON that is not a key set', json({ hello: 'world' })],
    [
      'a redirect',
      (_: unknown, response: import('node:http').ServerResponse) => response.writeHead(302, { location: 'http://127.0.0.1:1/' }).end(),
    ],
    ['an oversized body', json({ keys: [], padding: 'x'.repeat(600 * 1024) })],
  ])('fails closed on %s', async (_name, handler) => {
    server.respond(handler);
    await expect(verify(keySet(), await issuer.sign())).rejects.toBeInstanceOf(KeySetUnavailableError);
  });

  it('throws a TypeError for a bad timing option', () => {
    expect(() => keySet({ timeoutMs: 0 })).toThrow(TypeError);
    expect(() => keySet({ cooldownMs: -1 })).toThrow(TypeError);
  });
});
