// Slow and greedy clients: a trickling body or header is cut off at a configured deadline (short
// here, so that the tests run fast) and counts toward a ban; one address cannot hold more than
// MAX_CONNECTIONS_PER_CLIENT connections; everyone else is served meanwhile.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readDemoConfig } from '../../src/demo/config.js';
import { createDemoServer, type DemoServer } from '../../src/demo/server.js';
import { startInFlightRequest } from '../support/in-flight-request.js';
import { temporaryDirectory } from '../support/temp-directory.js';
import { within } from '../support/within.js';

/** A generous bound next to the configured deadlines (at most 500 ms here); never a measured speed. */
const boundMs = 5_000;

let running: { server: DemoServer; remove: () => void } | undefined;
const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const socket of sockets.splice(0)) socket.destroy();
  await running?.server.stop();
  running?.remove();
  running = undefined;
});

async function startDemo(env: Record<string, string>): Promise<URL> {
  const directory = temporaryDirectory();
  const server = createDemoServer(
    readDemoConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: directory.path, LOG_LEVEL: 'silent', SHUTDOWN_GRACE_MS: '200', ...env }),
    () => undefined,
  );
  running = { server, remove: directory.remove };
  return server.start();
}

/** A raw connection from `localAddress`; `closed` resolves with everything the server sent. */
async function openConnection(endpoint: URL, localAddress = '127.0.0.1'): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect({ port: Number(endpoint.port), host: '127.0.0.1', localAddress });
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed };
}

/** Writes `text` one byte every `everyMs`, as a slow-loris client does, until the socket closes. */
function trickle(socket: Socket, text: string, everyMs = 50): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || sent >= text.length) {
      clearInterval(timer);
      return;
    }
    socket.write(text[sent++] as string);
  }, everyMs);
  timers.push(timer);
}

