import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientDocumentId, clientDocuments } from '../src/demo/client-documents.js';
import { sideBySide, startVariant, type Variant } from './http/side-by-side.js';

/**
 * The demo's listing on Apollo Server with trusted documents, sent by its document id (as the
 * genuine app sends it) against the very same listing sent as its full text: one server, two
 * request bodies, interleaved rounds. The id is looked up (cached) and replaced by its text before
 * Apollo parses; the text is hashed for the policy and the security event.
 */
export async function measureTrustedDocumentsOverHttp(rounds: number, seconds: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-bench-documents-'));
  const server = await startVariant('documents', 'bench/http/documents-server.ts', [
    JSON.stringify({ dataDir, approovSecret: randomBytes(32).toString('base64') }),
  ]);
  try {
    const id = clientDocumentId('Browse');
    const text = clientDocuments().get(id) as string;
    const variables = { first: 20 };
    const headers = { 'x-api-key': server.announced['key'] as string };
    const variants: Variant[] = [
      { ...server, name: 'full document', headers, body: JSON.stringify({ query: text, variables }) },
      {
        ...server,
        name: 'document id',
        headers,
        body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: id } }, variables }),
      },
    ];
    for (const variant of variants) {
      const response = await fetch(variant.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...variant.headers },
        body: variant.body,
      });
      const answer = (await response.json()) as { data?: { products?: { edges?: unknown[] } }; errors?: unknown };
      if (answer.errors !== undefined || answer.data?.products?.edges?.length !== 20)
        throw new Error(`${variant.name} was not served: ${JSON.stringify(answer).slice(0, 300)}`);
    }
    return await sideBySide(variants, rounds, seconds, 10);
  } finally {
    server.process.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
