import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { DemoConfigError, readDemoConfig } from '../../src/demo/config.js';
import { capturedOutput } from '../support/captured-output.js';
import { pathCodes, startDemo, type RunningDemo } from '../support/demo.js';
import { ifSetUp } from '../support/set-up.js';

let demo: RunningDemo;
let endpoint: URL;
let userId: string;

const cli = (...argv: string[]) => demo.runCli(...argv);
const graphql = (query: string, headers: Record<string, string> = {}) => demo.graphql(query, headers);
const codes = pathCodes;

beforeAll(async () => {
  demo = await startDemo({}, { app: 'auth-flow' });
  endpoint = demo.endpoint;
  const captcha = (await cli('token', 'captcha', '--action', 'signup')).stdout;
  const signUp = await graphql('mutation { signUp(email: "ada@example.com", password: "correct horse battery") { id } }', {
    'x-captcha-token': captcha,
  });
  userId = signUp.data.signUp.id;
});
afterAll(async () => {
  await ifSetUp(demo)?.stop();
});

const token = async (...args: string[]) => {
  const { code, stdout } = await cli('token', 'user', '--sub', userId, ...args);
  expect(code).toBe(0);
  return stdout.trim();
};

describe('the demo with @auth and the development issuer', () => {
  it('serves the signed-in user with a token from npx rampart token user', async () => {
    const result = await graphql('{ me { id email } }', { authorization: `Bearer ${await token()}` });
    expect(result).toEqual({
      data: { me: { id: userId, email: 'ada@example.com' } },
      extensions: { cost: expect.objectContaining({ actualQueryCost: 3 }) },
    });
  });

  it('refuses user operations without a token, still serving the rest of the query', async () => {
    const result = await graphql('{ categories { name } me { id } }');
    expect(result.data.categories.length).toBeGreaterThan(0);
    expect(result.data.me).toBeNull();
    expect(codes(result)).toEqual([['me', 'UNAUTHENTICATED']]);
  });

  it('places an order with orders:write and refuses it without', async () => {
    const full = await token();
    const readOnly = await token('--scope', 'orders:read');
    await graphql('mutation { addToCart(productId: "1", quantity: 1) { total } }', { authorization: `Bearer ${full}` });
    const refused = await graphql('mutation { placeOrder { id } }', { authorization: `Bearer ${readOnly}` });
    expect(codes(refused)).toEqual([['placeOrder', 'FORBIDDEN']]);
    const attestation = (await cli('token', 'attestation', '--bind', `Bearer ${full}`)).stdout.trim();
    const placed = await graphql('mutation { placeOrder { id status } }', {
      authorization: `Bearer ${full}`,
      'approov-token': attestation,
    });
    expect(placed.errors).toBeUndefined();
    expect(placed.data.placeOrder.status).toBe('PLACED');
  });

  it('shows staff-only fields to catalog:admin only, field by field', async () => {
    const query = '{ product(id: "1") { name wholesalePrice stockLevel } }';
    const shopper = await graphql(query, { authorization: `Bearer ${await token()}` });
    expect(shopper.data.product.name).toBeTypeOf('string');
    expect(shopper.data.product.wholesalePrice).toBeNull();
    expect(codes(shopper)).toEqual([
      ['product.wholesalePrice', 'FORBIDDEN'],
      ['product.stockLevel', 'FORBIDDEN'],
    ]);
    const staff = await graphql(query, { authorization: `Bearer ${await token('--scope', 'catalog:admin')}` });
    expect(staff.errors).toBeUndefined();
    expect(staff.data.product.wholesalePrice).toBeTypeOf('number');
  });

  it('accepts a DPoP-bound token with a proof from npx rampart token dpop-proof, once per proof', async () => {
    const keyFile = `${demo.dataDir}/client-dpop.json`;
    const bound = await token('--dpop-key', keyFile);
    const proof = (await cli('token', 'dpop-proof', '--dpop-key', keyFile, '--url', endpoint.href, '--token', bound)).stdout.trim();
    const headers = { authorization: `DPoP ${bound}`, dpop: proof };
    expect((await graphql('{ me { id } }', headers)).data).toEqual({ me: { id: userId } });
    expect(codes(await graphql('{ me { id } }', headers))).toEqual([['me', 'UNAUTHENTICATED']]);
    expect(codes(await graphql('{ me { id } }', { authorization: `Bearer ${bound}` }))).toEqual([['me', 'UNAUTHENTICATED']]);
  });

  it('serves the development issuer’s discovery document and keys, which verify its tokens', async () => {
    const discovery = (await (await fetch(new URL('/.well-known/openid-configuration', endpoint))).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery.issuer).toBe(endpoint.origin);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as import('jose').JSONWebKeySet;
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    const { payload } = await jwtVerify(await token(), createLocalJWKSet(jwks), {
      issuer: discovery.issuer,
      audience: 'graphql-rampart-demo',
      typ: 'at+jwt',
    });
    expect(payload.sub).toBe(userId);
    expect(payload.scope).toBe('orders:read orders:write reviews:write');
  });

  it('accepts a short-lived token (--ttl 1s) right away', async () => {
    const result = await graphql('{ me { id } }', { authorization: `Bearer ${await token('--ttl', '1s')}` });
    expect(result.errors).toBeUndefined();
  });
});

describe('npx rampart token', () => {
  it.each([
    [['token', 'user'], 'token user needs --sub ID'],
    [['token', 'user', '--sub', 'u', '--scope', 'root'], '--scope takes scopes among'],
    [['token', 'user', '--sub', 'u', '--ttl', '2d'], '--ttl takes a duration from 1s to 24h'],
    [['token', 'dpop-proof', '--dpop-key', '/nonexistent'], 'token dpop-proof needs --dpop-key FILE'],
    [['token', 'captcha'], 'token captcha needs --action NAME'],
    [['token', 'captcha', '--action', 'signup', '--score', '2'], '--score takes a number from 0 to 1'],
    [['token', 'magic'], 'token takes one of: user, attestation, captcha, dpop-proof'],
  ])('exits 2 for %j', async (argv, message) => {
    const { code, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('is refused in production', async () => {
    const out = capturedOutput();
    expect(await runCli(['token', 'user', '--sub', 'u'], { DATA_DIR: demo.dataDir, NODE_ENV: 'production' }, out)).toBe(1);
    expect(out.stderr.join('\n')).toContain('NODE_ENV=production refuses');
    expect(out.stdout).toEqual([]);
  });
});

describe('production configuration', () => {
  it('refuses to start with the development issuer, saying which variables to set', () => {
    expect(() => readDemoConfig({ NODE_ENV: 'production' })).toThrow(
      new DemoConfigError(
        'NODE_ENV=production refuses the development issuer: set OIDC_ISSUER and OIDC_AUDIENCE to your identity provider',
      ),
    );
    expect(() => readDemoConfig({ NODE_ENV: 'production', OIDC_ISSUER: 'https://id.example.com/' })).toThrow(
      'OIDC_AUDIENCE is required with OIDC_ISSUER',
    );
  });
});
