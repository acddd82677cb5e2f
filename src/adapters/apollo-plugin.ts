import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ParseOptions, type ValidationRule } from 'graphql';
import { fromNodeRequest } from '../context/request-adapters.js';
import { isPromiseLike } from '../context/request-memo.js';
import { getSecurityContext, type IncomingRequestFacts, type SecurityContext } from '../context/security-context.js';
import { PersistedQueryRequiredError } from '../errors.js';
import type { DocumentResolution } from '../trusted-documents/trusted-documents.js';
import {
  documentRefusalStatus,
  longestRetryAfter,
  resolveServerOptions,
  settleExecution,
  withoutPersistedQuery,
  withTokenLimit,
  type RampartServerOptions,
} from './server-options.js';

/**
 * What Apollo runs in place of a refused document: a query that parses and validates anywhere, so
 * that the refusal is answered from `didResolveOperation`, where Apollo turns a thrown error into
 * a request error (before execution), rather than from `requestDidStart`, where it would be a 500.
 */
const refusedPlaceholder = '{ __typename }';

/** What {@link rampartApollo} gives an Apollo Server: its parts go to the constructor and the context function. */
export interface RampartApollo {
  /** For the constructor's `plugins`: settles the protections, adds their `extensions`, sets `Retry-After`. */
  readonly plugin: ApolloServerPlugin;
  /** For the constructor's `validationRules`: the operation limits. */
  readonly validationRules: ValidationRule[];
  /** For the constructor's `parseOptions`: the token limit. */
  readonly parseOptions: ParseOptions;
  /**
   * A new security context for one operation, from the Node request (`req` of
   * `startStandaloneServer`'s and `expressMiddleware`'s context function; Fastify's
   * `request.raw`) or request facts built by hand (serverless integrations).
   */
  securityContext(request: IncomingMessage | IncomingRequestFacts): SecurityContext;
  /**
   * A context function for `startStandaloneServer` and `expressMiddleware` when the security
   * context is all the GraphQL context holds; otherwise call {@link RampartApollo.securityContext}
   * in your own and put it there as `rampart`.
   */
  readonly context: (argument: { readonly req: IncomingMessage }) => Promise<{ rampart: SecurityContext }>;
}

/**
 * graphql-rampart on Apollo Server 5 (`startStandaloneServer`, `expressMiddleware`, any
 * integration): the security context of each operation, the operation limits, the token limit,
 * `Retry-After` on a response that refused a field with `RATE_LIMITED`, and, before the response
 * is sent, `security.executed(result)` with what the protections add merged into `extensions`.
 * Decisions reach the `observer` through each security context.
 *
 * @example
 * ```ts
 * const rampart = rampartApollo({ trustedProxies: ['10.0.0.0/8'], observer });
 * const server = new ApolloServer({
 *   schema,
 *   validationRules: rampart.validationRules,
 *   parseOptions: rampart.parseOptions,
 *   plugins: [rampart.plugin],
 * });
 * await startStandaloneServer(server, { context: rampart.context });
 * ```
 */
export function rampartApollo(options: RampartServerOptions = {}): RampartApollo {
  const { securityContext, validationRules, maxTokens, retryAfterHeader, trustedDocuments } = resolveServerOptions(
    'rampartApollo',
    options,
  );
  const contextOf = (request: IncomingMessage | IncomingRequestFacts): SecurityContext =>
    securityContext('headersDistinct' in request ? fromNodeRequest(request) : request);
  return {
    plugin: {
      async requestDidStart({ request, contextValue }) {
        let refusal: Extract<DocumentResolution, { ok: false }> | undefined;
        const security = getSecurityContext(contextValue);
        if (trustedDocuments !== undefined) {
          const documentId = (request as { documentId?: unknown }).documentId;
          const resolution: DocumentResolution =
            security === undefined
              ? {
                  ok: false,
                  error: new PersistedQueryRequiredError(
                    'Trusted documents need the security context on the GraphQL context.',
                    'security_context_missing',
                  ),
                }
              : await trustedDocuments.resolve(security, { query: request.query, documentId, extensions: request.extensions });
          // Apollo reads the request after this hook: the trusted text replaces the id, and Apollo's
          // own persisted queries (which would let clients register documents) never engage.
          const extensions = withoutPersistedQuery(request.extensions);
          if (extensions === undefined) delete request.extensions;
          else request.extensions = extensions;
          if (resolution.ok) {
            if (resolution.query !== undefined) request.query = resolution.query;
          } else {
            refusal = resolution;
            request.query = refusedPlaceholder;
            delete request.operationName;
          }
        }
        return {
          didResolveOperation() {
            if (refusal === undefined) return Promise.resolve();
            const { error } = refusal;
            // Rejected, not thrown: Apollo still calls every plugin's hook, then answers the refusal.
            return Promise.reject(
              new GraphQLError(error.message, {
                extensions: { code: error.extensions['code'], http: { status: documentRefusalStatus(refusal) } },
              }),
            );
          },
          async willSendResponse({ contextValue, response }) {
            const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
            const security = getSecurityContext(contextValue);
            if (security !== undefined) {
              const settled = settleExecution(security, result);
              const extensions = isPromiseLike(settled) ? await settled : settled;
              if (extensions !== undefined) result.extensions = extensions;
            }
            const wait = retryAfterHeader ? longestRetryAfter(result.errors) : undefined;
            if (wait !== undefined) response.http.headers.set('retry-after', String(wait));
          },
        };
      },
    },
    validationRules,
    parseOptions: maxTokens === undefined ? {} : withTokenLimit({}, maxTokens),
    securityContext: contextOf,
    // eslint-disable-next-line @typescript-eslint/require-await -- async so that a security context factory that throws rejects: the context function returns a promise, and never throws
    context: async ({ req }) => ({ rampart: contextOf(req) }),
  };
}
