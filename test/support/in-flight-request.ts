import { connect } from 'node:net';

/** A POST /graphql whose headers the server has read and whose body is still to come. */
export interface InFlightRequest {
  /** Sends the rest of the body. */
  finish(): void;
  /** Everything the server sent back, once it closed the connection (or the client gave up). */
  readonly response: Promise<string>;
}

/**
 * Opens a connection, sends a POST's headers with `Expect: 100-continue`, and resolves once the
 * server has answered `100 Continue`: from then on the request is in flight in the server (its
 * headers parsed, its handler running), which a test can await instead of sleeping.
 */
export async function startInFlightRequest(
  endpoint: URL,
  query = '{ __typename }',
  headers: Record<string, string> = {},
): Promise<InFlightRequest> {
  const body = JSON.stringify({ query });
  const socket = connect(Number(endpoint.port), endpoint.hostname);
  let received = '';
  const response = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  socket.on('error', () => undefined);
  const lines = [
    `POST ${endpoint.pathname} HTTP/1.1`,
    `Host: ${endpoint.host}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    'expect: 100-continue',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        received = received.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
        resolve();
      }
    });
    socket.once('close', () => reject(new Error(`closed before 100 Continue: ${received}`)));
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
  return { finish: () => void socket.write(body), response };
}
