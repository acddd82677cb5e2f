import { hash } from 'node:crypto';
import { addressKey } from '../context/client-ip.js';
import type { SecurityContext } from '../context/security-context.js';

/** What a rate limit counts per: the `by` argument of `@rateLimit`. */
export type RateLimitIdentity = 'IP' | 'API_KEY' | 'USER' | 'APP_INSTANCE' | 'USER_AGENT' | 'GLOBAL';

/** Every identity, in SDL order. */
export const rateLimitIdentities: readonly RateLimitIdentity[] = ['IP', 'API_KEY', 'USER', 'APP_INSTANCE', 'USER_AGENT', 'GLOBAL'];

/**
 * The identity a call is counted under. Only what the request proved is used: the API key's id
 * (`@requiresApiKey`), the user's issuer and subject (`@auth`), the app instance's device or app id
 * (`@requiresAttestation`: Approov's device id; App Check has none, so it falls back), the client
 * address resolved through trusted proxies. An identity the
 * request did not prove falls back to the client address, never to a bucket shared by everyone.
 * IPv6 addresses count per /64, the block a single subscriber usually holds.
 *
 * Without `by`: the user when the request's token was verified, otherwise API key and address.
 */
export function rateLimitIdentityOf(security: SecurityContext, by: readonly RateLimitIdentity[] | undefined): string {
  const { proven } = security;
  if (by === undefined) return proven.user ? userIdentity(proven.user) : `key:${proven.apiKey?.id ?? '-'}|${ipIdentity(security)}`;
  // Each part built only when it counts (most limits name one or two).
  let identity = '';
  for (const part of by) {
    if (identity.length > 0) identity += '|';
    switch (part) {
      case 'GLOBAL':
        identity += 'global';
        break;
      case 'IP':
        identity += ipIdentity(security);
        break;
      case 'API_KEY':
        identity += proven.apiKey ? `key:${proven.apiKey.id}` : ipIdentity(security);
        break;
      case 'USER':
        identity += proven.user ? userIdentity(proven.user) : ipIdentity(security);
        break;
      case 'APP_INSTANCE': {
        // The device, never the app id: every install of an app shares its app id.
        const device = proven.attestation?.deviceId;
        identity += device ? `device:${device}` : ipIdentity(security);
        break;
      }
      case 'USER_AGENT':
        identity += `ua:${hash('sha256', security.userAgent ?? '', 'base64url').slice(0, 16)}`;
        break;
    }
  }
  return identity;
}

function ipIdentity(security: SecurityContext): string {
  return `ip:${addressKey(security.clientIp)}`;
}

function userIdentity(user: { readonly issuer: string; readonly subject: string }): string {
  return `user:${user.issuer}|${user.subject}`;
}
