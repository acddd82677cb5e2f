import { protectionRegistry } from '../../protection-registry.js';
import { fieldProtection } from '../base-options.js';
import { protectFields } from '../protect-fields.js';
import type { ProtectionDirective } from '../protection.js';
import { readRateLimitUsage, resolveRateLimitOptions, type RateLimitOptions } from './options.js';
import { createRateLimitCount } from './verify.js';

/** The SDL of `@rateLimit` and its identity enum under the given names. */
export function rateLimitTypeDefs(name = 'rateLimit', identityEnum = 'RateLimitIdentity'): string {
  return `"""
What a rate limit counts per. Only what the request proved counts: the API key, the user of a
verified token, the attested app instance, the client address (through trusted proxies only). A
missing identity falls back to the client address. GLOBAL (alone) shares one counter by everyone.
"""
enum ${identityEnum} {
  IP
  API_KEY
  USER
  APP_INSTANCE
  USER_AGENT
  GLOBAL
}

"""
At most max calls per window per identity, exactly, across aliases, lists, batches, concurrent
requests and instances. Threat: scraping, brute force and floods from one client. Repeatable: each
usage is its own limit, and all must pass.
"""
directive @${name}(
  """The window, in ms format: "10s", "1m", "1h", "1d"."""
  window: String!
  """Calls allowed per window and identity (at least 1)."""
  max: Int!
  """Argument paths (dot-separated) whose values join the identity, e.g. ["code"]."""
  identityArgs: [String!]
  """A list argument whose length counts as that many calls."""
  arrayLengthField: String
  """What to count per. Default: the user when known, otherwise API key and client address."""
  by: [${identityEnum}!]
  """The refusal message. Default: a message that states no limit."""
  message: String
) repeatable on FIELD_DEFINITION | OBJECT
`;
}

/** What {@link rateLimitDirective} returns. */
export type RateLimitDirective = ProtectionDirective;

/**
 * `@rateLimit(window, max, identityArgs, arrayLengthField, by, message)`: at most `max` calls per
 * `window` per identity, graphql-rate-limit's field semantics without its defects. Threat
 * mitigated: scraping, credential and gift-card brute force, floods from one client.
 *
 * Exact: every call is counted, through aliases, list items and concurrent requests, by an atomic
 * store decision (sliding window, a refused call is not counted). The key always holds `Type.field`
 * and the identity; argument values are hashed, never stored. Over the limit: `RATE_LIMITED` with
 * `extensions.retryAfter` in whole seconds. Store down: `PROTECTION_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const rateLimit = rateLimitDirective({ store: new RedisRateLimitStore(redis) });
 * // redeemGiftCard(code: String!): Redemption
 * //   @rateLimit(window: "10m", max: 5, by: [USER])
 * //   @rateLimit(window: "1h", max: 3, by: [GLOBAL], identityArgs: ["code"])
 * ```
 */
export function rateLimitDirective(options: RateLimitOptions): RateLimitDirective {
  const resolved = resolveRateLimitOptions(options);
  const { name } = resolved;
  return {
    name,
    typeDefs: rateLimitTypeDefs(name, resolved.identityEnumName),
    transformer: (schema) => {
      const counted = new Set<string>();
      const transformed = protectFields(schema, name, (usage, coordinate) => {
        const parsed = readRateLimitUsage(usage.args, `@${name} on ${usage.origin}`);
        for (const path of parsed.identityArgs) counted.add(`${coordinate}.${path}`);
        return fieldProtection(resolved, usage, coordinate, protectionRegistry.rateLimit.rank, {
          check: createRateLimitCount(resolved, parsed, { coordinate, origin: usage.origin }),
        });
      });
      for (const argument of resolved.canonicalArguments.keys()) {
        if (!counted.has(argument)) {
          throw new TypeError(`rateLimitDirective: canonicalArguments names ${argument}, which no @${name} counts in identityArgs`);
        }
      }
      return transformed;
    },
  };
}
