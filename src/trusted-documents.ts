/**
 * graphql-rampart/trusted-documents: the genuine app sends only the operations it was built with,
 * by id; a script's own queries are refused before any GraphQL work. The server adapters
 * (`graphql-rampart/envelop`, `graphql-rampart/apollo`) take a `trustedDocuments(…)`; plain
 * servers call its `resolve` before parsing.
 */
export { trustedDocuments } from './trusted-documents/trusted-documents.js';
export type { DocumentRequest, DocumentResolution, TrustedDocuments } from './trusted-documents/trusted-documents.js';
export type { AdHocDocumentPolicy, AdHocDocumentRequest, TrustedDocumentsOptions } from './trusted-documents/options.js';
export type { AppVersionRecord, TrustedDocumentStore } from './trusted-documents/trusted-document-store.js';
export { MemoryTrustedDocumentStore } from './trusted-documents/memory-trusted-document-store.js';
export { PostgresTrustedDocumentStore } from './trusted-documents/postgres-trusted-document-store.js';
export { SqliteTrustedDocumentStore } from './trusted-documents/sqlite-trusted-document-store.js';
export { ManifestError, readManifest } from './trusted-documents/manifest.js';
export type { ManifestLimits } from './trusted-documents/manifest.js';
export { documentIdOf } from './trusted-documents/document-id.js';
export { DocumentRefusalError, PersistedQueryNotFoundError, PersistedQueryRequiredError } from './errors.js';
export type { DocumentRefusalCode } from './errors.js';
