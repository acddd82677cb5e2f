import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ManifestError, readManifest, type TrustedDocumentStore } from '../trusted-documents.js';
import type { CliOutput } from './cli-output.js';

/** Where the documents are, for the person running the command. */
interface StoredIn {
  readonly location: string;
  readonly setting: 'DATA_DIR' | 'DATABASE_URL';
}

/**
 * `rampart documents import FILE --app-version V [--json]`: checks the manifest (every id the
 * SHA-256 of its document, every document GraphQL) and records it as app version V; a manifest
 * with one bad entry is refused whole.
 */
export async function importDocumentsCommand(
  store: TrustedDocumentStore,
  options: { file: string | undefined; appVersion: string | undefined; json: boolean; storedIn: StoredIn },
  out: CliOutput,
  now: () => number = Date.now,
): Promise<number> {
  if (options.file === undefined) return out.usage('documents import needs FILE, the manifest (persisted-documents.json)');
  if (options.appVersion === undefined) return out.usage('documents import needs --app-version V, the app build the manifest comes from');
  let text: string;
  try {
    text = readFileSync(resolve(options.file), 'utf8');
  } catch {
    out.error(`Cannot read ${options.file}.`);
    return 1;
  }
  let documents: ReadonlyMap<string, string>;
  try {
    documents = readManifest(JSON.parse(text));
  } catch (error) {
    out.error(error instanceof ManifestError ? error.message : `${options.file} is not JSON.`);
    return 1;
  }
  try {
    await store.importManifest(options.appVersion, documents, now());
  } catch (error) {
    if (error instanceof TypeError) return out.usage(`--app-version: ${error.message}`);
    throw error;
  }
  if (options.json) {
    out.print(JSON.stringify({ appVersion: options.appVersion, documents: documents.size, storedIn: options.storedIn.location }));
    return 0;
  }
  out.print(`Imported ${documents.size} trusted document${documents.size === 1 ? '' : 's'} for app version ${options.appVersion}.`);
  out.print(`Stored in ${options.storedIn.location}: servers started with the same ${options.storedIn.setting} serve them.`);
  return 0;
}

/** `rampart documents list [--json]`: every app version, its document count, and whether it is live. */
export async function listDocumentsCommand(store: TrustedDocumentStore, options: { json: boolean }, out: CliOutput): Promise<number> {
  const versions = await store.listVersions();
  if (options.json) {
    out.print(JSON.stringify(versions.map((version) => ({ ...version, status: version.retiredAt === null ? 'live' : 'retired' }))));
    return 0;
  }
  if (versions.length === 0) {
    out.print('No app version yet: import a manifest with rampart documents import FILE --app-version V.');
    return 0;
  }
  for (const version of versions) {
    const status = version.retiredAt === null ? 'live' : `retired ${new Date(version.retiredAt).toISOString()}`;
    out.print(`${version.appVersion}  ${version.documents} documents  imported ${new Date(version.importedAt).toISOString()}  ${status}`);
  }
  return 0;
}

/** `rampart documents retire V`: stops serving V's documents (those another live version lists stay). */
export async function retireDocumentsCommand(
  store: TrustedDocumentStore,
  appVersion: string | undefined,
  out: CliOutput,
  now: () => number = Date.now,
): Promise<number> {
  if (appVersion === undefined) return out.usage('documents retire needs V, the app version to retire');
  if (!(await store.retire(appVersion, now()))) {
    out.error(`No app version ${appVersion.slice(0, 64)}: see rampart documents list.`);
    return 1;
  }
  out.print(`Retired app version ${appVersion}: its documents are refused unless a live version lists them too.`);
  return 0;
}
