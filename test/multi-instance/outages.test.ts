// PostgreSQL and Redis stopped and restarted, or frozen and thawed, under running instances: while
// a store is down or silent the requests that need it are refused with PROTECTION_UNAVAILABLE
// (fail closed, in bounded time), no instance exits, nothing leaks, and service resumes once the
// store is back, without restarting anything.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPattern } from '../../src/index.js';
import type { DemoProcess } from '../support/demo-process.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/postgres.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis.js';
import { ifSetUp } from '../support/set-up.js';
import { temporaryDirectory } from '../support/temp-directory.js';
import { errorCodesOf, graphqlOn, rampart, startInstances, stopInstances, type GraphqlResult } from './support.js';

const postgres = await startPrivatePostgres();
const redis = await startPrivateRedis();

describe.skipIf(postgres === undefined || redis === undefined)('outages under three running instances', { timeout: 60_000 }, () => {
  let instances: DemoProcess[];
  let dataDir: ReturnType<typeof temporaryDirectory>;
  let apiKey: string;
  const postgresPassword = 'pg-password-never-shown';
  const redisPassword = 'redis-password-never-shown';
  const listing = '{ products(first: 2) { edges { node { name } } } }';

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: (postgres as PrivatePostgres).url });
    await admin.connect();
    await admin.query('CREATE DATABASE shop');
    await admin.end();
    // Passwords in both URLs (trust authentication and a Redis without one ignore them), so that
    // the test can look for them where they must never appear.
    const databaseUrl = new URL((postgres as PrivatePostgres).url);
    databaseUrl.pathname = '/shop';
    databaseUrl.password = postgresPassword;
    const redisUrl = new URL((redis as PrivateRedis).url);
    redisUrl.password = redisPassword;
    dataDir = temporaryDirectory();
    const env = { DATA_DIR: dataDir.path, DATABASE_URL: databaseUrl.href, REDIS_URL: redisUrl.href };
    instances = await startInstances(3, env);
    apiKey = (await rampart(env, 'keys', 'create', '--app', 'shop-app'))
      .split('\n')
      .map((line) => line.trim())
      .find((line) => apiKeyPattern.test(line)) as string;
  }, 120_000);

  afterAll(async () => {
    if (ifSetUp(instances)) stopInstances(instances);
    redis?.resume();
    postgres?.resume();
    await redis?.stop();
    await postgres?.destroy();
    ifSetUp(dataDir)?.remove();
  });

  const listOn = (instance: DemoProcess, clientIp = '203.0.113.7') => graphqlOn(instance, listing, { 'x-api-key': apiKey }, clientIp);
  const listOnAll = () => Promise.all(instances.map((instance) => listOn(instance)));

  /** Asks every instance until each serves the listing again; how long that took. */
  async function untilServedEverywhere(timeoutMs = 30_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const results = await listOnAll();
      if (results.every((result) => result.errors === undefined)) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`still refused: ${JSON.stringify(results.map(errorCodesOf))}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  function expectAllAlive() {
    for (const instance of instances) {
      expect(instance.child.exitCode).toBeNull();
      const output = instance.output();
      expect(output).not.toContain(apiKey.slice(-43));
      expect(output).not.toContain(postgresPassword);
      expect(output).not.toContain(redisPassword);
      expect(output).not.toMatch(/^\s+at /m);
    }
  }

  function expectNothingLeaked(results: readonly GraphqlResult[]) {
    for (const result of results) {
      const text = JSON.stringify(result);
      expect(text).not.toMatch(/ECONNREFUSED|timed out|127\.0\.0\.1:\d+|stack|postgres:\/\/|redis:\/\/|password/i);
    }
  }

  it('serves the listing on every instance to begin with', async () => {
    for (const result of await listOnAll()) expect(result.errors).toBeUndefined();
  });

  it.each([
    ['Redis', () => redis as PrivateRedis],
    ['PostgreSQL', () => postgres as PrivatePostgres],
  ])('refuses with PROTECTION_UNAVAILABLE while %s is down, stays up, and resumes when it is back', async (name, server) => {
    await server().stop();
    const during = await listOnAll();
    for (const result of during) expect(errorCodesOf(result)).toEqual(['PROTECTION_UNAVAILABLE']);
    expectNothingLeaked(during);
    expectAllAlive();

    await server().start();
    const resumedAfterMs = await untilServedEverywhere();
    console.info(`${name} back: all three instances served again ${resumedAfterMs} ms after it answered`);
    expectAllAlive();
  });

  it.each([
    ['Redis', () => redis as PrivateRedis],
    ['PostgreSQL', () => postgres as PrivatePostgres],
  ])(
    'refuses with PROTECTION_UNAVAILABLE, never hangs, while %s is frozen with connections open, and resumes when it thaws',
    async (name, server) => {
      server().pause();
      try {
        const started = Date.now();
        const during = await listOnAll();
        const refusedAfterMs = Date.now() - started;
        for (const result of during) expect(errorCodesOf(result)).toEqual(['PROTECTION_UNAVAILABLE']);
        expectNothingLeaked(during);
        expectAllAlive();
        console.info(`${name} frozen: all three instances refused within ${refusedAfterMs} ms`);
      } finally {
        server().resume();
      }
      await untilServedEverywhere();
      expectAllAlive();
    },
  );

  it('survives both going down and coming back together, then serves every instance', async () => {
    await Promise.all([(redis as PrivateRedis).stop(), (postgres as PrivatePostgres).stop()]);
    for (const result of await listOnAll()) expect(errorCodesOf(result)).toEqual(['PROTECTION_UNAVAILABLE']);
    await Promise.all([(redis as PrivateRedis).start(), (postgres as PrivatePostgres).start()]);
    await untilServedEverywhere();
    expectAllAlive();
  });
});
