import type { JWTPayload } from 'jose';

/**
 * The scopes an access token grants: `scope` (RFC 9068, space-separated) and `scp` (an array, as
 * Okta issues it, or space-separated, as Entra ID issues it), merged. Anything else is ignored.
 */
export function scopesOf(claims: JWTPayload): ReadonlySet<string> {
  const scopes = new Set<string>();
  for (const value of [claims['scope'], claims['scp']]) {
    const items = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
    for (const item of items) if (typeof item === 'string' && item.length > 0) scopes.add(item);
  }
  return scopes;
}

/** A field's scope requirement: all of `requires`, and all of at least one set of `anyOf`. */
export interface ScopeRequirement {
  readonly requires: readonly string[];
  /** `undefined`: no alternative sets to satisfy. */
  readonly anyOf: readonly (readonly string[])[] | undefined;
}

/** Whether `granted` meets `requirement` (an AND of `requires` with an OR of ANDs). */
export function satisfiesScopes(granted: ReadonlySet<string>, requirement: ScopeRequirement): boolean {
  for (const scope of requirement.requires) if (!granted.has(scope)) return false;
  if (requirement.anyOf === undefined) return true;
  return requirement.anyOf.some((set) => set.every((scope) => granted.has(scope)));
}
