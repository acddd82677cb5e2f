import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { documentIdOf, readManifest } from '../trusted-documents.js';

/**
 * The genuine app's trusted documents: client/generated/persisted-documents.json, which
 * GraphQL Code Generator writes from client/*.graphql (`npm run codegen`). The demo imports it at
 * start as the app version {@link clientAppVersion}; the tour sends its ids, as the app does.
 */
export const clientManifestUrl = new URL('../../client/generated/persisted-documents.json', import.meta.url);

let loaded: { readonly documents: ReadonlyMap<string, string>; readonly byName: ReadonlyMap<string, string> } | undefined;

function load(): NonNullable<typeof loaded> {
  if (loaded !== undefined) return loaded;
  const documents = readManifest(JSON.parse(readFileSync(clientManifestUrl, 'utf8')));
  const byName = new Map<string, string>();
  for (const [id, text] of documents) {
    for (const definition of parse(text).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name !== undefined) byName.set(definition.name.value, id);
    }
  }
  loaded = { documents, byName };
  return loaded;
}

/** The genuine app's documents, id (SHA-256) → text. */
export function clientDocuments(): ReadonlyMap<string, string> {
  return load().documents;
}

/** The id the genuine app sends for its operation `name` (`Browse`, `PlaceOrder`, …). */
export function clientDocumentId(name: string): string {
  const id = load().byName.get(name);
  if (id === undefined) throw new Error(`the genuine app has no operation named ${name} (client/*.graphql)`);
  return id;
}

/** The app version the demo imports its own manifest as: the build's, named by the manifest's content. */
export function clientAppVersion(): string {
  return `demo-app-${documentIdOf([...load().documents.keys()].sort().join('\n')).slice(0, 12)}`;
}
