import { LRUCache } from 'lru-cache';
import type { DocumentDecisionEvent } from '../context/protection-observer.js';
import type { ProvenApiKey } from '../context/proven-credentials.js';
import { isPromiseLike } from '../context/request-memo.js';
import type { SecurityContext } from '../context/security-context.js';
import {
  PersistedQueryNotFoundError,
  PersistedQueryRequiredError,
  ProtectionUnavailableError,
  type DocumentRefusalError,
} from '../errors.js';
import { notifyListener } from '../directives/notify-listener.js';
import { documentIdOf, readDocumentId } from './document-id.js';
import { resolveTrustedDocumentsOptions, type AdHocDocumentPolicy, type TrustedDocumentsOptions } from './options.js';

/** What a GraphQL request carries that names its document, as the host parsed it (GET or POST). */
export interface DocumentRequest {
  /** `query`: a full GraphQL document. */
  readonly query?: unknown;
  /** `documentId` (GraphQL over HTTP): `sha256:<hex>` or the bare hex. */
  readonly documentId?: unknown;
  /** `extensions`: Apollo's `persistedQuery.sha256Hash` is read from it. */
  readonly extensions?: unknown;
}

/**
 * The document a request may run: the trusted document's text (`trusted`), a full document the
 * policy lets through (not `trusted`), or the refusal, before any GraphQL work.
 */
export type DocumentResolution =
  | {
      readonly ok: true;
      /** The document to execute; `undefined` when the request named none (the server answers that itself). */
      readonly query: string | undefined;
      /** The document's id (the one sent, or the SHA-256 of a full document). */
      readonly documentId: string | undefined;
      /** The document is on the trusted list. */
      readonly trusted: boolean;
    }
  | { readonly ok: false; readonly error: DocumentRefusalError | ProtectionUnavailableError };

/** What {@link trustedDocuments} returns: the request-level check the server adapters run. */
export interface TrustedDocuments {
  /**
   * Decides a request's document before parsing: a document id must name a live trusted document
   * (`PERSISTED_QUERY_NOT_FOUND` otherwise, and when the id does not name the text sent with it);
   * a full document is refused (`PERSISTED_QUERY_REQUIRED`), reported or allowed by the policy.
   * The store down refuses with `PROTECTION_UNAVAILABLE`. Every decision reaches the observer's
   * `onDocument`, with the document's id and never its text.
   */
  resolve(security: SecurityContext, request: DocumentRequest): Promise<DocumentResolution>;
}

type Refusal = Extract<DocumentResolution, { ok: false }>;

/**
 * Trusted documents: the genuine app sends only the operations it was built with, by id (the
 * SHA-256 of each document, from the build's manifest), and a script's own queries are refused.
 * Threat mitigated: scripts that replay the app's traffic but write their own queries (aliases,
 * filters, fields the app never asks for). Roll out with `adHocDocuments: 'report'` (serve and
 * report unknown documents), then enforce.
 *
 * @example
 * ```ts
 * const documents = trustedDocuments({ store: await PostgresTrustedDocumentStore.open(pool), apiKey });
 * // in the server adapter: useRampart({ …, trustedDocuments: documents })
 * ```
 */
