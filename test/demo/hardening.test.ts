import { execFileSync } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo as startSharedDemo } from '../support/demo.js';
import { temporaryDirectory } from '../support/temp-directory.js';

async function startDemo(env: Record<string, string> = {}) {
  const demo = await startSharedDemo(env, { app: 'hardening' });
  return {
    endpoint: demo.endpoint,
    apiKey: demo.apiKey,
    lines: demo.logLines,
    cli: demo.cli,
    post: demo.post,
    server: demo.server,
    stop: demo.stop,
  };
}

describe('operation limits over HTTP', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  beforeAll(async () => {
    // A cost budget these tests never meet: they are about the shape limits.
    demo = await startDemo({ COST_BUDGET_UNATTESTED: '100000/1h' });
  });
  afterAll(() => demo.stop());

  it.each([
    [
      'nested too deeply',
      `{ products(first: 1) { edges { node { category { products(first: 1) { edges { node { category { products(first: 1) { edges { node { name } } } } } } } } } } } }`,
      'The operation is nested too deeply.',
    ],
    [
      'an alias flood of __typename',
      `{ ${Array.from({ length: 60 }, (_, i) => `t${i}: __typename`).join(' ')} }`,
      'The operation uses too many aliases.',
    ],
    [
      'too many root fields',
      `{ ${Array.from({ length: 25 }, (_, i) => `c${i}: categories { name }`).join(' ')} }`,
      'The operation selects too many root fields.',
    ],
    [
      'too costly',
      `{ ${['a', 'b', 'c', 'd'].map((alias) => `${alias}: products(first: 100) { edges { node { reviews(first: 50) { rating } } } }`).join(' ')} }`,
      'The operation is too costly.',
    ],
  ])('refuses an operation %s before execution, with HTTP 400 and no limit stated', async (_name, query, message) => {
    const answer = await demo.post({ query });
    expect(answer.status).toBe(400);
    expect(
      answer.body.errors.map((error: { message: string; extensions: { code: string } }) => [error.message, error.extensions.code]),
    ).toContainEqual([message, 'GRAPHQL_VALIDATION_FAILED']);
    expect(answer.text).not.toMatch(/limit|\(\d+\)/i);
  });

  it('refuses a document over the token limit without stating it', async () => {
    const answer = await demo.post({ query: `{ ${Array.from({ length: 1500 }, (_, i) => `f${i}: __typename`).join(' ')} }` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ message: 'The operation is too large.', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }]);
  });

  it('answers an ordinary listing', async () => {
    const answer = await demo.post({
      query: '{ products(first: 100) { edges { node { name category { name } reviews(first: 3) { rating } } } } }',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });

  it('suggests field names in development', async () => {
    const answer = await demo.post({ query: '{ categorys { name } }' });
    expect(answer.body.errors[0].message).toContain('Did you mean "categories"?');
  });

  it('sends the headers a security reviewer expects', async () => {
    const answer = await demo.post({ query: '{ categories { name } }' });
    expect(answer.headers.get('x-powered-by')).toBeNull();
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('production hides schema details', () => {
  it('masks field suggestions', async () => {
    const demo = await startDemo({
      NODE_ENV: 'production',
      PUBLIC_ORIGIN: 'https://api.example.com',
      OIDC_ISSUER: 'https://id.example.com/',
      OIDC_AUDIENCE: 'api',
      APPROOV_SECRET: Buffer.alloc(32, 1).toString('base64'),
      CAPTCHA_PROVIDER: 'turnstile',
      CAPTCHA_SECRET: 'x',
      CAPTCHA_HOSTNAMES: 'shop.example.com',
    });
    try {
      const answer = await demo.post({ query: '{ categorys { name } }' });
      expect(answer.status).toBe(400);
      expect(answer.text).not.toContain('Did you mean');
      expect(answer.text).not.toContain('categories');
    } finally {
      await demo.stop();
    }
  });
});

describe('HTTPS', () => {
  const certificates = temporaryDirectory();
  const certFile = `${certificates.path}/cert.pem`;
  const keyFile = `${certificates.path}/key.pem`;
  let demo: Awaited<ReturnType<typeof startDemo>>;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    demo = await startDemo({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
  });
  afterAll(async () => {
    await demo.stop();
    certificates.remove();
  });

  /** The TLS version negotiated with `port` when the client offers exactly `version`, or the error code. */
  function handshake(port: number, version: SecureVersion): Promise<string> {
    return new Promise((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port,
        minVersion: version,
        maxVersion: version,
        ciphers: 'DEFAULT@SECLEVEL=0',
        rejectUnauthorized: false,
      });
      socket.once('secureConnect', () => {
        resolve(socket.getProtocol() ?? 'unknown');
        socket.end();
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
  }

  it('negotiates TLS 1.3 and refuses TLS 1.1 (which this client can speak: see the control server)', async () => {
    const port = Number(demo.endpoint.port);
    expect(await handshake(port, 'TLSv1.3')).toBe('TLSv1.3');
    expect(await handshake(port, 'TLSv1.2')).toBe('TLSv1.2');
    const control = createHttpsServer({
      cert: execFileSync('cat', [certFile]),
      key: execFileSync('cat', [keyFile]),
      minVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', () => resolve()));
    try {
      expect(await handshake((control.address() as AddressInfo).port, 'TLSv1.1')).toBe('TLSv1.1');
    } finally {
      control.close();
    }
    expect(await handshake(port, 'TLSv1.1')).toMatch(/ERR_SSL_(TLSV1_ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION_NUMBER)/);
  });

  it('serves GraphQL over HTTPS with HSTS', async () => {
    const response = await new Promise<{ status: number; hsts: string | undefined }>((resolve, reject) => {
      import('node:https').then(({ request }) => {
        const outgoing = request(
          demo.endpoint,
          { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': demo.apiKey }, rejectUnauthorized: false },
          (incoming) => {
            incoming.resume();
            resolve({ status: incoming.statusCode ?? 0, hsts: incoming.headers['strict-transport-security'] });
          },
        );
        outgoing.on('error', reject);
        outgoing.end(JSON.stringify({ query: '{ categories { name } }' }));
      }, reject);
    });
    expect(response).toEqual({ status: 200, hsts: 'max-age=31536000; includeSubDomains' });
  });
});

describe('REQUIRE_TLS behind a proxy', () => {
  it('refuses requests the trusted proxy did not receive over HTTPS, and ignores the header from anyone else', async () => {
    const trusted = await startDemo({ REQUIRE_TLS: 'true', TRUST_PROXY: 'loopback' });
    try {
      expect((await trusted.post({ query: '{ categories { name } }' })).status).toBe(403);
      expect((await trusted.post({ query: '{ categories { name } }' }, { 'x-forwarded-proto': 'http' })).status).toBe(403);
      expect((await trusted.post({ query: '{ categories { name } }' }, { 'x-forwarded-proto': 'https' })).status).toBe(200);
    } finally {
      await trusted.stop();
    }
    const untrusted = await startDemo({ REQUIRE_TLS: 'true', TRUST_PROXY: '10.0.0.0/8' });
    try {
      const spoofed = await untrusted.post({ query: '{ categories { name } }' }, { 'x-forwarded-proto': 'https' });
      expect(spoofed.status).toBe(403);
      expect(spoofed.body.errors[0]).toEqual({ message: 'This API is served over HTTPS only.', extensions: { code: 'BAD_REQUEST' } });
    } finally {
      await untrusted.stop();
    }
  });
});

describe('security events, metrics and report-only mode', () => {
  it('logs every refusal with who and where, and no secret used in a hostile run', async () => {
    const approovSecret = Buffer.from('approov-account-secret-for-this-test-only-0123456789').toString('base64');
    const demo = await startDemo({ APPROOV_SECRET: approovSecret, REPORT_ONLY: 'captcha:Mutation.submitReview' });
    try {
      const userId = 'user-hostile';
      const token = await demo.cli('token', 'user', '--sub', userId);
      const captcha = await demo.cli('token', 'captcha', '--action', 'signup');
      const secrets = [demo.apiKey, token, captcha, approovSecret, 'forged.attestation.token-AAAAAAAA', 'correct horse battery staple'];
      await demo.post({ query: '{ categories { name } }' }, {}, `${demo.endpoint.href}?api_key=${demo.apiKey}`);
      await demo.post({ query: '{ me { id } }' }, { authorization: `Bearer ${token}x` });
      await demo.post(
        { query: 'mutation { placeOrder { id } }' },
        { authorization: `Bearer ${token}`, 'approov-token': 'forged.attestation.token-AAAAAAAA' },
      );
      await demo.post(
        { query: 'mutation { signUp(email: "a@b.c", password: "correct horse battery staple") { id } }' },
        { 'x-captcha-token': captcha },
      );
      await demo.post(
        { query: 'mutation { signUp(email: "d@b.c", password: "correct horse battery staple") { id } }' },
        { 'x-captcha-token': captcha },
      );
      await demo.post({ query: '{ me { id } }' }, { 'x-api-key': 'rampart_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });

      const log = demo.lines.join('\n');
      for (const secret of secrets) expect(log).not.toContain(secret);
      expect(log).not.toContain(token.split('.')[2]);
      expect(log).not.toContain('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');

      const events = demo.lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry['event'] === 'protection_refused');
      expect(events.map((event) => [event['directive'], event['code'], event['coordinate']])).toEqual(
        expect.arrayContaining([
          ['requiresApiKey', 'API_KEY_REQUIRED', 'Query.categories'],
          ['auth', 'UNAUTHENTICATED', 'Query.me'],
          ['requiresAttestation', 'ATTESTATION_INVALID', 'Mutation.placeOrder'],
          ['captcha', 'CAPTCHA_FAILED', 'Mutation.signUp'],
          ['requiresApiKey', 'API_KEY_INVALID', 'Query.me'],
        ]),
      );
      const attestationRefusal = events.find((event) => event['directive'] === 'requiresAttestation');
      expect(attestationRefusal).toMatchObject({
        clientIp: '127.0.0.1',
        apiKeyId: demo.apiKey.slice(8, 24),
        userSubject: userId,
        reason: 'err_jws_invalid',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        time: expect.any(String),
      });
    } finally {
      await demo.stop();
    }
  });

  it('counts decisions, verifications and captcha provider calls in /metrics', async () => {
    const demo = await startDemo();
    try {
      await demo.post({ query: '{ categories { name } }' });
      await demo.post({ query: '{ me { id } }' }, { 'x-api-key': 'nope' });
      const captcha = await demo.cli('token', 'captcha', '--action', 'signup');
      await demo.post(
        { query: 'mutation { signUp(email: "m@b.c", password: "correct horse battery") { id } }' },
        { 'x-captcha-token': captcha },
      );
      const metrics = await (await fetch(new URL('/metrics', demo.endpoint))).text();
      expect(metrics).toMatch(/rampart_decisions_total\{directive="requiresApiKey",outcome="allowed",code=""\} [1-9]/);
      expect(metrics).toMatch(/rampart_decisions_total\{directive="requiresApiKey",outcome="refused",code="API_KEY_INVALID"\} 1/);
      expect(metrics).toMatch(/rampart_verification_duration_seconds_count\{kind="api_key",outcome="verified"\} [1-9]/);
      expect(metrics).toMatch(/rampart_captcha_provider_duration_seconds_count\{outcome="success"\} 1/);
      expect(metrics).toContain('process_cpu_seconds_total');
    } finally {
      await demo.stop();
    }
  });

  it('in report-only mode resolves the field and logs what would have been refused', async () => {
    const demo = await startDemo({ REPORT_ONLY: 'captcha' });
    try {
      const answer = await demo.post({ query: 'mutation { signUp(email: "r@b.c", password: "correct horse battery") { id } }' });
      expect(answer.body.errors).toBeUndefined();
      const event = demo.lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry['event'] === 'protection_would_refuse');
      expect(event).toMatchObject({ directive: 'captcha', code: 'CAPTCHA_REQUIRED', coordinate: 'Mutation.signUp' });
      const metrics = await (await fetch(new URL('/metrics', demo.endpoint))).text();
      expect(metrics).toMatch(/rampart_decisions_total\{directive="captcha",outcome="would_refuse",code="CAPTCHA_REQUIRED"\} 1/);
    } finally {
      await demo.stop();
    }
  });
});
