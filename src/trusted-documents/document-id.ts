import { hash } from 'node:crypto';

const sha256Hex = /^[0-9a-f]{64}$/;

/**
 * The id of a document: the lower-case hex SHA-256 of its text, exactly as written (UTF-8), as
 * GraphQL Code Generator's client preset and Apollo's persisted queries compute it. An id names
 * exactly one text: one character more is another id.
 */
export function documentIdOf(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * A document id as a request carries it: `sha256:<64 hex>` (the GraphQL-over-HTTP `documentId`
 * form) or the bare 64 lower-case hex digits (Apollo's `sha256Hash`, the codegen manifest's keys).
 * Anything else is `undefined`: refused, never looked up.
 */
export function readDocumentId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.startsWith('sha256:') ? value.slice(7) : value;
  return sha256Hex.test(id) ? id : undefined;
}