const postHead = (length: number, extra = '') =>
  `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;

/** A normal POST of `{ __typename }` from `localAddress`: status and body. */
function typename(
  endpoint: URL,
  localAddress = '127.0.0.1',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ query: '{ __typename }' });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      endpoint,
      {
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('slow clients', () => {
  it('cuts off a request whose body trickles past REQUEST_BODY_TIMEOUT_MS, with HTTP 408, and closes the connection', async () => {
    const endpoint = await startDemo({ REQUEST_BODY_TIMEOUT_MS: '500' });
    const { socket, closed } = await openConnection(endpoint);
    socket.write(postHead(200));
    trickle(socket, '{"query":"{ __typename }"}'.padEnd(200, ' '));
    const answer = await within(closed, boundMs);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toContain('{"errors":[{"message":"The request body did not arrive in time.","extensions":{"code":"BAD_REQUEST"}}]}');
  });

  it('closes a connection whose headers trickle past REQUEST_HEADERS_TIMEOUT_MS, with HTTP 408', async () => {
    const endpoint = await startDemo({ REQUEST_HEADERS_TIMEOUT_MS: '300' });
    const { socket, closed } = await openConnection(endpoint);
    socket.write('P');
    trickle(socket, postHead(2, `x-padding: ${'a'.repeat(500)}\r\n`).slice(1));
    expect(await within(closed, boundMs)).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('counts each request cut off at the deadline as a violation: the tenth bans that address (429), not another', async () => {
    const endpoint = await startDemo({ REQUEST_BODY_TIMEOUT_MS: '300', MAX_CONNECTIONS_PER_CLIENT: '20' });
    const slow = await Promise.all(Array.from({ length: 10 }, () => openConnection(endpoint)));
    for (const { socket } of slow) socket.write(`${postHead(30)}{"query"`);
    const answers = await within(Promise.all(slow.map(({ closed }) => closed)), boundMs);
    expect(answers).not.toBe('timed out');
    for (const answer of answers as string[]) expect(answer).toMatch(/^HTTP\/1\.1 408 /);

    const banned = await typename(endpoint, '127.0.0.1');
    expect(banned.status).toBe(429);
    expect(JSON.parse(banned.body).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(await typename(endpoint, '127.0.0.2')).toEqual({ status: 200, body: '{"data":{"__typename":"Query"}}\n' });
  });

  it('counts each header deadline missed as a violation too: the tenth bans that address (429)', async () => {
    const endpoint = await startDemo({ REQUEST_HEADERS_TIMEOUT_MS: '300', MAX_CONNECTIONS_PER_CLIENT: '20' });
    const slow = await Promise.all(Array.from({ length: 10 }, () => openConnection(endpoint)));
    for (const { socket } of slow) socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(await within(Promise.all(slow.map(({ closed }) => closed)), boundMs)).not.toBe('timed out');

    const banned = await typename(endpoint, '127.0.0.1');
    expect(banned.status).toBe(429);
    expect(JSON.parse(banned.body).errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('closes connections from one address beyond MAX_CONNECTIONS_PER_CLIENT at once, and serves another address meanwhile', async () => {
    const endpoint = await startDemo({ MAX_CONNECTIONS_PER_CLIENT: '3' });
    for (let i = 0; i < 3; i++) await startInFlightRequest(endpoint);
    const fourth = await openConnection(endpoint, '127.0.0.1');
    fourth.socket.write(postHead(2));
    expect(await within(fourth.closed, boundMs)).toBe('');
    expect(await typename(endpoint, '127.0.0.2')).toEqual({ status: 200, body: '{"data":{"__typename":"Query"}}\n' });
  });
});

describe('slow clients behind a trusted proxy', () => {
  it('counts the slow request against the forwarded client address, never the proxy', async () => {
    const endpoint = await startDemo({ TRUST_PROXY: '127.0.0.1', REQUEST_BODY_TIMEOUT_MS: '300', MAX_CONNECTIONS_PER_CLIENT: '20' });
    const slow = await Promise.all(Array.from({ length: 10 }, () => openConnection(endpoint)));
    for (const { socket } of slow) socket.write(`${postHead(30, 'x-forwarded-for: 203.0.113.7\r\n')}{"query"`);
    expect(await within(Promise.all(slow.map(({ closed }) => closed)), boundMs)).not.toBe('timed out');

    expect((await typename(endpoint, '127.0.0.1', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    expect(await typename(endpoint, '127.0.0.1', { 'x-forwarded-for': '203.0.113.8' })).toEqual({
      status: 200,
      body: '{"data":{"__typename":"Query"}}\n',
    });
  });

  it('caps requests in flight per forwarded client address (429), not connections from the proxy', async () => {
    const endpoint = await startDemo({ TRUST_PROXY: '127.0.0.1', MAX_CONNECTIONS_PER_CLIENT: '2' });
    for (let i = 0; i < 2; i++) await startInFlightRequest(endpoint, '{ __typename }', { 'x-forwarded-for': '203.0.113.7' });
    const third = await typename(endpoint, '127.0.0.1', { 'x-forwarded-for': '203.0.113.7' });
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body).errors[0]).toEqual({
      message: 'Too many requests in flight from this address. Retry after the time given in retryAfter (seconds).',
      extensions: { code: 'RATE_LIMITED', retryAfter: 1 },
    });
    expect(await typename(endpoint, '127.0.0.1', { 'x-forwarded-for': '203.0.113.8' })).toEqual({
      status: 200,
      body: '{"data":{"__typename":"Query"}}\n',
    });
  });

  it('counts each request over the in-flight cap as a violation: the tenth bans that forwarded address', async () => {
    const endpoint = await startDemo({ TRUST_PROXY: '127.0.0.1', MAX_CONNECTIONS_PER_CLIENT: '1' });
    const holding = await startInFlightRequest(endpoint, '{ __typename }', { 'x-forwarded-for': '203.0.113.9' });
    for (let i = 0; i < 10; i++) {
      const greedy = await typename(endpoint, '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' });
      expect(JSON.parse(greedy.body).errors[0].message).toMatch(/in flight/);
    }
    holding.finish();
    await holding.response;
    const banned = await typename(endpoint, '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' });
    expect(banned.status).toBe(429);
    expect(JSON.parse(banned.body).errors[0].message).toMatch(/Too many refused calls/);
  });
});
