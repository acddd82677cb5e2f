import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDemoConfig } from '../../src/demo/config.js';
import { createDemoServer, type DemoServer } from '../../src/demo/server.js';
import { issueApiKey, SqliteApiKeyStore } from '../../src/index.js';
import { startOpenIdProvider, type TestOpenIdProvider } from '../support/oidc-provider.js';
import { ifSetUp } from '../support/set-up.js';
import { temporaryDirectory } from '../support/temp-directory.js';

const audience = 'https://api.shop.test';
const scopes = ['orders:read', 'orders:write', 'catalog:admin'];

let trusted: TestOpenIdProvider;
let untrusted: TestOpenIdProvider;
let dataDir: ReturnType<typeof temporaryDirectory>;
let demo: DemoServer;
let endpoint: URL;
let apiKey: string;
let clockOffset = 0;
const logLines: string[] = [];

beforeAll(async () => {
  trusted = await startOpenIdProvider(audience, scopes);
  untrusted = await startOpenIdProvider(audience, scopes);
  dataDir = temporaryDirectory();
  const config = readDemoConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir.path,
    OIDC_ISSUER: trusted.issuer,
    OIDC_AUDIENCE: audience,
    OIDC_TOKEN_TYPE: 'at+jwt',
  });
  demo = createDemoServer(config, (line) => logLines.push(line), { clock: () => Date.now() + clockOffset });
  endpoint = await demo.start();
  apiKey = (await issueApiKey(new SqliteApiKeyStore(new Database(`${dataDir.path}/keys.db`)), { app: 'oidc-test' })).key;
});
afterAll(async () => {
  await ifSetUp(demo)?.stop();
  await ifSetUp(trusted)?.close();
  await ifSetUp(untrusted)?.close();
  ifSetUp(dataDir)?.remove();
});

async function staffQuery(token: string) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ product(id: "1") { name wholesalePrice } }' }),
  });
  return (await response.json()) as {
    data: { product: { wholesalePrice: number | null } };
    errors?: Array<{ extensions: { code: string } }>;
  };
}

describe('@auth against a real OpenID Provider (oidc-provider, client credentials, resource indicator)', () => {
  it('accepts its JWT access token, with keys found through discovery', async () => {
    const result = await staffQuery(await trusted.token('catalog:admin'));
    expect(result.errors).toBeUndefined();
    expect(result.data.product.wholesalePrice).toBeTypeOf('number');
    expect(trusted.hits.get('/.well-known/openid-configuration')).toBe(1);
    expect(trusted.hits.get('/jwks')).toBe(1);
  });

  it('answers FORBIDDEN to its token without the scope', async () => {
    const result = await staffQuery(await trusted.token('orders:read'));
    expect(result.errors?.map((error) => error.extensions.code)).toEqual(['FORBIDDEN']);
  });

  it('refuses a token from a second, untrusted provider instance', async () => {
    const result = await staffQuery(await untrusted.token('catalog:admin'));
    expect(result.data.product.wholesalePrice).toBeNull();
    expect(result.errors?.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('accepts tokens signed with a rotated key once the cooldown has passed, without a restart', async () => {
    await trusted.rotateKey();
    const rotated = await trusted.token('catalog:admin');
    clockOffset += 1000;
    expect((await staffQuery(rotated)).errors?.map((error) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    const fetchesBefore = trusted.hits.get('/jwks') ?? 0;
    clockOffset += 30_000;
    const result = await staffQuery(rotated);
    expect(result.errors).toBeUndefined();
    expect(result.data.product.wholesalePrice).toBeTypeOf('number');
    expect(trusted.hits.get('/jwks')).toBe(fetchesBefore + 1);
  });

  it('logs no token', async () => {
    const token = await trusted.token('catalog:admin');
    await staffQuery(token);
    expect(logLines.join('\n')).not.toContain(token.split('.')[2]);
  });
});
