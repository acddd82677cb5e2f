import { parseDuration } from '../../duration.js';
import type { RateLimitStore } from '../../rate-limit/rate-limit-store.js';
import { hasMethod, isObject } from '../../shape-checks.js';
import { resolveBaseOptions, type BaseDirectiveOptions, type ResolvedBaseOptions } from '../base-options.js';
import { assertDirectiveName } from '../directive-name.js';
import { rateLimitIdentities, type RateLimitIdentity } from '../rate-limit-identity.js';

/** A refused call, for bans and security logs. Never carries argument values. */
export interface RateLimitEvent {
  /** `Type.field`. */
  readonly coordinate: string;
  readonly clientIp: string;
  readonly requestId: string;
  readonly retryAfterSeconds: number;
}

/** Options of {@link rateLimitDirective}. */
export interface RateLimitOptions extends BaseDirectiveOptions {
  /** Where counters live: `MemoryRateLimitStore` for one instance, `RedisRateLimitStore` for several. */
  readonly store: RateLimitStore;
  /**
   * The name of the identity enum in SDL.
   * @default 'RateLimitIdentity'
   */
  readonly identityEnumName?: string | undefined;
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
  readonly canonicalArguments?: Readonly<Record<string, (value: unknown) => unknown>> | undefined;
  /** Told of every refused call, e.g. to feed an `IpPolicy`'s bans. @default ignore */
  readonly onLimited?: ((event: RateLimitEvent) => void) | undefined;
}

/** {@link RateLimitOptions} with defaults applied. */
export interface ResolvedRateLimitOptions extends ResolvedBaseOptions {
  readonly store: RateLimitStore;
  readonly identityEnumName: string;
  readonly canonicalArguments: ReadonlyMap<string, (value: unknown) => unknown>;
  readonly onLimited: (event: RateLimitEvent) => void;
}

/** Applies defaults without touching the caller's object; throws `TypeError` for bad options. */
export function resolveRateLimitOptions(options: RateLimitOptions): ResolvedRateLimitOptions {
  if (!isObject(options) || !hasMethod(options.store, 'consume')) {
    throw new TypeError('rateLimitDirective: store must implement RateLimitStore');
  }
  const base = resolveBaseOptions(options, 'rateLimit');
  const identityEnumName = options.identityEnumName ?? 'RateLimitIdentity';
  assertDirectiveName(identityEnumName, 'rateLimitDirective (identityEnumName)');
  const canonicalArguments = new Map(Object.entries(options.canonicalArguments ?? {}));
  for (const [argument, form] of canonicalArguments) {
    if (typeof form !== 'function') throw new TypeError(`rateLimitDirective: canonicalArguments['${argument}'] must be a function`);
  }
  return { ...base, store: options.store, identityEnumName, canonicalArguments, onLimited: options.onLimited ?? (() => undefined) };
}

/** One usage of `@rateLimit`, its arguments checked. */
export interface RateLimitUsage {
  readonly windowMs: number;
  readonly max: number;
  readonly identityArgs: readonly string[];
  readonly arrayLengthField: string | undefined;
  readonly by: readonly RateLimitIdentity[] | undefined;
  readonly message: string | undefined;
}

const argumentPath = /^[_A-Za-z][_0-9A-Za-z]*(\.[_A-Za-z][_0-9A-Za-z]*)*$/;

/** Reads a usage's arguments; throws `TypeError` naming `where` (`@rateLimit on Query.x`). */
export function readRateLimitUsage(args: Readonly<Record<string, unknown>>, where: string): RateLimitUsage {
  const parsed = typeof args['window'] === 'string' ? parseDuration(args['window'], { bareMilliseconds: true }) : undefined;
  if (parsed === undefined || !(parsed >= 1000) || parsed > 366 * 86_400_000) {
    throw new TypeError(`${where}: window must be a duration from 1s to 1y in ms format, such as "1m"`);
  }
  const max = args['max'];
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1_000_000_000) {
    throw new TypeError(`${where}: max must be an integer > 0`);
  }
  const arrayLengthField = args['arrayLengthField'];
  const message = args['message'];
  if (message !== undefined && message !== null && (typeof message !== 'string' || message.length === 0 || message.length > 300)) {
    throw new TypeError(`${where}: message must be a non-empty string of at most 300 characters`);
  }
  return {
    windowMs: parsed,
    max,
    identityArgs: readPaths(args['identityArgs'], `${where}: identityArgs`),
    arrayLengthField:
      arrayLengthField === undefined || arrayLengthField === null
        ? undefined
        : readPaths([arrayLengthField], `${where}: arrayLengthField`)[0],
    by: readIdentities(args['by'], where),
    message: typeof message === 'string' ? message : undefined,
  };
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
