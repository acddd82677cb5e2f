import type { ApiKeyRecord } from './api-key-record.js';
import type { ApiKeyStore } from './api-key-store.js';

/** Options of {@link MemoryApiKeyStore}. */
export interface MemoryApiKeyStoreOptions {
  /**
   * The most keys the store holds; inserting more throws.
   * @default 10000
   */
  readonly maxKeys?: number;
}

/**
 * An API key store in process memory, for tests and single-process servers that issue keys at
 * start-up. Bounded; answers synchronously.
 */
export class MemoryApiKeyStore implements ApiKeyStore {
  readonly #records = new Map<string, ApiKeyRecord>();
  readonly #maxKeys: number;

  constructor(options: MemoryApiKeyStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? 10_000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new TypeError('MemoryApiKeyStore: maxKeys must be a positive integer');
    }
    this.#maxKeys = maxKeys;
  }

  findById(id: string): ApiKeyRecord | undefined {
    return this.#records.get(id);
  }

  insert(record: ApiKeyRecord): void {
    if (this.#records.has(record.id)) throw new Error('MemoryApiKeyStore: duplicate key id');
    if (this.#records.size >= this.#maxKeys) throw new Error('MemoryApiKeyStore: store is full');
    this.#records.set(record.id, { ...record, scopes: [...record.scopes] });
  }

  list(): readonly ApiKeyRecord[] {
    return [...this.#records.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  revoke(id: string, at: number): boolean {
    const record = this.#records.get(id);
    if (record === undefined) return false;
    if (record.revokedAt === null) this.#records.set(id, { ...record, revokedAt: at });
    return true;
  }

  recordUse(id: string, at: number): void {
    const record = this.#records.get(id);
    if (record !== undefined) this.#records.set(id, { ...record, lastUsedAt: at });
  }
}
