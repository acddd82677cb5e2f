import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { createIpPolicy, createUserAgentPolicy, SecurityContext } from '../index.js';

/** A request-level refusal, before any GraphQL work. */
export interface RequestRefusal {
  readonly status: number;
  /** For logs and metrics: `https_required`, `denied`, `not_allowed`, `banned`, `user_agent`, `ban_store_unavailable`. */
  readonly reason: string;
  readonly error: { readonly message: string; readonly extensions: Record<string, unknown> };
  readonly headers?: Record<string, string>;
}

/**
 * The cheapest checks of all, before the body is even read: HTTPS when required (directly, or per
 * a trusted proxy's `X-Forwarded-Proto`), the IP policy (deny list, bans after repeated rate-limit
 * violations) and the optional user-agent deny list. A ban store that cannot answer refuses (fail
 * closed).
 */
export function requestGate(options: {
  readonly requireTls: boolean;
  readonly ipPolicy: ReturnType<typeof createIpPolicy>;
  readonly userAgentPolicy: ReturnType<typeof createUserAgentPolicy> | undefined;
}): (security: SecurityContext) => Promise<RequestRefusal | undefined> {
  return async (security) => {
    if (options.requireTls && security.protocol !== 'https') {
      return {
        status: 403,
        reason: 'https_required',
        error: { message: 'This API is served over HTTPS only.', extensions: { code: 'BAD_REQUEST' } },
      };
    }
    let decision;
    try {
      decision = await options.ipPolicy.decide(security.clientIp);
    } catch {
      return {
        status: 503,
        reason: 'ban_store_unavailable',
        error: { message: 'A protection is temporarily unavailable. Retry shortly.', extensions: { code: 'PROTECTION_UNAVAILABLE' } },
        headers: { 'retry-after': '5' },
      };
    }
    if (!decision.allowed && decision.reason === 'banned') {
      return {
        status: 429,
        reason: 'banned',
        error: {
          message: 'Too many refused calls from this address. Retry after the time given in retryAfter (seconds).',
          extensions: { code: 'RATE_LIMITED', retryAfter: decision.retryAfterSeconds },
        },
        headers: { 'retry-after': String(decision.retryAfterSeconds) },
      };
    }
    const userAgentRefused = options.userAgentPolicy !== undefined && !options.userAgentPolicy.decide(security.userAgent);
    if (!decision.allowed || userAgentRefused) {
      return {
        status: 403,
        reason: decision.allowed ? 'user_agent' : decision.reason,
        // Not FORBIDDEN: the contract keeps that code for tokens without the scopes a field needs.
        error: { message: 'Requests from this client are not accepted.', extensions: { code: 'BAD_REQUEST' } },
      };
    }
    return undefined;
  };
}

/**
 * Sets `Retry-After` (seconds) on an HTTP response that refused any field with `RATE_LIMITED`:
 * the longest wait among them. The operation's status stays 200, as Apollo Server keeps it for
 * field errors.
 */
export function retryAfterHeaderPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          let wait = 0;
          for (const error of response.body.singleResult.errors ?? []) {
            const retryAfter = error.extensions?.['retryAfter'];
            if (error.extensions?.['code'] === 'RATE_LIMITED' && typeof retryAfter === 'number') wait = Math.max(wait, retryAfter);
          }
          if (wait > 0) response.http.headers.set('retry-after', String(wait));
        },
      };
    },
  };
}

/**
 * Tells the protections the operation was executed, with its result (the cost budget settles at
 * the actual cost), then adds what they put in the response's extensions (`extensions.cost`), on
 * every single-result response. What the Apollo adapter of graphql-rampart does; the demo keeps
 * its own until it uses that.
 */
export function responseExtensionsPlugin<TContext extends BaseContext & { readonly rampart: SecurityContext }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          await contextValue.rampart.executed({ data: result.data, errors: result.errors });
          const extensions = contextValue.rampart.responseExtensions;
          if (Object.keys(extensions).length > 0) result.extensions = { ...result.extensions, ...extensions };
        },
      };
    },
  };
}
