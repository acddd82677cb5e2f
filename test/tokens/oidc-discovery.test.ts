import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeySetUnavailableError } from '../../src/tokens/key-set-unavailable-error.js';
import { oidcJwksUriResolver } from '../../src/tokens/oidc-discovery.js';
import { json, startJsonServer, type JsonServer } from '../support/json-server.js';

let server: JsonServer;
beforeEach(async () => {
  server = await startJsonServer();
});
afterEach(() => server.close());

describe('oidcJwksUriResolver', () => {
  it('reads jwks_uri from the discovery document and caches it', async () => {
    const issuer = `${server.origin}/realms/shop`;
    server.respond(json({ issuer, jwks_uri: `${server.origin}/realms/shop/certs` }));
    const resolve = oidcJwksUriResolver(issuer);
    expect((await resolve()).href).toBe(`${server.origin}/realms/shop/certs`);
    await resolve();
    expect(server.hits.get('/realms/shop/.well-known/openid-configuration')).toBe(1);
  });

  it.each([
    ['another issuer in the document', (origin: string) => ({ issuer: 'https://evil.test/', jwks_uri: `${origin}/jwks` })],
    ['no jwks_uri', (origin: string) => ({ issuer: origin })],
    ['a plain-http jwks_uri off loopback', (origin: string) => ({ issuer: origin, jwks_uri: 'http://keys.example.com/jwks' })],
    ['a document that is not an object', () => ['jwks']],
  ])('fails closed on %s', async (_name, document) => {
    server.respond(json(document(server.origin)));
    await expect(oidcJwksUriResolver(server.origin)()).rejects.toBeInstanceOf(KeySetUnavailableError);
  });

  it('fails closed when the issuer is down, and keeps a previous answer when it goes down later', async () => {
    server.respond((_, response) => response.writeHead(503).end());
    await expect(oidcJwksUriResolver(server.origin)()).rejects.toBeInstanceOf(KeySetUnavailableError);

    let now = 0;
    server.respond(json({ issuer: server.origin, jwks_uri: `${server.origin}/jwks` }));
    const resolve = oidcJwksUriResolver(server.origin, { clock: () => now, maxAgeMs: 1000 });
    await resolve();
    server.respond((_, response) => response.writeHead(503).end());
    now += 2000;
    expect((await resolve()).href).toBe(`${server.origin}/jwks`);
  });
});
