import { assertAppVersion, type AppVersionRecord, type TrustedDocumentStore } from './trusted-document-store.js';

/**
 * Trusted documents in process memory, for one instance or manifests loaded from files at start.
 * Use `PostgresTrustedDocumentStore` when several instances must share imports and retirements.
 */
export class MemoryTrustedDocumentStore implements TrustedDocumentStore {
  readonly #versions = new Map<string, { documents: ReadonlyMap<string, string>; importedAt: number; retiredAt: number | null }>();

  find(id: string): string | undefined {
    for (const version of this.#versions.values()) {
      if (version.retiredAt !== null) continue;
      const text = version.documents.get(id);
      if (text !== undefined) return text;
    }
    return undefined;
  }

  importManifest(appVersion: string, documents: ReadonlyMap<string, string>, at: number): void {
    assertAppVersion(appVersion);
    this.#versions.set(appVersion, { documents: new Map(documents), importedAt: at, retiredAt: null });
  }

  listVersions(): readonly AppVersionRecord[] {
    return [...this.#versions.entries()]
      .map(([appVersion, { documents, importedAt, retiredAt }]) => ({ appVersion, documents: documents.size, importedAt, retiredAt }))
      .sort((a, b) => b.importedAt - a.importedAt || a.appVersion.localeCompare(b.appVersion));
  }

  retire(appVersion: string, at: number): boolean {
    const version = this.#versions.get(appVersion);
    if (version === undefined) return false;
    version.retiredAt ??= at;
    return true;
  }
}
