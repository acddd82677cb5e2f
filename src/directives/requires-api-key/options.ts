import type { ApiKeyStore } from '../../api-keys/api-key-store.js';
import { foldParameterName } from '../../context/query-parameters.js';
import { hasMethod, isObject } from '../../shape-checks.js';
import { resolveBaseOptions, type BaseDirectiveOptions, type ResolvedBaseOptions } from '../base-options.js';

/** Options of {@link requiresApiKeyDirective}. */
export interface RequiresApiKeyOptions extends BaseDirectiveOptions {
  /** Where issued keys live (hashed). */
  readonly store: ApiKeyStore;
  /**
   * The request header that carries the key (case-insensitive).
   * @default 'X-API-Key'
   */
  readonly header?: string;
  /**
   * Query-string parameters that mean "a key (or a token) was put in the URL". Such a request is
   * refused with `API_KEY_REQUIRED`: URLs end up in proxy and server logs. Names are compared
   * folded (case, `-`, `_`, `.`, spaces and full-width forms ignored: `api_key` also refuses
   * `API-KEY`, `apiKey` and `api.key`), and found however the query string is written (see
   * `SecurityContext.queryParameterNames`). The header's own name is always added.
   * @default ['api_key', 'key', 'app_key', 'token', 'access_token', 'auth_token']
   */
  readonly refusedQueryParameters?: readonly string[];
  /**
   * How often, at most, a key's last-use time is written to the store.
   * @default 60000 (one minute)
   */
  readonly lastUsedResolutionMs?: number;
}

/** {@link RequiresApiKeyOptions} with every default applied. */
export interface ResolvedRequiresApiKeyOptions extends ResolvedBaseOptions {
  readonly store: ApiKeyStore;
  /** Lower case, for lookups. */
  readonly header: string;
  /** As configured, for messages. */
  readonly headerLabel: string;
  /** Folded with `foldParameterName`. */
  readonly refusedQueryParameters: ReadonlySet<string>;
  readonly lastUsedResolutionMs: number;
}

/** Names under which keys, and tokens mistaken for keys, are put in URLs. */
const defaultRefusedQueryParameters = ['api_key', 'key', 'app_key', 'token', 'access_token', 'auth_token'];

const headerToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Applies defaults without touching the caller's object; throws `TypeError` for bad options. */
export function resolveRequiresApiKeyOptions(options: RequiresApiKeyOptions): ResolvedRequiresApiKeyOptions {
  if (!isObject(options)) {
    throw new TypeError('requiresApiKeyDirective: options with a store are required');
  }
  const { store } = options;
  if (!isObject(store) || !hasMethod(store, 'findById') || !hasMethod(store, 'recordUse')) {
    throw new TypeError('requiresApiKeyDirective: store must implement ApiKeyStore');
  }
  const base = resolveBaseOptions(options, 'requiresApiKey');
  const headerLabel = options.header ?? 'X-API-Key';
  const header = headerLabel.toLowerCase();
  if (!headerToken.test(header)) {
    throw new TypeError('requiresApiKeyDirective: header must be an HTTP header name');
  }
  const lastUsedResolutionMs = options.lastUsedResolutionMs ?? 60_000;
  if (!Number.isFinite(lastUsedResolutionMs) || lastUsedResolutionMs < 0) {
    throw new TypeError('requiresApiKeyDirective: lastUsedResolutionMs must be >= 0');
  }
  const refused = options.refusedQueryParameters ?? defaultRefusedQueryParameters;
  return {
    ...base,
    store,
    header,
    headerLabel,
    refusedQueryParameters: new Set([...refused, header].map(foldParameterName)),
    lastUsedResolutionMs,
  };
}
