import { hash } from 'node:crypto';
import { isPromiseLike } from '../../context/request-memo.js';
import type { SecurityContext } from '../../context/security-context.js';
import { ProtectionUnavailableError, RateLimitedError, type RampartError } from '../../errors.js';
import type { RateLimitDecision } from '../../rate-limit/rate-limit-store.js';
import { notifyListener } from '../notify-listener.js';
import type { CheckOutcome } from '../protection.js';
import { DerivedNames } from '../derived-names.js';
import { rateLimitIdentityOf } from '../rate-limit-identity.js';
import type { RateLimitUsage, ResolvedRateLimitOptions } from './options.js';

/** Where a usage counts: the field and where the directive is written. */
export interface RateLimitSite {
  /** `Type.field`. */
  readonly coordinate: string;
  /** Where the usage is written (`Query.x`, `type Stats`). */
  readonly origin: string;
}

/**
 * Counts one call of a field under one usage: builds the counter's key from the field, the usage,
 * the identity the request proved and the identity arguments in their canonical form (hashed,
 * never stored in clear), and asks the store for an atomic decision. Over the limit:
 * `RATE_LIMITED`; store down: `PROTECTION_UNAVAILABLE`.
 */
export function createRateLimitCount(
  options: ResolvedRateLimitOptions,
  usage: RateLimitUsage,
  site: RateLimitSite,
): (security: SecurityContext, args: Readonly<Record<string, unknown>>) => CheckOutcome | Promise<CheckOutcome> {
  const { store, clock } = options;
  const { coordinate, origin } = site;
  const { windowMs, max, identityArgs, arrayLengthField, by, message } = usage;
  const canonical = identityArgs.map((path) => options.canonicalArguments.get(`${coordinate}.${path}`) ?? foldArgument);
  // Everything that makes this usage its own limit, so that two usages never share a counter.
  const usageName = JSON.stringify([origin, windowMs, max, by ?? null, identityArgs, arrayLengthField ?? null]);
  const prefix = `${coordinate}:${hash('sha256', usageName, 'base64url').slice(0, 12)}`;
  const counterName = (text: string) => `${prefix}:${hash('sha256', text, 'base64url')}`;
  // A usage that counts per identity alone names its counters from what requests proved: each
  // name is remembered (never one made of argument values, which may be secrets such as codes).
  const identityNames = identityArgs.length === 0 ? new DerivedNames((identity) => counterName(JSON.stringify([identity, []]))) : undefined;

  const outcomeOf = (security: SecurityContext, decision: RateLimitDecision): CheckOutcome => {
    if (decision.allowed) return undefined;
    const error = new RateLimitedError(decision.retryAfterMs / 1000, message, `over_limit@${origin}`);
    notifyListener(options.onLimited, {
      coordinate,
      clientIp: security.clientIp,
      requestId: security.requestId,
      retryAfterSeconds: error.retryAfter,
    });
    return error;
  };
  const unavailable = (error: unknown): RampartError => {
    notifyListener(options.onDependencyError, error);
    return new ProtectionUnavailableError(undefined, 'rate_limit_store_unavailable');
  };

  return (security, args) => {
    const identity = rateLimitIdentityOf(security, by);
    const key =
      identityNames !== undefined
        ? identityNames.of(identity)
        : counterName(
            JSON.stringify([identity, identityArgs.map((path, index) => (canonical[index] ?? foldArgument)(valueAt(args, path)) ?? null)]),
          );
    const listLength = arrayLengthField === undefined ? undefined : valueAt(args, arrayLengthField);
    const units = Array.isArray(listLength) ? Math.max(1, listLength.length) : 1;
    let decision: RateLimitDecision | Promise<RateLimitDecision>;
    try {
      decision = store.consume(key, units, max, windowMs, clock());
    } catch (error) {
      return unavailable(error);
    }
    if (!isPromiseLike(decision)) return outcomeOf(security, decision);
    return Promise.resolve(decision).then((settled) => outcomeOf(security, settled), unavailable);
  };
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
export function foldArgument(value: unknown): unknown {
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
