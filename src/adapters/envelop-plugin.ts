import type { IncomingMessage } from 'node:http';
import type { Plugin } from '@envelop/core';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { fromFetchRequest, fromNodeRequest, nodeRemoteAddress } from '../context/request-adapters.js';
import { isPromiseLike } from '../context/request-memo.js';
import { getSecurityContext, type IncomingRequestFacts, type SecurityContext } from '../context/security-context.js';
import {
  documentRefusalStatus,
  longestRetryAfter,
  resolveServerOptions,
  settleExecution,
  withoutPersistedQuery,
  withTokenLimit,
  type RampartServerOptions,
  type TokenLimitParseOptions,
} from './server-options.js';

/** Options of {@link useRampart}. */
export interface UseRampartOptions extends RampartServerOptions {
  /**
   * Reads the request from the envelop context. The default reads GraphQL Yoga's: the Fetch
   * `request` with the socket peer of Node's `req` (`fromFetchRequest(request,
   * req?.socket?.remoteAddress)`), or a Node `req` alone (`fromNodeRequest(req)`). Answer
   * `undefined` when there is no request: the operation gets no security context, and every
   * protected field in it is refused with `PROTECTION_UNAVAILABLE` (fail closed).
   * @default yogaRequestFacts
   */
  readonly requestFacts?: (context: Readonly<Record<string, unknown>>) => IncomingRequestFacts | undefined;
}

/** The GraphQL context `useRampart` adds to: the protections read `rampart`. */
export interface RampartContext {
  rampart?: SecurityContext;
}

/**
 * The plugin: envelop's hooks, and GraphQL Yoga's `onResponse` for `Retry-After` (other envelop
 * servers ignore it).
 */
export type RampartPlugin = Plugin<RampartContext> & {
  onResponse?: (payload: { readonly request: Request; readonly response: Response }) => void;
  onParams?: (payload: YogaParamsPayload) => Promise<void>;
};

/** The part of GraphQL Yoga's `onParams` payload the trusted documents use. */
interface YogaParamsPayload {
  readonly request: Request;
  readonly params: Readonly<Record<string, unknown>>;
  readonly context: unknown;
  setParams(params: never): void;
  setResult(result: ExecutionResult): void;
}

/**
 * graphql-rampart on GraphQL Yoga and any envelop server, in one plugin. Per operation, it puts a
 * {@link SecurityContext} on the GraphQL context as `rampart` (unless the host already put one
 * there); it adds the operation limits to validation and the token limit to the parser; after
 * execution it settles the protections (`security.executed(result)`) and merges what they add
 * to the response (`extensions`); on Yoga it sets `Retry-After` on a response that refused a
 * field with `RATE_LIMITED`. Decisions reach the `observer` through each security context.
 *
 * @example
 * ```ts
 * const yoga = createYoga({ schema, plugins: [useRampart({ trustedProxies: ['10.0.0.0/8'], observer })] });
 * ```
 */
