import { createHash } from 'node:crypto';
import { parseDuration } from '../../duration.js';
import type { SecurityContext } from '../../context/security-context.js';
import { isPromiseLike } from '../../context/request-memo.js';
import { ProtectionUnavailableError, RateLimitedError, type RampartError } from '../../errors.js';
import {
  rateLimitIdentities,
  rateLimitIdentityOf,
  type RateLimitIdentity,
} from '../../rate-limit/rate-limit-identity.js';
import type { RateLimitDecision, RateLimitStore } from '../../rate-limit/rate-limit-store.js';
import { assertDirectiveName } from '../directive-name.js';
import { notifyListener } from '../notify-listener.js';
import { protectFields } from '../protect-fields.js';
import { isReportOnly, protectionRank, type FieldCheck, type ProtectionDirective, type ReportOnlySetting } from '../protection.js';

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

/** A refused call, for bans and security logs. Never carries argument values. */
export interface RateLimitEvent {
  /** `Type.field`. */
  readonly coordinate: string;
  readonly clientIp: string;
  readonly requestId: string;
  readonly retryAfterSeconds: number;
}

/** Options of {@link rateLimitDirective}. */
export interface RateLimitOptions {
  /** Where counters live: `MemoryRateLimitStore` for one instance, `RedisRateLimitStore` for several. */
  readonly store: RateLimitStore;
  /**
   * The directive's name in SDL.
   * @default 'rateLimit'
   */
  readonly name?: string;
  /**
   * The name of the identity enum in SDL.
   * @default 'RateLimitIdentity'
   */
  readonly identityEnumName?: string;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
  /**
   * The application's own canonical form of identity arguments, by `Type.field.argumentPath`
   * (e.g. `'Mutation.redeemGiftCard.code'`): what a limit counts must be what the application looks
   * up, so give the function the application uses before its lookup. Return `undefined` for a
   * value outside the application's alphabet: all such values share one counter (the resolver
   * refuses them). Arguments without an entry are folded by default (NFKD, marks and invisible
   * characters dropped, case folded, NFKC, trimmed), which merges more spellings than most
   * applications do but cannot know an application's own equivalences (separators, a check digit).
   * A name that no `identityArgs` counts throws a `TypeError` when the schema is built.
   * @default {}
   */
  readonly canonicalArguments?: Readonly<Record<string, (value: unknown) => unknown>>;
  /** Told of every refused call, e.g. to feed an `IpPolicy`'s bans. */
  readonly onLimited?: (event: RateLimitEvent) => void;
  /** Told when the store fails (the error only). The call is refused either way. */
  readonly onStoreError?: (error: unknown) => void;
  /**
   * Report-only mode, for rolling the protection out: `true` for every field, or a list of
   * `Type.field` coordinates. Refusals are reported to the observer as `would_refuse` and the
   * call goes through. Never the default.
   * @default false
   */
  readonly reportOnly?: ReportOnlySetting;
}

