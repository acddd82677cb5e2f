import { parse } from 'graphql';
import { documentIdOf, readDocumentId } from './document-id.js';

/** A manifest that cannot be imported: what is wrong, naming ids, never the documents' text. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Limits on what a manifest may hold. */
export interface ManifestLimits {
  /** @default 10000 */
  readonly maxDocuments?: number | undefined;
  /** The longest document, in characters. @default 100000 */
  readonly maxDocumentLength?: number | undefined;
}

/**
 * The documents of a manifest, id → text, each checked: the id is the SHA-256 of the text (a
 * manifest whose id and text disagree is refused whole), the text parses as GraphQL, and the
 * manifest is within `limits`. Two formats: GraphQL Code Generator's client preset
 * (`persisted-documents.json`: `{ "<sha256>": "<document>" }`) and Apollo's persisted query
 * manifest (`{ "format": "apollo-persisted-query-manifest", "operations": [{ "id", "body" }] }`).
 *
 * @throws {ManifestError} naming the first ids at fault.
 */
export function readManifest(json: unknown, limits: ManifestLimits = {}): ReadonlyMap<string, string> {
  const maxDocuments = limits.maxDocuments ?? 10_000;
  const maxDocumentLength = limits.maxDocumentLength ?? 100_000;
  const entries = manifestEntries(json);
  if (entries.length === 0) throw new ManifestError('The manifest lists no documents.');
  if (entries.length > maxDocuments)
    throw new ManifestError(`The manifest lists ${entries.length} documents; at most ${maxDocuments} are accepted.`);
  const documents = new Map<string, string>();
  const faults: string[] = [];
  for (const [rawId, text] of entries) {
    const id = readDocumentId(rawId);
    const shown = typeof rawId === 'string' ? rawId.slice(0, 80) : typeof rawId;
    if (id === undefined) faults.push(`${shown}: not a SHA-256 document id (64 lower-case hex digits)`);
    else if (typeof text !== 'string' || text.length === 0) faults.push(`${id}: no document text`);
    else if (text.length > maxDocumentLength) faults.push(`${id}: longer than ${maxDocumentLength} characters`);
    else if (documentIdOf(text) !== id) faults.push(`${id}: the id is not the SHA-256 of its document`);
    else if (!parses(text)) faults.push(`${id}: not a GraphQL document`);
    else documents.set(id, text);
    if (faults.length >= 5) break;
  }
  if (faults.length > 0) throw new ManifestError(`The manifest was not imported:\n  ${faults.join('\n  ')}`);
  return documents;
}

function manifestEntries(json: unknown): Array<[unknown, unknown]> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ManifestError('A manifest is a JSON object: { "<sha256>": "<document>" } or an Apollo persisted query manifest.');
  }
  const record = json as Record<string, unknown>;
  if (record['format'] === 'apollo-persisted-query-manifest') {
    const operations = record['operations'];
    if (!Array.isArray(operations)) throw new ManifestError('An Apollo persisted query manifest needs an operations list.');
    return operations.map((operation: unknown) => {
      const { id, body } = (operation ?? {}) as { id?: unknown; body?: unknown };
      return [id, body];
    });
  }
  return Object.entries(record);
}

function parses(text: string): boolean {
  try {
    parse(text, { noLocation: true });
    return true;
  } catch {
    return false;
  }
}
