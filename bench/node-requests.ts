import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { CatalogCredentials } from './catalog-protections.js';

/** Raw request headers as a client sends them to the demo's listing (its credentials when given). */
export function listingRawHeaders(credentials?: Pick<CatalogCredentials, 'key' | 'token' | 'attestation'>): string[] {
  return [
    'Host',
    '127.0.0.1:4000',
    'Content-Type',
    'application/json',
    'Content-Length',
    '180',
    'User-Agent',
    'bench',
    ...(credentials === undefined
      ? []
      : ['X-API-Key', credentials.key, 'Authorization', `Bearer ${credentials.token}`, 'Approov-Token', credentials.attestation]),
  ];
}

/** Node requests as the HTTP parser leaves them (headers not yet read into objects), from 127.0.0.1. */
export function incomingMessages(count: number, raw: readonly string[]): IncomingMessage[] {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: '127.0.0.1' });
  return Array.from({ length: count }, () => {
    const message = new IncomingMessage(socket);
    message.method = 'POST';
    message.url = '/graphql';
    (message as unknown as { _addHeaderLines(headers: readonly string[], n: number): void })._addHeaderLines(raw, raw.length);
    return message;
  });
}
