import type { SecurityContext } from '../../context/security-context.js';
import { foldParameterName } from '../../context/query-parameters.js';
import { isPromiseLike } from '../../context/request-memo.js';
import {
  ForbiddenError,
  ProtectionUnavailableError,
  UnauthenticatedError,
  type RampartError,
} from '../../errors.js';
import { notifyListener } from '../notify-listener.js';
import { protectFields } from '../protect-fields.js';
import { reportingVerification } from '../reporting-verification.js';
import { isReportOnly, protectionRank, type FieldCheck, type ProtectionDirective } from '../protection.js';
import { AccessTokenRejectedError, AccessTokenVerifier } from './access-token-verifier.js';
import { readAuthorization } from './authorization-header.js';
import { DpopProofRejectedError, verifyDpopProof } from './dpop-proof.js';
import { resolveAuthOptions, type AuthOptions, type ResolvedAuthOptions } from './options.js';
import { satisfiesScopes, type ScopeRequirement } from './scopes.js';
import type { ProvenUser, VerifiedAccessToken } from './verified-access-token.js';

/** The SDL of `@auth` under the given name. */
export function authTypeDefs(name = 'auth'): string {
  return `"""
The call must carry a valid OAuth 2.0 / OpenID Connect access token for a user, from a trusted
issuer, in the Authorization header. Threat: anonymous and impersonated callers; with dpop, a
token copied from the genuine client (proxy, malware, a "cheating service").
"""
directive @${name}(
  """Scopes the token must grant, all of them."""
  requires: [String!]
  """Alternative scope sets: the token must grant every scope of at least one set."""
  anyOf: [[String!]!]
  """Only a sender-constrained token (Authorization: DPoP with a valid DPoP proof, RFC 9449)."""
  dpop: Boolean = false
) on FIELD_DEFINITION | OBJECT | INTERFACE
`;
}

/** The outcome of verifying a request's access token once. */
type UserVerification = { readonly ok: true; readonly user: ProvenUser } | { readonly ok: false; readonly error: RampartError };

/**
 * `@auth(requires: [String!], anyOf: [[String!]!], dpop: Boolean)`: the call must carry a valid
 * access token for a user. Threat mitigated: anonymous and impersonated callers; with `dpop`,
 * replay of a token copied from the genuine client, which is useless without the client's
 * private key (RFC 9449).
 *
 * Tokens are verified with jose against the issuer they name (pinned asymmetric algorithms, `iss`,
 * `aud`, `exp` required, bounded skew, `typ` when configured), once per request and cached across
 * requests. No token or a bad one: `UNAUTHENTICATED`. A valid token without the scopes:
 * `FORBIDDEN`, with a message that lists nothing. Keys unobtainable: `PROTECTION_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const auth = authDirective({
 *   issuers: [{ issuer: 'https://id.example.com/', audience: 'https://api.example.com', tokenType: 'at+jwt' }],
 *   dpop: { replayCache: new MemoryReplayCache() },
 * });
 * // type Mutation { placeOrder: Order! @auth(requires: ["orders:write"]) }
 * ```
 */
export function authDirective(options: AuthOptions): ProtectionDirective & {
  /** Hits and misses of the verified-token cache, for metrics. */
  readonly tokenCacheStats: () => { readonly hits: number; readonly misses: number; readonly size: number } | undefined;
} {
  const resolved = resolveAuthOptions(options);
  const { name } = resolved;
  const verifier = new AccessTokenVerifier(resolved);
  const verify = reportingVerification('access_token', createUserVerification(resolved, verifier));
  const memoKey = {};
  const verification = (security: SecurityContext) => security.memo.get(memoKey, verify, security);

  const checkFor = (requirement: ScopeRequirement, dpopOnly: boolean, origin: string): FieldCheck => {
    const judge = (outcome: UserVerification): RampartError | undefined => {
      if (!outcome.ok) return outcome.error;
      if (dpopOnly && outcome.user.scheme !== 'DPoP') {
        return new UnauthenticatedError(
          'This field requires a sender-constrained access token: send Authorization: DPoP <token> with a DPoP proof.',
          `dpop_required@${origin}`,
        );
      }
      if (!satisfiesScopes(outcome.user.scopes, requirement)) {
        return new ForbiddenError('The access token does not grant access to this field.', `insufficient_scope@${origin}`);
      }
      return undefined;
    };
    return (security) => security.memo.apply(memoKey, verify, security, judge);
  };

  return {
    name,
    typeDefs: authTypeDefs(name),
    tokenCacheStats: () => verifier.cacheStats,
    transformer: (schema) =>
      protectFields(schema, name, (usage, coordinate) => {
        const where = `@${name} on ${usage.origin}`;
        const requirement: ScopeRequirement = {
          requires: readScopeList(usage.args['requires'], `${where}: requires`),
          anyOf: readScopeSets(usage.args['anyOf'], `${where}: anyOf`),
        };
        const dpopOnly = usage.args['dpop'] === true;
        if (dpopOnly && resolved.dpop === undefined) {
          throw new TypeError(`${where}: dpop: true needs the directive's dpop option (a replay cache)`);
        }
        return {
          directive: name,
          rank: protectionRank.auth,
          origin: usage.origin,
          check: checkFor(requirement, dpopOnly, usage.origin),
          prepare: verification,
          perRequest: true,
          reportOnly: isReportOnly(options.reportOnly, coordinate),
        };
      }),
  };
}

