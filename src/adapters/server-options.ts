import type { ValidationRule } from 'graphql';
import {
  executedSynchronously,
  securityContextFactory,
  type IncomingRequestFacts,
  type SecurityContext,
  type SecurityContextOptions,
} from '../context/security-context.js';
import { defaultMaxTokens, operationLimitRules, type OperationLimits } from '../operation-limits/operation-limit-rules.js';
import type { DocumentResolution, TrustedDocuments } from '../trusted-documents/trusted-documents.js';
import { hasMethod } from '../shape-checks.js';

/**
 * What every server adapter (`graphql-rampart/envelop`, `graphql-rampart/apollo`) does, and how.
 * The security context's own options (`trustedProxies`, `requestId`, `observer`) build one
 * factory per server; or give a factory you built (`securityContext`), shared with code that runs
 * before GraphQL (a request gate), and none of those.
 */
export interface RampartServerOptions extends SecurityContextOptions {
  /**
   * Builds the security context of each operation, instead of a factory built from
   * `trustedProxies`, `requestId` and `observer` (which must then be left out).
   * @default securityContextFactory({ trustedProxies, requestId, observer })
   */
  readonly securityContext?: (request: IncomingRequestFacts) => SecurityContext;
  /**
   * The operation limits (validation rules): depth, aliases, root fields, directives, cost and
   * introspection depth; `ignoreIntrospection: true` exempts introspection. `false` adds none
   * (another plugin limits operations).
   * @default {} (every limit at its default; introspection measured)
   */
  readonly limits?: OperationLimits | false;
  /**
   * The parser's token limit: a document with more tokens is refused before it is parsed
   * (`GRAPHQL_PARSE_FAILED`). `false` sets none.
   * @default 2000
   */
  readonly maxTokens?: number | false;
  /**
   * Set `Retry-After` (seconds) on an HTTP response that refused a field with `RATE_LIMITED`: the
   * longest `retryAfter` among them. The status stays 200, as for any field error.
   * @default true
   */
  readonly retryAfterHeader?: boolean;
  /**
   * Trusted documents (`graphql-rampart/trusted-documents`): each request's document is decided
   * before parsing: a trusted document's id (`documentId`, or Apollo's
   * `extensions.persistedQuery.sha256Hash`) is replaced by its text; a full document is refused,
   * reported or allowed by the policy; refusals answer `PERSISTED_QUERY_NOT_FOUND` (HTTP 200, as
   * Apollo's persisted queries, so clients fall back) or `PERSISTED_QUERY_REQUIRED` (HTTP 400).
   * @default none (every document is accepted)
   */
  readonly trustedDocuments?: TrustedDocuments;
}

/** {@link RampartServerOptions} with defaults applied. */
export interface ResolvedServerOptions {
  readonly securityContext: (request: IncomingRequestFacts) => SecurityContext;
  readonly validationRules: ValidationRule[];
  readonly maxTokens: number | undefined;
  readonly retryAfterHeader: boolean;
  readonly trustedDocuments: TrustedDocuments | undefined;
}

/** Applies the defaults; throws `TypeError`, naming `adapter`, for a bad option. */
export function resolveServerOptions(adapter: string, options: RampartServerOptions): ResolvedServerOptions {
  const {
    securityContext,
    limits = {},
    maxTokens = defaultMaxTokens,
    retryAfterHeader = true,
    trustedDocuments,
    ...contextOptions
  } = options;
  if (trustedDocuments !== undefined && !hasMethod(trustedDocuments, 'resolve')) {
    throw new TypeError(`${adapter}: trustedDocuments must be made by trustedDocuments(…) (graphql-rampart/trusted-documents)`);
  }
  if (securityContext !== undefined && typeof securityContext !== 'function') {
    throw new TypeError(`${adapter}: securityContext must be a function, such as securityContextFactory(…)`);
  }
  const given = (['trustedProxies', 'requestId', 'observer'] as const).filter((name) => contextOptions[name] !== undefined);
  if (securityContext !== undefined && given.length > 0) {
    throw new TypeError(`${adapter}: give either securityContext or ${given.join(', ')} (to the factory), not both`);
  }
  if (maxTokens !== false && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new TypeError(`${adapter}: maxTokens must be a positive integer, or false`);
  }
  return {
    securityContext: securityContext ?? securityContextFactory(contextOptions),
    validationRules: limits === false ? [] : operationLimitRules(limits),
    maxTokens: maxTokens === false ? undefined : maxTokens,
    retryAfterHeader,
    trustedDocuments,
  };
}