const argumentPath = /^[_A-Za-z][_0-9A-Za-z]*(\.[_A-Za-z][_0-9A-Za-z]*)*$/;

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
export function rateLimitDirective(options: RateLimitOptions): ProtectionDirective {
  if (options === null || typeof options !== 'object' || typeof options.store?.consume !== 'function') {
    throw new TypeError('rateLimitDirective: store must implement RateLimitStore');
  }
  const name = options.name ?? 'rateLimit';
  assertDirectiveName(name, 'rateLimitDirective');
  const identityEnum = options.identityEnumName ?? 'RateLimitIdentity';
  assertDirectiveName(identityEnum, 'rateLimitDirective (identityEnumName)');
  const { store } = options;
  const clock = options.clock ?? Date.now;
  const canonicalForms = new Map(Object.entries(options.canonicalArguments ?? {}));
  for (const [name, form] of canonicalForms) {
    if (typeof form !== 'function') throw new TypeError(`rateLimitDirective: canonicalArguments['${name}'] must be a function`);
  }
  let countedArguments = new Set<string>();

  const checkFor = (usage: Readonly<Record<string, unknown>>, where: string, coordinate: string, origin: string): FieldCheck => {
    const windowMs = readWindow(usage['window'], where);
    const max = usage['max'];
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1_000_000_000) {
      throw new TypeError(`${where}: max must be an integer > 0`);
    }
    const identityArgs = readPaths(usage['identityArgs'], `${where}: identityArgs`);
    const canonical = identityArgs.map((path) => {
      countedArguments.add(`${coordinate}.${path}`);
      return canonicalForms.get(`${coordinate}.${path}`) ?? foldArgument;
    });
    const arrayLengthField = usage['arrayLengthField'] === undefined || usage['arrayLengthField'] === null
      ? undefined
      : readPaths([usage['arrayLengthField']], `${where}: arrayLengthField`)[0];
    const by = readIdentities(usage['by'], where);
    const message = usage['message'];
    if (message !== undefined && message !== null && (typeof message !== 'string' || message.length === 0 || message.length > 300)) {
      throw new TypeError(`${where}: message must be a non-empty string of at most 300 characters`);
    }
    // Everything that makes this usage its own limit, so that two usages never share a counter.
    const usageName = JSON.stringify([origin, windowMs, max, by ?? null, identityArgs, arrayLengthField ?? null]);
    const prefix = `${coordinate}:${createHash('sha256').update(usageName).digest('base64url').slice(0, 12)}`;

    const refuse = (security: SecurityContext, decision: RateLimitDecision): RampartError | undefined => {
      if (decision.allowed) return undefined;
      const error = new RateLimitedError(decision.retryAfterMs / 1000, typeof message === 'string' ? message : undefined, `over_limit@${origin}`);
      notifyListener(options.onLimited, {
        coordinate,
        clientIp: security.clientIp,
        requestId: security.requestId,
        retryAfterSeconds: error.retryAfter,
      });
      return error;
    };
    const unavailable = (error: unknown): RampartError => {
      notifyListener(options.onStoreError, error);
      return new ProtectionUnavailableError(undefined, 'rate_limit_store_unavailable');
    };

    return (security, args) => {
      const identity = rateLimitIdentityOf(security, by);
      const argumentValues = identityArgs.map((path, index) => (canonical[index] as (value: unknown) => unknown)(valueAt(args, path)) ?? null);
      const key = `${prefix}:${createHash('sha256').update(JSON.stringify([identity, argumentValues])).digest('base64url')}`;
      const listLength = arrayLengthField === undefined ? undefined : valueAt(args, arrayLengthField);
      const cost = Array.isArray(listLength) ? Math.max(1, listLength.length) : 1;
      let decision: RateLimitDecision | Promise<RateLimitDecision>;
      try {
        decision = store.consume(key, cost, max, windowMs, clock());
      } catch (error) {
        return unavailable(error);
      }
      if (!isPromiseLike(decision)) return refuse(security, decision);
      return Promise.resolve(decision).then((settled) => refuse(security, settled), unavailable);
    };
  };

  return {
    name,
    typeDefs: rateLimitTypeDefs(name, identityEnum),
    transformer: (schema) => {
      countedArguments = new Set();
      const transformed = protectFields(schema, name, (usage, coordinate) => ({
        directive: name,
        rank: protectionRank.rateLimit,
        origin: usage.origin,
        check: checkFor(usage.args, `@${name} on ${usage.origin}`, coordinate, usage.origin),
        reportOnly: isReportOnly(options.reportOnly, coordinate),
      }));
      for (const argument of canonicalForms.keys()) {
        if (!countedArguments.has(argument)) {
          throw new TypeError(`rateLimitDirective: canonicalArguments names ${argument}, which no @${name} counts in identityArgs`);
        }
      }
      return transformed;
    },
  };
}

function readWindow(value: unknown, where: string): number {
  const parsed = typeof value === 'string' ? parseDuration(value, { bareMilliseconds: true }) : undefined;
  if (parsed === undefined || !(parsed >= 1000) || parsed > 366 * 86_400_000) {
    throw new TypeError(`${where}: window must be a duration from 1s to 1y in ms format, such as "1m"`);
  }
  return parsed;
}

function readPaths(value: unknown, where: string): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((path) => typeof path === 'string' && argumentPath.test(path))) {
    throw new TypeError(`${where} must be argument paths such as "code" or "input.email"`);
  }
  return value as string[];
}

function readIdentities(value: unknown, where: string): readonly RateLimitIdentity[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => rateLimitIdentities.includes(item as RateLimitIdentity))) {
    throw new TypeError(`${where}: by must list identities among ${rateLimitIdentities.join(', ')}`);
  }
  if (value.includes('GLOBAL') && value.length > 1) {
    throw new TypeError(`${where}: by: [GLOBAL] shares one counter by everyone and cannot be combined`);
  }
  return [...new Set(value as RateLimitIdentity[])];
}

/** Combining marks and characters that render as nothing (zero-width joiners, soft hyphens, …). */
const invisible = /[\p{M}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * An identity argument as counted when the application gave no canonical form of its own: every
 * spelling an application might take for the same value shares a counter. Compatibility forms
 * decomposed ("ＡＢＣＤ", "ﬁ"), marks and invisible characters dropped ("é", zero-width joiners), case
 * folded through upper case ("ı" and "İ" with "i", "ß" with "ss"), spaces trimmed. Merging values
 * can only make a limit stricter, never looser.
 */
function foldArgument(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.normalize('NFKD').replace(invisible, '').toUpperCase().toLowerCase().normalize('NFKC').trim();
  }
  if (Array.isArray(value)) return value.map(foldArgument);
  return value ?? null;
}

function valueAt(args: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = args;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}
