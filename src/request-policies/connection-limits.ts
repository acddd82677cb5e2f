import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey, compileProxyTrust, normaliseAddress } from '../context/client-ip.js';

/** Options of {@link guardConnections}. */
export interface ConnectionGuardOptions {
  /** Connections one address may hold at once; `0` for no cap. Never applied to a trusted proxy. */
  readonly maxConnectionsPerClient: number;
  /**
   * The trusted proxies (addresses, CIDR ranges, presets, as `securityContextFactory` takes them):
   * their connections carry many clients, so they are never capped.
   * @default []
   */
  readonly trustedProxies?: readonly string[];
  /** A connection was closed at once: its address already holds the maximum. */
  readonly onConnectionRefused: (peer: string) => void;
  /**
   * A client did not finish sending its headers in time (`server.headersTimeout`) and got 408.
   * `countable` is false for a trusted proxy, whose address must never be banned.
   */
  readonly onSlowHeaders: (peer: string, countable: boolean) => void;
}

/**
 * Guards a Node HTTP(S) server against clients that hold connections: caps concurrent connections
 * per socket peer (IPv6 per /64, as bans are; trusted proxies exempt: see {@link InFlightLimit}),
 * and answers a header deadline missed (`server.headersTimeout`) with 408, telling `onSlowHeaders`.
 * Takes over Node's `clientError` handling, with Node's answers (400, 408, 413, 431).
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): void {
  const trust = compileProxyTrust(options.trustedProxies ?? []);
  const open = new Map<string, number>();
  const handling = new WeakSet<Socket>();

  server.on('connection', (socket: Socket) => {
    const peer = normaliseAddress(socket.remoteAddress ?? '');
    if (options.maxConnectionsPerClient === 0 || peer === undefined || trust.trusts(peer)) return;
    const key = addressKey(peer);
    const count = (open.get(key) ?? 0) + 1;
    if (count > options.maxConnectionsPerClient) {
      socket.destroy();
      options.onConnectionRefused(peer);
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    handling.add(socket);
    response.once('close', () => handling.delete(socket));
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (handling.has(socket)) {
      // Node's request timeout while the handler holds the request: the handler's own body
      // deadline should have answered already; this is the backstop.
      socket.destroy();
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      const peer = normaliseAddress(socket.remoteAddress ?? '');
      if (peer !== undefined) options.onSlowHeaders(peer, !trust.trusts(peer));
    }
    if (socket.writable) {
      const status =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? 431
            : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
              ? 413
              : 400;
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy();
  });
}

/**
 * Requests in flight per client address, for requests that arrive through a trusted proxy: the
 * proxy's connections carry every client, so the per-connection cap cannot apply to them, but the
 * client address it forwards can be counted per request instead.
 */
export class InFlightLimit {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  /** @param max Requests in flight per address; `0` for no cap. */
  constructor(max: number) {
    this.#max = max;
  }

  /**
   * Counts a request of `clientIp` until `response` closes; `false` (nothing counted) when the
   * address already has the maximum in flight.
   */
  enter(clientIp: string, response: ServerResponse): boolean {
    if (this.#max === 0) return true;
    const key = addressKey(clientIp);
    const count = (this.#counts.get(key) ?? 0) + 1;
    if (count > this.#max) return false;
    this.#counts.set(key, count);
    response.once('close', () => {
      const left = (this.#counts.get(key) ?? 1) - 1;
      if (left <= 0) this.#counts.delete(key);
      else this.#counts.set(key, left);
    });
    return true;
  }
}
