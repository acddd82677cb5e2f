import { isPromiseLike } from '../../context/request-memo.js';
import type { SecurityContext } from '../../context/security-context.js';
import { ForbiddenError, UnauthenticatedError, type RampartError } from '../../errors.js';
import { protectionRegistry } from '../../protection-registry.js';
import { fieldProtection } from '../base-options.js';
import { defineProtectionDirective } from '../protect-fields.js';
import type { FieldCheck, ProtectionDirective } from '../protection.js';
import { reportingVerification } from '../reporting-verification.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import { resolveAuthOptions, type AuthOptions } from './options.js';
import { satisfiesScopes, type ScopeRequirement } from './scopes.js';
import { createUserVerification, type UserVerification } from './verify.js';

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

/** What {@link authDirective} returns. */
export interface AuthDirective extends ProtectionDirective {
  /** Hits and misses of the verified-token cache, for metrics. */
  readonly tokenCacheStats: () => { readonly hits: number; readonly misses: number; readonly size: number } | undefined;
}

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
export function authDirective(options: AuthOptions): AuthDirective {
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
    const judgeSpent = (outcome: UserVerification): RampartError | undefined | Promise<RampartError | undefined> => {
      if (!outcome.ok || outcome.spendProof === undefined) return judge(outcome);
      const spent = outcome.spendProof();
      return isPromiseLike(spent) ? Promise.resolve(spent).then(judge) : judge(spent);
    };
    return (security) => security.memo.apply(memoKey, verify, security, judgeSpent);
  };

  return {
    ...defineProtectionDirective(name, authTypeDefs(name), (usage, coordinate) => {
      const where = `@${name} on ${usage.origin}`;
      const requirement: ScopeRequirement = {
        requires: readScopeList(usage.args['requires'], `${where}: requires`),
        anyOf: readScopeSets(usage.args['anyOf'], `${where}: anyOf`),
      };
      const dpopOnly = usage.args['dpop'] === true;
      if (dpopOnly && resolved.dpop === undefined) {
        throw new TypeError(`${where}: dpop: true needs the directive's dpop option (a replay cache)`);
      }
      return fieldProtection(resolved, usage, coordinate, protectionRegistry.auth.rank, {
        check: checkFor(requirement, dpopOnly, usage.origin),
        prepare: verification,
        perRequest: true,
      });
    }),
    tokenCacheStats: () => verifier.cacheStats,
  };
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