export function trustedDocuments(options: TrustedDocumentsOptions): TrustedDocuments {
  const resolved = resolveTrustedDocumentsOptions(options);
  const { store, clock } = resolved;
  const cache =
    resolved.cache === false
      ? undefined
      : new LRUCache<string, { text: string | undefined; expiresAt: number }>({ max: resolved.cache.maxEntries });
  const ttlMs = resolved.cache === false ? 0 : resolved.cache.ttlMs;

  const lookUp = async (id: string): Promise<string | undefined> => {
    const now = clock();
    const cached = cache?.get(id);
    if (cached !== undefined && cached.expiresAt > now) return cached.text;
    const found = store.find(id);
    const text = isPromiseLike(found) ? await found : found;
    cache?.set(id, { text, expiresAt: now + ttlMs });
    return text;
  };

  const apiKeyOf = async (security: SecurityContext): Promise<ProvenApiKey | undefined> =>
    resolved.apiKey === undefined ? undefined : resolved.apiKey.key(security);

  const report = async (security: SecurityContext, event: Omit<DocumentDecisionEvent, 'time' | 'requestId' | 'clientIp' | 'apiKeyId'>) => {
    const listener = security.observer?.onDocument;
    if (listener === undefined) return;
    const apiKeyId = (await apiKeyOf(security))?.id;
    notifyListener(listener, { time: clock(), requestId: security.requestId, clientIp: security.clientIp, apiKeyId, ...event });
  };

  const refuse = async (
    security: SecurityContext,
    error: Refusal['error'],
    documentId: string | undefined,
    trusted = false,
  ): Promise<Refusal> => {
    await report(security, { outcome: 'refused', code: error.code, reason: error.reason, documentId, trusted });
    return { ok: false, error };
  };

  const adHoc = async (security: SecurityContext, query: string | undefined): Promise<DocumentResolution> => {
    const documentId = query === undefined ? undefined : documentIdOf(query);
    let policy: AdHocDocumentPolicy;
    try {
      policy = await resolved.adHocDocuments({ security, apiKey: await apiKeyOf(security) });
    } catch {
      policy = 'refuse'; // a policy that cannot decide lets nothing through
    }
    if (policy !== 'report' && policy !== 'allow') return refuse(security, new PersistedQueryRequiredError(), documentId);
    await report(security, {
      outcome: policy === 'report' ? 'reported' : 'allowed',
      code: undefined,
      reason: 'ad_hoc',
      documentId,
      trusted: false,
    });
    return { ok: true, query, documentId, trusted: false };
  };

  return {
    async resolve(security, request) {
      const { query } = request;
      if (query !== undefined && query !== null && typeof query !== 'string') {
        return refuse(security, new PersistedQueryRequiredError('The query must be a string.', 'malformed_query'), undefined);
      }
      const text = typeof query === 'string' ? query : undefined;
      const fromRequest = request.documentId;
      const fromExtensions = persistedQueryHash(request.extensions);
      if (fromRequest === undefined && fromExtensions === undefined) return adHoc(security, text);
      const id = readDocumentId(fromRequest ?? fromExtensions);
      const other = fromRequest !== undefined && fromExtensions !== undefined ? readDocumentId(fromExtensions) : id;
      if (id === undefined || other !== id) {
        return refuse(
          security,
          new PersistedQueryNotFoundError('The document id is malformed: send sha256:<64 hex digits> or the bare hash.', 'malformed_id'),
          undefined,
        );
      }
      // A full document sent with its id must be the very document the id names.
      if (text !== undefined && documentIdOf(text) !== id) {
        return refuse(
          security,
          new PersistedQueryNotFoundError('The document id does not name the document sent with it.', 'id_mismatch'),
          id,
        );
      }
      let trusted: string | undefined;
      try {
        trusted = await lookUp(id);
      } catch (error) {
        notifyListener(resolved.onDependencyError, error);
        return refuse(
          security,
          new ProtectionUnavailableError('Trusted documents are temporarily unavailable. Retry shortly.', 'document_store_unavailable'),
          id,
        );
      }
      if (trusted === undefined) {
        // An unknown id with its full document (Apollo's registration) is a full document: the
        // policy decides, and nothing is ever registered.
        return text === undefined ? refuse(security, new PersistedQueryNotFoundError(), id) : adHoc(security, text);
      }
      await report(security, { outcome: 'allowed', code: undefined, reason: undefined, documentId: id, trusted: true });
      return { ok: true, query: trusted, documentId: id, trusted: true };
    },
  };
}

/** Apollo's `extensions.persistedQuery.sha256Hash` (version 1), or `undefined` when absent. */
function persistedQueryHash(extensions: unknown): unknown {
  if (extensions === null || typeof extensions !== 'object') return undefined;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  if (persisted === undefined) return undefined;
  if (persisted === null || typeof persisted !== 'object') return '';
  const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  return version === 1 ? sha256Hash : '';
}