/** The token limit of graphql-js' parser, under both names a graphql 16 in the peer range reads. */
export interface TokenLimitParseOptions {
  /** The name graphql 16.6 to 16.14 read (an alias of `maxLexicalTokens` since 16.15). */
  readonly maxTokens?: number | undefined;
  /** The name graphql 16.15 and later read, before `maxTokens`. */
  readonly maxLexicalTokens?: number | undefined;
}

/**
 * The parser options `given` (the server's own, if any) with the token limit applied: the lower of
 * theirs and `maxTokens`, set under both names, so that every graphql 16 in the peer range reads it
 * and a `maxLexicalTokens` of the server's cannot lift it on 16.15.
 */
export function withTokenLimit(given: TokenLimitParseOptions | undefined, maxTokens: number): TokenLimitParseOptions {
  const limit = Math.min(given?.maxLexicalTokens ?? given?.maxTokens ?? maxTokens, maxTokens);
  return { ...given, maxTokens: limit, maxLexicalTokens: limit };
}

/** The HTTP status of a trusted-documents refusal, as the servers' own request errors carry it. */
export function documentRefusalStatus(resolution: Extract<DocumentResolution, { ok: false }>): number {
  switch (resolution.error.extensions['code']) {
    case 'PERSISTED_QUERY_NOT_FOUND':
      return 200;
    case 'PERSISTED_QUERY_REQUIRED':
      return 400;
    default:
      return 503;
  }
}

/** `extensions` without Apollo's `persistedQuery` (resolved already), or `undefined` when nothing is left. */
export function withoutPersistedQuery(extensions: unknown): Record<string, unknown> | undefined {
  if (extensions === null || typeof extensions !== 'object') return undefined;
  const { persistedQuery: _resolved, ...rest } = extensions as Record<string, unknown>;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/** An execution result as the adapters see it: graphql-js errors or formatted ones. */
interface ResultLike {
  readonly data?: unknown;
  readonly errors?: readonly unknown[] | undefined;
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Tells the protections the operation was executed (`security.executed`, once) and answers the
 * result's `extensions` with what they added (`security.responseExtensions`, such as `cost`)
 * merged in; `undefined` when there is nothing to add. Answers synchronously when every
 * protection settled synchronously (a memory store), through a promise otherwise.
 */
export function settleExecution(
  security: SecurityContext,
  result: ResultLike,
): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined> {
  const executed = security.executed({ data: result.data, errors: result.errors });
  if (executed === executedSynchronously) return mergedExtensions(security, result);
  return executed.then(() => mergedExtensions(security, result));
}

function mergedExtensions(security: SecurityContext, result: ResultLike): Record<string, unknown> | undefined {
  const added = security.responseExtensions;
  if (Object.keys(added).length === 0) return undefined;
  return { ...result.extensions, ...added };
}

/** The longest `retryAfter` (whole seconds) among the `RATE_LIMITED` errors, or `undefined`. */
export function longestRetryAfter(errors: readonly unknown[] | undefined): number | undefined {
  let longest: number | undefined;
  for (const error of errors ?? []) {
    const extensions = (error as { extensions?: Record<string, unknown> } | null)?.extensions;
    const retryAfter = extensions?.['retryAfter'];
    if (extensions?.['code'] !== 'RATE_LIMITED' || typeof retryAfter !== 'number' || !Number.isFinite(retryAfter) || retryAfter <= 0)
      continue;
    longest = Math.max(longest ?? 0, Math.ceil(retryAfter));
  }
  return longest;
}
