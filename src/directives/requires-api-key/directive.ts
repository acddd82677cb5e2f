import type { ProvenApiKey } from '../../context/proven-credentials.js';
import { isPromiseLike } from '../../context/request-memo.js';
import type { SecurityContext } from '../../context/security-context.js';
import { ApiKeyInvalidError, type RampartError } from '../../errors.js';
import { protectionRegistry } from '../../protection-registry.js';
import type { ApiKeyProbe } from '../api-key-probe.js';
import { fieldProtection } from '../base-options.js';
import { defineProtectionDirective } from '../protect-fields.js';
import type { FieldCheck, ProtectionDirective } from '../protection.js';
import { reportingVerification } from '../reporting-verification.js';
import { resolveRequiresApiKeyOptions, type RequiresApiKeyOptions } from './options.js';
import { createApiKeyVerifier, type ApiKeyVerification } from './verify.js';

/** The SDL of `@requiresApiKey` under the given name. */
export function requiresApiKeyTypeDefs(name = 'requiresApiKey'): string {
  return `"""
The call must carry a live API key issued to an app, in the X-API-Key header (never in the URL).
Every scope listed must have been granted to the key. Threat: anonymous scripts and unknown apps.
"""
directive @${name}(
  """Scopes the key must hold, all of them. Absent or empty: any live key."""
  scopes: [String!]
) on FIELD_DEFINITION | OBJECT | INTERFACE
`;
}

/** What {@link requiresApiKeyDirective} returns. */
export interface RequiresApiKeyDirective extends ProtectionDirective {
  /** The request's key as this directive proves it, for decisions outside a field. */
  readonly probe: ApiKeyProbe;
}

/**
 * `@requiresApiKey(scopes: [String!])`: the call must come with a live API key, issued to an app,
 * in a header. Threat mitigated: anonymous scripts and unknown apps calling the API. An API key
 * identifies an app but is easily extracted from its binary or traffic, so it is the cheapest
 * layer and never the only one: combine it with `@requiresAttestation` and `@auth`.
 *
 * Refuses with `API_KEY_REQUIRED` (no key, or a key in the URL) and `API_KEY_INVALID` (unknown,
 * revoked, expired, malformed, duplicated header, or lacking a scope). The key is verified once
 * per request, whatever the number of protected fields.
 *
 * @example
 * ```ts
 * const apiKey = requiresApiKeyDirective({ store: new SqliteApiKeyStore(db) });
 * // type Query { products: [Product!]! @requiresApiKey(scopes: ["catalog:read"]) }
 * ```
 */
export function requiresApiKeyDirective(options: RequiresApiKeyOptions): RequiresApiKeyDirective {
  const resolved = resolveRequiresApiKeyOptions(options);
  const verify = reportingVerification('api_key', createApiKeyVerifier(resolved));
  // The memo key: one verification per request for this directive instance.
  const memoKey = {};
  const verification = (security: SecurityContext) => security.memo.get(memoKey, verify, security);

  const checkFor = (scopes: readonly string[], origin: string): FieldCheck => {
    const judge = (outcome: ApiKeyVerification): RampartError | undefined => {
      if (!outcome.ok) return outcome.error;
      if (hasScopes(outcome.key, scopes)) return undefined;
      return new ApiKeyInvalidError(
        'This API key is not allowed to use this field. Ask for a key with the scopes it needs.',
        `missing_scope@${origin}`,
      );
    };
    return (security) => security.memo.apply(memoKey, verify, security, judge);
  };

  const provenKey = (outcome: ApiKeyVerification) => (outcome.ok ? outcome.key : undefined);
  const probe: ApiKeyProbe = {
    key(security) {
      try {
        const outcome = security.memo.apply(memoKey, verify, security, provenKey);
        return isPromiseLike(outcome) ? Promise.resolve(outcome).catch(() => undefined) : outcome;
      } catch {
        return undefined;
      }
    },
  };
  const directive = defineProtectionDirective(resolved.name, requiresApiKeyTypeDefs(resolved.name), (usage, coordinate) =>
    fieldProtection(resolved, usage, coordinate, protectionRegistry.requiresApiKey.rank, {
      check: checkFor(readScopes(usage.args['scopes'], `@${resolved.name} on ${usage.origin}`), usage.origin),
      prepare: verification,
      perRequest: true,
    }),
  );
  return { ...directive, probe };
}

function hasScopes(key: ProvenApiKey, scopes: readonly string[]): boolean {
  for (const scope of scopes) if (!key.scopes.has(scope)) return false;
  return true;
}

const scopePattern = /^[A-Za-z0-9:._-]{1,64}$/;

function readScopes(value: unknown, where: string): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string' && scopePattern.test(scope))) {
    throw new TypeError(`${where}: scopes must be strings of 1 to 64 characters of A-Z a-z 0-9 : . _ -`);
  }
  return [...new Set(value as string[])];
}