/**
 * Query parameters that carry a user's token, folded (`foldParameterName`). RFC 6750 §2.3 lets a
 * client send `access_token` in the URL but tells resource servers not to rely on it, as URLs are
 * logged and leak through Referer; a token found there is refused, even with a valid header, so
 * that the client is fixed and the token treated as leaked.
 */
const tokenQueryParameters: ReadonlySet<string> = new Set(
  ['access_token', 'token', 'id_token', 'refresh_token', 'auth_token', 'bearer', 'bearer_token', 'authorization', 'jwt'].map(
    foldParameterName,
  ),
);

function createUserVerification(
  options: ResolvedAuthOptions,
  verifier: AccessTokenVerifier,
): (security: SecurityContext) => UserVerification | Promise<UserVerification> {
  const refuse = (message: string, reason: string): UserVerification => ({
    ok: false,
    error: new UnauthenticatedError(message, reason),
  });
  const invalid = (reason: string) =>
    refuse('The access token is not valid (malformed, expired or not from a trusted issuer). Sign in again.', reason);
  const badProof = (reason: string) =>
    refuse('The DPoP proof is not valid for this request. Sign a new proof for this exact request.', `dpop_${reason}`);
  const unavailable = (error: unknown): UserVerification => {
    notifyListener(options.onDependencyError, error);
    return { ok: false, error: new ProtectionUnavailableError(undefined, 'auth_dependency_unavailable') };
  };
  const failed = (error: unknown): UserVerification => {
    if (error instanceof AccessTokenRejectedError) return invalid(error.reason);
    if (error instanceof DpopProofRejectedError) return badProof(error.reason);
    return unavailable(error);
  };

  const accept = (
    security: SecurityContext,
    scheme: 'Bearer' | 'DPoP',
    token: string,
    verified: VerifiedAccessToken,
  ): UserVerification | Promise<UserVerification> => {
    const bound = verified.confirmationThumbprint;
    if (scheme === 'Bearer') {
      // RFC 9449 §7.1: a DPoP-bound token presented as a bearer token is refused.
      if (bound !== undefined) return invalid('dpop_bound_token_as_bearer');
      return proven(security, verified, 'Bearer');
    }
    const dpop = options.dpop;
    if (dpop === undefined) return invalid('dpop_not_enabled');
    if (bound === undefined) return invalid('dpop_scheme_unbound_token');
    const origin = dpop.publicOrigin ?? (security.host ? `${security.protocol}://${security.host}` : undefined);
    if (origin === undefined) return badProof('no_request_origin');
    const path = security.url.split(/[?#]/, 1)[0] as string;
    return verifyDpopProof(
      {
        proofs: security.headerValues('dpop'),
        accessToken: token,
        boundThumbprint: bound,
        method: security.method,
        url: `${origin}${path.startsWith('/') ? path : `/${path}`}`,
        now: options.clock(),
      },
      dpop,
    ).then(() => proven(security, verified, 'DPoP'), failed);
  };

  return (security) => {
    for (const name of security.queryParameterNames) {
      if (tokenQueryParameters.has(foldParameterName(name))) {
        return refuse(
          'Access tokens are accepted only in the Authorization header, never in the URL: URLs are logged. Treat that token as leaked and sign in again.',
          'token_in_url',
        );
      }
    }
    const credential = readAuthorization(security.headerValues('authorization'), options.maxTokenLength);
    if (credential.kind === 'absent') {
      return refuse('This field requires a user access token: send Authorization: Bearer <token>.', 'missing');
    }
    if (credential.kind === 'malformed') return invalid(credential.reason);
    const { scheme, token } = credential;
    let verified: VerifiedAccessToken | Promise<VerifiedAccessToken>;
    try {
      verified = verifier.verify(token);
    } catch (error) {
      return failed(error);
    }
    if (!isPromiseLike(verified)) return accept(security, scheme, token, verified);
    return verified.then((value) => accept(security, scheme, token, value), failed);
  };
}

function proven(security: SecurityContext, token: VerifiedAccessToken, scheme: 'Bearer' | 'DPoP'): UserVerification {
  const user: ProvenUser = Object.freeze({ ...token, scheme });
  security.proven.user = user;
  return { ok: true, user };
}

const scopePattern = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

function readScopeList(value: unknown, where: string): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string' && scopePattern.test(scope))) {
    throw new TypeError(`${where} must list scope tokens (RFC 6749 §3.3: printable ASCII, no space, quote or backslash)`);
  }
  return [...new Set(value as string[])];
}

function readScopeSets(value: unknown, where: string): readonly (readonly string[])[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`${where} must list at least one scope set`);
  return value.map((set) => {
    const scopes = readScopeList(set, where);
    if (scopes.length === 0) throw new TypeError(`${where}: a scope set must not be empty`);
    return scopes;
  });
}
