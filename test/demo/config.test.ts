import { describe, expect, it } from 'vitest';
import { DemoConfigError, readDemoConfig } from '../../src/demo/config.js';

const production = {
  NODE_ENV: 'production',
  OIDC_ISSUER: 'https://id.example.com/',
  OIDC_AUDIENCE: 'https://api.example.com',
  APPROOV_SECRET: Buffer.alloc(32, 3).toString('base64'),
  CAPTCHA_PROVIDER: 'recaptcha',
  CAPTCHA_SECRET: 'secret',
  CAPTCHA_HOSTNAMES: 'shop.example.com',
  PUBLIC_ORIGIN: 'https://api.example.com',
};

describe('readDemoConfig', () => {
  it('accepts a complete production configuration', () => {
    const config = readDemoConfig(production);
    expect(config.production).toBe(true);
    expect(config.publicOrigin).toBe('https://api.example.com');
  });

  it.each([
    ['the development issuer', { OIDC_ISSUER: undefined }, 'NODE_ENV=production refuses the development issuer'],
    ['the development attester', { APPROOV_SECRET: undefined }, 'NODE_ENV=production refuses the development attester'],
    ['the development captcha provider', { CAPTCHA_PROVIDER: undefined }, 'NODE_ENV=production refuses the development captcha provider'],
    ['no PUBLIC_ORIGIN', { PUBLIC_ORIGIN: undefined }, 'NODE_ENV=production needs PUBLIC_ORIGIN'],
    ['report-only without the acknowledgement', { REPORT_ONLY: 'captcha' }, 'REPORT_ONLY turns enforcement off'],
  ])('refuses production with %s, saying what to set', (_name, change, message) => {
    expect(() => readDemoConfig({ ...production, ...change })).toThrow(DemoConfigError);
    expect(() => readDemoConfig({ ...production, ...change })).toThrow(message);
  });

  it('takes report-only in production when acknowledged', () => {
    const config = readDemoConfig({
      ...production,
      REPORT_ONLY: 'captcha,rateLimit:Query.products',
      ALLOW_REPORT_ONLY_IN_PRODUCTION: 'true',
    });
    expect(config.reportOnly).toEqual({ captcha: true, rateLimit: ['Query.products'] });
  });

  it.each([
    ['PORT', { PORT: '70000' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'proxy.internal' }],
    ['REPORT_ONLY', { REPORT_ONLY: 'everything' }],
    ['REQUIRE_TLS', { REQUIRE_TLS: 'yes' }],
    ['TLS files', { TLS_CERT_FILE: '/nonexistent/cert.pem' }],
    ['LIMIT_DEPTH', { LIMIT_DEPTH: '0' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db/shop' }],
    ['REDIS_URL', { REDIS_URL: 'http://cache:6379' }],
    ['REDIS_PREFIX', { REDIS_PREFIX: 'has space' }],
    ['SHUTDOWN_GRACE_MS', { SHUTDOWN_GRACE_MS: 'soon' }],
    ['REQUEST_HEADERS_TIMEOUT_MS', { REQUEST_HEADERS_TIMEOUT_MS: '0' }],
    ['REQUEST_BODY_TIMEOUT_MS', { REQUEST_BODY_TIMEOUT_MS: '-1' }],
    ['MAX_CONNECTIONS_PER_CLIENT', { MAX_CONNECTIONS_PER_CLIENT: 'many' }],
    ['CAPTCHA_MIN_SCORE', { CAPTCHA_PROVIDER: 'recaptcha', CAPTCHA_SECRET: 's', CAPTCHA_HOSTNAMES: 'h', CAPTCHA_MIN_SCORE: '2' }],
    ['COST_BUDGET_UNATTESTED', { COST_BUDGET_UNATTESTED: '250' }],
    ['COST_BUDGET_UNATTESTED', { COST_BUDGET_UNATTESTED: '0/1h' }],
    ['COST_BUDGET_ATTESTED', { COST_BUDGET_ATTESTED: '100/forever' }],
    ['COST_BUDGET_ATTESTED', { COST_BUDGET_ATTESTED: '100/10ms' }],
    ['COST_MAX', { COST_MAX: '0' }],
    ['COST_MAX_LIST_SIZE', { COST_MAX_LIST_SIZE: 'lots' }],
  ])('names %s when it is wrong', (name, env) => {
    expect(() => readDemoConfig(env)).toThrow(name.split(' ')[0]);
  });

  it('by default cuts off headers after 10 s and a body after 30 s, caps 64 connections per address and drains for 10 s', () => {
    const config = readDemoConfig({});
    expect([config.requestHeadersTimeoutMs, config.requestBodyTimeoutMs, config.maxConnectionsPerClient, config.shutdownGraceMs]).toEqual([
      10_000, 30_000, 64, 10_000,
    ]);
  });

  it('gives a key and address about 100 products an hour without attestation, an attested app instance 10,000 points an hour', () => {
    expect(readDemoConfig({}).cost).toEqual({
      unattested: { capacity: 250, restorePerSecond: 250 / 3600 },
      attested: { capacity: 10_000, restorePerSecond: 10_000 / 3600 },
      maxCost: 5000,
      maxListSize: 100,
    });
    expect(readDemoConfig({ COST_BUDGET_UNATTESTED: '600/10m' }).cost.unattested).toEqual({ capacity: 600, restorePerSecond: 1 });
  });

  it('prefixes Redis keys with rampart: unless told otherwise', () => {
    expect(readDemoConfig({}).redisPrefix).toBe('rampart:');
    expect(readDemoConfig({ REDIS_PREFIX: 'staging:rampart:' }).redisPrefix).toBe('staging:rampart:');
  });

  it('never repeats a secret in its errors', () => {
    let thrown: unknown;
    try {
      readDemoConfig({ APPROOV_SECRET: 'tiny' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DemoConfigError);
    expect((thrown as Error).message).not.toContain('tiny');
  });
});

describe('readDemoConfig: REDIS_CLUSTER_NODES', () => {
  it('takes a comma-separated list of host:port, a default port of 6379 and IPv6 in brackets', () => {
    expect(readDemoConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, cache-2.internal:7001 ,[::1]:7002,cache-3' }).redisCluster).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'cache-2.internal', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'cache-3', port: 6379 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
  });

  it('takes the user and password from the node URLs, or the password from REDIS_PASSWORD', () => {
    const fromUrls = readDemoConfig({ REDIS_CLUSTER_NODES: 'redis://shop:s%40cret@10.0.0.1:7000,redis://shop:s%40cret@10.0.0.2:7000' });
    expect(fromUrls.redisCluster).toMatchObject({ username: 'shop', password: 's@cret', tls: false });
    const separate = readDemoConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_PASSWORD: 'cluster-secret' });
    expect(separate.redisCluster).toMatchObject({ username: undefined, password: 'cluster-secret' });
  });

  it('speaks TLS to every node given as rediss://', () => {
    expect(readDemoConfig({ REDIS_CLUSTER_NODES: 'rediss://10.0.0.1:7000,rediss://10.0.0.2:7000' }).redisCluster?.tls).toBe(true);
  });

  it('keeps REDIS_PREFIX for the cluster, and no REDIS_URL', () => {
    const config = readDemoConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_PREFIX: 'staging:' });
    expect([config.redisPrefix, config.redisUrl]).toEqual(['staging:', undefined]);
  });

  it('is absent without REDIS_CLUSTER_NODES', () => {
    expect(readDemoConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisCluster).toBeUndefined();
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, naming both', () => {
    expect(() => readDemoConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toThrow(
      new DemoConfigError('REDIS_URL and REDIS_CLUSTER_NODES exclude each other: set one Redis, or one Redis Cluster'),
    );
  });

  const secret = 'never-in-a-message';
  it.each([
    ['another scheme', `http://u:${secret}@10.0.0.1:7000`, 'entry 1 must be host:port'],
    ['port 0', '10.0.0.1:0', 'entry 1 must be host:port'],
    ['a port out of range', '10.0.0.1:7000,10.0.0.2:70000', 'entry 2 must be host:port'],
    ['a port that is not a number', '10.0.0.1:seven', 'entry 1 must be host:port'],
    ['no host', ':7000', 'entry 1 must be host:port'],
    ['a database number (a cluster has only 0)', `redis://:${secret}@10.0.0.1:7000/2`, 'entry 1 must be host:port'],
    ['a query string', '10.0.0.1:7000?tls=true', 'entry 1 must be host:port'],
    ['a broken percent escape in the password', 'redis://:%E0%A4%A@10.0.0.1:7000', 'entry 1 must be host:port'],
    ['a space inside an entry', '10.0.0.1 7000', 'entry 1 must be host:port'],
    ['control characters', '10.0.0.1:7000\u0000\n', 'entry 1 must be host:port'],
    ['an oversized host', `${'a'.repeat(100_000)}:7000`, 'entry 1 must be host:port'],
    ['more than 64 nodes', Array.from({ length: 65 }, (_, i) => `10.0.0.${i}:7000`).join(','), 'lists at most 64 nodes'],
    ['both schemes', 'redis://10.0.0.1:7000,rediss://10.0.0.2:7000', 'mixes redis:// and rediss://'],
    ['two passwords', `redis://:${secret}@10.0.0.1:7000,redis://:other@10.0.0.2:7000`, 'different users or passwords'],
  ])('refuses %s, naming the variable and never the entry', (_name, nodes, message) => {
    let thrown: unknown;
    try {
      readDemoConfig({ REDIS_CLUSTER_NODES: nodes });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DemoConfigError);
    expect((thrown as Error).message).toContain('REDIS_CLUSTER_NODES');
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain(secret);
    expect((thrown as Error).message).not.toContain('10.0.0');
  });

  it('refuses REDIS_PASSWORD together with a password in the URLs, and REDIS_PASSWORD alone', () => {
    expect(() => readDemoConfig({ REDIS_CLUSTER_NODES: `redis://:${secret}@10.0.0.1:7000`, REDIS_PASSWORD: secret })).toThrow(
      'REDIS_PASSWORD and a password in REDIS_CLUSTER_NODES: give the password once',
    );
    expect(() => readDemoConfig({ REDIS_PASSWORD: secret })).toThrow('REDIS_PASSWORD goes with REDIS_CLUSTER_NODES');
  });
});
