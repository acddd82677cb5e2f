import { apiKeyInText, apiKeyLength, apiKeyMatchesHash, parseApiKeyId } from '../../api-keys/api-key-format.js';
import type { ApiKeyRecord } from '../../api-keys/api-key-record.js';
import type { ProvenApiKey } from '../../context/proven-credentials.js';
import type { SecurityContext } from '../../context/security-context.js';
import { foldParameterName } from '../../context/query-parameters.js';
import { isPromiseLike } from '../../context/request-memo.js';
import { ApiKeyInvalidError, ApiKeyRequiredError, ProtectionUnavailableError, type RampartError } from '../../errors.js';
import { notifyListener } from '../notify-listener.js';
import type { ResolvedRequiresApiKeyOptions } from './options.js';

/** The outcome of verifying a request's API key: the key's identity, or why it was refused. */
export type ApiKeyVerification = { readonly ok: true; readonly key: ProvenApiKey } | { readonly ok: false; readonly error: RampartError };

/**
 * Verifies the API key a request carries, once: refuses a key in the URL, a missing, duplicated,
 * malformed, unknown, mismatched, revoked or expired key; answers synchronously when the store
 * does. Never throws: a failing store is an `unavailable` outcome. On success, records the key's
 * identity in `security.proven.apiKey`.
 */
export function createApiKeyVerifier(
  options: ResolvedRequiresApiKeyOptions,
): (security: SecurityContext) => ApiKeyVerification | Promise<ApiKeyVerification> {
  const { store, header, clock } = options;
  const headerLabel = options.headerLabel;
  const keyInUrl = (): ApiKeyVerification =>
    refused(
      new ApiKeyRequiredError(
        `API keys are accepted only in the ${headerLabel} header, never in the URL: URLs are logged. Treat a key or token sent in the URL as leaked and rotate it.`,
        'key_in_url',
      ),
    );
  const missing = (): ApiKeyVerification =>
    refused(new ApiKeyRequiredError(`This field requires an API key. Send it in the ${headerLabel} header.`, 'missing'));
  const duplicated = (): ApiKeyVerification =>
    refused(new ApiKeyInvalidError(`Send exactly one ${headerLabel} header.`, 'duplicate_header'));
  const invalid = (reason: string): ApiKeyVerification =>
    refused(
      new ApiKeyInvalidError(
        `The API key in the ${headerLabel} header is not valid (unknown, revoked or expired). Use a current key.`,
        reason,
      ),
    );
  const unavailable = (error: unknown): ApiKeyVerification => {
    notifyListener(options.onDependencyError, error);
    return refused(new ProtectionUnavailableError(undefined, 'api_key_store_unavailable'));
  };

  const decide = (security: SecurityContext, presented: string, record: ApiKeyRecord | undefined): ApiKeyVerification => {
    if (record === undefined) return invalid('unknown');
    if (!apiKeyMatchesHash(presented, record.hash)) return invalid('mismatch');
    const now = clock();
    // Revoked is revoked, whatever the revoking machine's clock said.
    if (record.revokedAt !== null) return invalid('revoked');
    if (record.expiresAt !== null && record.expiresAt <= now) return invalid('expired');
    if (record.lastUsedAt === null || now - record.lastUsedAt >= options.lastUsedResolutionMs) {
      recordUse(options, record.id, now);
    }
    const key: ProvenApiKey = { id: record.id, app: record.app, scopes: new Set(record.scopes) };
    security.proven.apiKey = key;
    return { ok: true, key };
  };

  return (security) => {
    for (const name of security.queryParameterNames) {
      if (options.refusedQueryParameters.has(foldParameterName(name))) return keyInUrl();
    }
    // A key under any other name (`?k=rampart_…`, inside another value) is as leaked.
    if (security.queryForms.some((form) => apiKeyInText.test(form))) return keyInUrl();
    const values = security.headerValues(header);
    if (values.length > 1) return duplicated();
    const presented = (values[0] ?? '').trim();
    if (presented.length === 0) return missing();
    if (presented.length !== apiKeyLength) return invalid('malformed');
    const id = parseApiKeyId(presented);
    if (id === undefined) return invalid('malformed');
    let found: ApiKeyRecord | undefined | Promise<ApiKeyRecord | undefined>;
    try {
      found = store.findById(id);
    } catch (error) {
      return unavailable(error);
    }
    if (!isPromiseLike(found)) return decide(security, presented, found);
    return Promise.resolve(found).then(
      (record) => decide(security, presented, record),
      (error: unknown) => unavailable(error),
    );
  };
}

function refused(error: RampartError): ApiKeyVerification {
  return { ok: false, error };
}

function recordUse(options: ResolvedRequiresApiKeyOptions, id: string, now: number): void {
  try {
    const written = options.store.recordUse(id, now);
    if (isPromiseLike(written)) {
      Promise.resolve(written).catch((error: unknown) => notifyListener(options.onDependencyError, error));
    }
  } catch (error) {
    // Bookkeeping only: a failed last-use write never changes the decision.
    notifyListener(options.onDependencyError, error);
  }
}
