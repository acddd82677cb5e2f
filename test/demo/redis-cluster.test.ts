// The demo on a three-master Redis Cluster (REDIS_CLUSTER_NODES): two instances sharing it, as
// behind one proxy (TRUST_PROXY, clients named by X-Forwarded-For), share limits, single-use
// captcha tokens and bans; a master frozen refuses what lives on it and nothing else; the password
// appears nowhere.
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodesOf, startDemo, type RunningDemo } from '../support/demo.js';
import { redisClusterToolsAvailable, startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { ifSetUp } from '../support/set-up.js';
import { temporaryDirectory } from '../support/temp-directory.js';
import { within } from '../support/within.js';

const available = redisClusterToolsAvailable();
const password = 'cluster-password-never-shown';
const prefix = 'test-cluster:';

describe.runIf(available)('the demo on a Redis Cluster, two instances sharing it', { timeout: 60_000 }, () => {
  let cluster: TestRedisCluster;
  let inspector: Cluster;
  let dataDir: ReturnType<typeof temporaryDirectory>;
  let a: RunningDemo;
  let b: RunningDemo;
  let signUps = 0;

  beforeAll(async () => {
    cluster = (await startRedisCluster({ password })) as TestRedisCluster;
    inspector = await cluster.client();
    dataDir = temporaryDirectory();
    const common = { DATA_DIR: dataDir.path, TRUST_PROXY: '127.0.0.1', REDIS_PREFIX: prefix };
    // One instance with REDIS_PASSWORD, the other with the password in the node URLs.
    a = await startDemo({ ...common, REDIS_CLUSTER_NODES: cluster.nodeList, REDIS_PASSWORD: password }, { app: 'shop' });
    const inUrls = cluster.nodes.map(({ host, port }) => `redis://:${password}@${host}:${port}`).join(',');
    b = await startDemo({ ...common, REDIS_CLUSTER_NODES: inUrls }, { app: 'shop' });
  });
  afterAll(async () => {
    await ifSetUp(b)?.server.stop();
    await ifSetUp(a)?.server.stop();
    ifSetUp(dataDir)?.remove();
    await ifSetUp(cluster)?.stop();
  });

  const from = (clientIp: string) => ({ 'x-forwarded-for': clientIp });
  const signUp = async (demo: RunningDemo, clientIp: string, captcha?: string) => {
    const token = captcha ?? (await demo.cli('token', 'captcha', '--action', 'signup'));
    const query = `mutation { signUp(email: "cluster-${++signUps}@example.com", password: "correct horse battery") { id } }`;
    return demo.post({ query }, { ...from(clientIp), 'x-captcha-token': token });
  };
  const categories = (demo: RunningDemo, clientIp: string) => demo.post({ query: '{ categories { name } }' }, from(clientIp));
  // Only the request gate's ban lookup touches Redis: no field, no rate limit, no budget.
  const typename = (demo: RunningDemo, clientIp: string) => demo.post({ query: '{ __typename }' }, from(clientIp));

  it('counts sign-ups from one address across both instances: 5 served, then RATE_LIMITED', async () => {
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push(errorCodesOf((await signUp(i % 2 === 0 ? a : b, '203.0.113.1')).body));
    expect(codes).toEqual([[], [], [], [], [], ['RATE_LIMITED'], ['RATE_LIMITED'], ['RATE_LIMITED']]);
  });

  it('refuses on one instance a captcha token already spent on the other', async () => {
    const solved = await a.cli('token', 'captcha', '--action', 'signup');
    expect(errorCodesOf((await signUp(a, '203.0.113.2', solved)).body)).toEqual([]);
    expect(errorCodesOf((await signUp(b, '203.0.113.3', solved)).body)).toEqual(['CAPTCHA_FAILED']);
  });

  it('refuses on one instance an address banned through the other: HTTP 429 before any GraphQL work', async () => {
    for (let i = 0; i < 5 + 10; i++) await signUp(a, '203.0.113.4');
    const banned = await categories(b, '203.0.113.4');
    expect(banned.status).toBe(429);
    expect(banned.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 60 });
    expect((await categories(b, '203.0.113.5')).status).toBe(200);
  });

  it('keeps its keys under REDIS_PREFIX, spread over the three masters', async () => {
    const perMaster = await Promise.all(inspector.nodes('master').map((node) => node.keys('*')));
    for (const keys of perMaster) {
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key.startsWith(prefix)).toBe(true);
    }
  });

  it('refuses with PROTECTION_UNAVAILABLE (HTTP 503) a client whose ban lives on a frozen master, serves the others, and serves it again once it thaws', async () => {
    const target = cluster.nodes[0]?.port as number;
    const addresses = Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`);
    const masters = await Promise.all(addresses.map((address) => cluster.masterOf(`${prefix}ban:{${address}}:until`)));
    const onFrozen = addresses.find((_, i) => masters[i] === target) as string;
    const elsewhere = addresses.find((_, i) => masters[i] !== target) as string;
    cluster.pause(target);
    try {
      const [refused, served] = await Promise.all([within(typename(a, onFrozen), 15_000), typename(b, elsewhere)]);
      expect(served.status).toBe(200);
      expect(served.body).toEqual({ data: { __typename: 'Query' } });
      expect(refused).not.toBe('timed out');
      if (refused === 'timed out') return;
      expect(refused.status).toBe(503);
      expect(errorCodesOf(refused.body)).toEqual(['PROTECTION_UNAVAILABLE']);
      expect(refused.text).not.toMatch(/127\.0\.0\.1|timed out|CLUSTERDOWN|stack|password/i);
    } finally {
      cluster.resume(target);
    }
    expect((await typename(a, onFrozen)).status).toBe(200);
  });

  it('closes its cluster client on stop, within its bound, even with a master frozen', async () => {
    const third = await startDemo({
      DATA_DIR: dataDir.path,
      REDIS_CLUSTER_NODES: cluster.nodeList,
      REDIS_PASSWORD: password,
      REDIS_PREFIX: prefix,
    });
    expect((await third.post({ query: '{ categories { name } }' })).status).toBe(200);
    const target = cluster.nodes[1]?.port as number;
    cluster.pause(target);
    try {
      expect(await within(third.server.stop(), 15_000)).toBeUndefined();
    } finally {
      cluster.resume(target);
    }
    expect(third.logLines.some((line) => line.includes('"event":"stopped"'))).toBe(true);
  });

  it('never writes the cluster password, nor a stack, in a log line', () => {
    const lines = [...a.logLines, ...b.logLines];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain(password);
      expect(line).not.toMatch(/^\s+at /m);
    }
  });
});
