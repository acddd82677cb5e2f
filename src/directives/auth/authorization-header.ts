import { compactJws } from '../../tokens/compact-jws.js';

/** A credential read from the `Authorization` header. */
export type AuthorizationCredential =
  | { readonly kind: 'absent' }
  | { readonly kind: 'token'; readonly scheme: 'Bearer' | 'DPoP'; readonly token: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/**
 * Reads `Authorization: Bearer <token>` or `Authorization: DPoP <token>`. The scheme is matched
 * case-insensitively and may be followed by several spaces (RFC 9110 §11.4); the token must be a
 * compact JWS no longer than `maxTokenLength`, checked before anything parses it. Two
 * `Authorization` headers, another scheme, or anything else is malformed.
 */
export function readAuthorization(values: readonly string[], maxTokenLength: number): AuthorizationCredential {
  if (values.length === 0) return { kind: 'absent' };
  if (values.length > 1) return { kind: 'malformed', reason: 'duplicate_header' };
  const value = (values[0] as string).trim();
  if (value.length === 0) return { kind: 'absent' };
  if (value.length > maxTokenLength + 16) return { kind: 'malformed', reason: 'too_long' };
  const space = value.indexOf(' ');
  if (space === -1) return { kind: 'malformed', reason: 'no_scheme' };
  const scheme = value.slice(0, space).toLowerCase();
  const token = value.slice(space + 1).trimStart();
  if (scheme !== 'bearer' && scheme !== 'dpop') return { kind: 'malformed', reason: 'unsupported_scheme' };
  if (token.length > maxTokenLength) return { kind: 'malformed', reason: 'too_long' };
  if (!compactJws.test(token)) return { kind: 'malformed', reason: 'not_a_jws' };
  return { kind: 'token', scheme: scheme === 'bearer' ? 'Bearer' : 'DPoP', token };
}
