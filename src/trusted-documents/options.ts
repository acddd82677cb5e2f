import type { ProvenApiKey } from '../context/proven-credentials.js';
import type { SecurityContext } from '../context/security-context.js';
import type { ApiKeyProbe } from '../directives/api-key-probe.js';
import { hasMethod, isObject } from '../shape-checks.js';
import type { TrustedDocumentStore } from './trusted-document-store.js';

/**
 * What happens to a request that sends a full GraphQL document instead of a trusted document's id:
 * `refuse` it (`PERSISTED_QUERY_REQUIRED`, enforce mode), serve it and `report` it to the observer
 * (log-unknown mode, for rollout), or `allow` it (a partner's key, an internal tool, development).
 */
export type AdHocDocumentPolicy = 'refuse' | 'report' | 'allow';

/** What a per-request policy knows of the request. */
export interface AdHocDocumentRequest {
  readonly security: SecurityContext;
  /** The request's API key as `@requiresApiKey` proves it (with the `apiKey` option), else `undefined`. */
  readonly apiKey: ProvenApiKey | undefined;
}

/** Options of {@link trustedDocuments}. */
export interface TrustedDocumentsOptions {
  /** Where the trusted documents live: `MemoryTrustedDocumentStore` or `PostgresTrustedDocumentStore`. */
  readonly store: TrustedDocumentStore;
  /**
   * A full document instead of an id: a policy, or a function of the request, e.g.
   * `({ apiKey }) => (apiKey?.scopes.has('documents:any') ? 'allow' : 'refuse')`.
   * @default 'refuse'
   */
  readonly adHocDocuments?:
    AdHocDocumentPolicy | ((request: AdHocDocumentRequest) => AdHocDocumentPolicy | Promise<AdHocDocumentPolicy>) | undefined;
  /**
   * The `@requiresApiKey` directive (its `probe`), so that policies can look at the key and
   * security events name the key's id. The key is verified once per request, as the directive does.
   * @default none
   */
  readonly apiKey?: { readonly probe: ApiKeyProbe } | undefined;
  /**
   * Documents looked up remembered in process, found or not, so that a flood of unknown ids costs
   * no store round trip each. A retired app version stops being served within `ttlMs`. `false`
   * turns it off.
   * @default { maxEntries: 10000, ttlMs: 10000 }
   */
  readonly cache?: { readonly maxEntries?: number | undefined; readonly ttlMs?: number | undefined } | false | undefined;
  /** Told when the store fails (the error only); the request is refused with `PROTECTION_UNAVAILABLE`. @default ignore */
  readonly onDependencyError?: ((error: unknown) => void) | undefined;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: (() => number) | undefined;
}

/** {@link TrustedDocumentsOptions} with defaults applied. */
export interface ResolvedTrustedDocumentsOptions {
  readonly store: TrustedDocumentStore;
  readonly adHocDocuments: (request: AdHocDocumentRequest) => AdHocDocumentPolicy | Promise<AdHocDocumentPolicy>;
  readonly apiKey: ApiKeyProbe | undefined;
  readonly cache: { readonly maxEntries: number; readonly ttlMs: number } | false;
  readonly onDependencyError: (error: unknown) => void;
  readonly clock: () => number;
}

const policies: readonly AdHocDocumentPolicy[] = ['refuse', 'report', 'allow'];

/** Applies defaults without touching the caller's object; throws `TypeError` for bad options. */
export function resolveTrustedDocumentsOptions(options: TrustedDocumentsOptions): ResolvedTrustedDocumentsOptions {
  if (!isObject(options) || !hasMethod(options.store, 'find')) {
    throw new TypeError('trustedDocuments: store must implement TrustedDocumentStore');
  }
  const adHoc = options.adHocDocuments ?? 'refuse';
  if (typeof adHoc !== 'function' && !policies.includes(adHoc)) {
    throw new TypeError(`trustedDocuments: adHocDocuments must be one of ${policies.join(', ')}, or a function returning one`);
  }
  if (options.apiKey !== undefined && !hasMethod(options.apiKey.probe, 'key')) {
    throw new TypeError('trustedDocuments: apiKey must be the requiresApiKeyDirective (its probe)');
  }
  let cache: ResolvedTrustedDocumentsOptions['cache'] = false;
  if (options.cache !== false) {
    const maxEntries = options.cache?.maxEntries ?? 10_000;
    const ttlMs = options.cache?.ttlMs ?? 10_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError('trustedDocuments: cache.maxEntries must be a positive integer');
    if (!(ttlMs >= 1 && ttlMs <= 3_600_000)) throw new TypeError('trustedDocuments: cache.ttlMs must be from 1 to 3600000');
    cache = { maxEntries, ttlMs };
  }
  return {
    store: options.store,
    adHocDocuments: typeof adHoc === 'function' ? adHoc : () => adHoc,
    apiKey: options.apiKey?.probe,
    cache,
    onDependencyError: options.onDependencyError ?? (() => undefined),
    clock: options.clock ?? Date.now,
  };
}