export function useRampart(options: UseRampartOptions = {}): RampartPlugin {
  const { requestFacts = yogaRequestFacts, ...serverOptions } = options;
  if (typeof requestFacts !== 'function') throw new TypeError('useRampart: requestFacts must be a function');
  const { securityContext, validationRules, maxTokens, retryAfterHeader, trustedDocuments } = resolveServerOptions(
    'useRampart',
    serverOptions,
  );
  /** The security context made for a request's trusted-documents decision, reused by its operation. */
  const madeForParams = new WeakMap<object, SecurityContext>();
  /** The longest Retry-After of each HTTP request (a batch holds several operations). */
  const waits = new WeakMap<object, number>();

  const settled = (
    request: unknown,
    result: ExecutionResult,
    setResult: (result: ExecutionResult) => void,
    extensions: Record<string, unknown> | undefined,
  ) => {
    if (extensions !== undefined) setResult({ ...result, extensions });
    const wait = retryAfterHeader ? longestRetryAfter(result.errors) : undefined;
    if (wait !== undefined && typeof request === 'object' && request !== null) waits.set(request, Math.max(waits.get(request) ?? 0, wait));
  };
  // Synchronous when every protection settled synchronously: no promise for envelop to wait on.
  const settle = (
    security: SecurityContext,
    request: unknown,
    result: ExecutionResult,
    setResult: (result: ExecutionResult) => void,
  ): void | Promise<void> => {
    const extensions = settleExecution(security, result);
    if (!isPromiseLike(extensions)) {
      settled(request, result, setResult, extensions);
      return;
    }
    return Promise.resolve(extensions).then((added) => settled(request, result, setResult, added));
  };

  const plugin: RampartPlugin = {
    onContextBuilding({ context, extendContext }) {
      if (getSecurityContext(context) !== undefined) return;
      const params = (context as { params?: unknown }).params;
      const made = typeof params === 'object' && params !== null ? madeForParams.get(params) : undefined;
      if (made !== undefined) {
        extendContext({ rampart: made });
        return;
      }
      const facts = requestFacts(context);
      if (facts !== undefined) extendContext({ rampart: securityContext(facts) });
    },
    onValidate({ addValidationRule }) {
      for (const rule of validationRules) addValidationRule(rule);
    },
    onExecute({ context }) {
      const security = getSecurityContext(context);
      if (security === undefined) return undefined;
      const request = (context as { request?: unknown }).request;
      return {
        onExecuteDone({ result, setResult }) {
          // Incremental delivery (@defer, @stream): settled once the last part is sent.
          if (isAsyncIterable(result)) return { onEnd: () => void security.executed({}) };
          return settle(security, request, result, setResult);
        },
      };
    },
    onSubscribe({ context }) {
      const security = getSecurityContext(context);
      if (security === undefined) return undefined;
      return {
        onSubscribeResult({ result }) {
          if (isAsyncIterable(result)) return { onEnd: () => void security.executed({}) };
          // A subscription refused before it started: one result, nothing streamed.
          void security.executed({ data: result.data, errors: result.errors });
          return undefined;
        },
      };
    },
    onResponse({ request, response }) {
      const wait = waits.get(request);
      if (wait === undefined) return;
      waits.delete(request);
      response.headers.set('retry-after', String(wait));
    },
  };
  if (trustedDocuments !== undefined) {
    // GraphQL Yoga: decided per operation before parsing, from the request's own parameters (GET's
    // documentId read from the URL, which Yoga's parser leaves out).
    plugin.onParams = async (hook) => {
      const { request, params, context } = hook;
      const facts = requestFacts({ ...(typeof context === 'object' && context !== null ? context : {}), request });
      if (facts === undefined) return;
      const security = securityContext(facts);
      const documentId =
        params['documentId'] ??
        (request.method === 'GET' ? (new URL(request.url, 'http://localhost').searchParams.get('documentId') ?? undefined) : undefined);
      const resolution = await trustedDocuments.resolve(security, { query: params['query'], documentId, extensions: params['extensions'] });
      if (!resolution.ok) {
        const { error } = resolution;
        // The answer is set: nothing runs. Yoga's own checks of the parameters still run after
        // this hook, so they get parameters they accept.
        hook.setParams({ query: '{ __typename }' } as never);
        hook.setResult({
          errors: [
            new GraphQLError(error.message, {
              extensions: { code: error.extensions['code'], http: { status: documentRefusalStatus(resolution) } },
            }),
          ],
        });
        return;
      }
      const { documentId: _sent, ...rest } = params;
      const resolved: Record<string, unknown> = {
        ...rest,
        query: resolution.query,
        extensions: withoutPersistedQuery(params['extensions']),
      };
      madeForParams.set(resolved, security);
      hook.setParams(resolved as never);
    };
  }
  if (maxTokens !== undefined) {
    plugin.onParse = ({ parseFn, setParseFn }) => {
      setParseFn((source: unknown, parseOptions?: TokenLimitParseOptions): unknown =>
        parseFn(source, withTokenLimit(parseOptions, maxTokens)),
      );
    };
  }
  return plugin;
}

/**
 * The request of a GraphQL Yoga context (or any envelop context holding the same names): the
 * Fetch `request` with the socket peer of Node's `req`, or a Node `req` alone.
 */
export function yogaRequestFacts(context: Readonly<Record<string, unknown>>): IncomingRequestFacts | undefined {
  const { request, req } = context;
  if (isFetchRequest(request)) return fromFetchRequest(request, isNodeRequest(req) ? nodeRemoteAddress(req) : undefined);
  if (isNodeRequest(req)) return fromNodeRequest(req);
  if (isNodeRequest(request)) return fromNodeRequest(request);
  return undefined;
}

function isFetchRequest(value: unknown): value is Request {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Request>;
  return typeof candidate.url === 'string' && typeof candidate.method === 'string' && typeof candidate.headers?.forEach === 'function';
}

function isNodeRequest(value: unknown): value is IncomingMessage {
  return typeof value === 'object' && value !== null && 'headersDistinct' in value && 'socket' in value;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
