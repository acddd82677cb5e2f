import type { CostBudgetStore } from '../../rate-limit/cost-budget-store.js';
import { hasMethod, isList, isObject } from '../../shape-checks.js';
import type { AttestationProbe } from '../attestation-interfaces.js';
import { resolveBaseOptions, type BaseDirectiveOptions, type ResolvedBaseOptions } from '../base-options.js';
import { assertDirectiveName } from '../directive-name.js';
import { rateLimitIdentities, type RateLimitIdentity } from '../rate-limit-identity.js';

/**
 * A budget of cost points over time for each identity: a bucket of `capacity` points, restored at
 * `restorePerSecond`, charged each operation's estimated cost before it runs and refunded down to
 * its actual cost after.
 */
export interface CostBudget {
  /** Names the budget in store keys and security logs: letters, digits, `-` and `_`. */
  readonly name: string;
  /**
   * Which requests draw on it: `attested` ones (a valid attestation, by the rule of
   * `@requiresAttestation`, never spent), `unattested` ones, or `any`.
   */
  readonly tier: 'attested' | 'unattested' | 'any';
  /**
   * What it counts per, as `@rateLimit`'s `by`: `['APP_INSTANCE']` (the attested device) for the
   * attested tier, `['API_KEY', 'IP']` for the unattested one. An identity the request did not
   * prove falls back to the client address.
   */
  readonly by: readonly RateLimitIdentity[];
  /** The most points the bucket holds: what an identity may spend at once after resting. */
  readonly capacity: number;
  /** Points restored per second (`capacity / 3600` refills it in an hour). */
  readonly restorePerSecond: number;
}

/** A request refused for its cost budget, for bans and security logs. */
export interface CostLimitedEvent {
  /** `Type.field` of the root field that decided. */
  readonly coordinate: string;
  readonly clientIp: string;
  readonly requestId: string;
  readonly retryAfterSeconds: number;
  /** The budget that refused. */
  readonly budget: string;
}

/** Options of {@link costDirective}. */
export interface CostOptions extends BaseDirectiveOptions {
  /**
   * The name of the `@listSize` directive in SDL (`name` is `@cost`'s).
   * @default 'listSize'
   */
  readonly listSizeName?: string | undefined;
  /**
   * The size assumed for a list that neither `@listSize` nor a parent's `sizedFields` sizes. The
   * specification assumes such a list infinite; a finite default keeps unannotated schemas usable,
   * and the settlement after execution charges any list that turns out longer.
   * @default 100 (as `operationLimitRules`)
   */
  readonly defaultListSize?: number | undefined;
  /**
   * The most an operation may cost (field cost plus type cost), checked before any resolver runs.
   * @default 5000
   */
  readonly maxCost?: number | undefined;
  /**
   * The longest list a slicing argument may ask for (`first: 1000000`), checked before any resolver runs.
   * @default 1000
   */
  readonly maxListSize?: number | undefined;
  /**
   * Budgets over time. Every budget whose tier matches the request is charged, and all must admit.
   * @default [] (only the per-operation limits)
   */
  readonly budgets?: readonly CostBudget[] | undefined;
  /** Where budgets live: `MemoryCostBudgetStore` for one instance, `RedisCostBudgetStore` for several. Required with budgets. */
  readonly store?: CostBudgetStore | undefined;
  /**
   * What tells an attested request from another: the `@requiresAttestation` directive (its
   * `probe`). Required when a budget's tier is `attested` or `unattested`.
   */
  readonly attestation?: { readonly probe: AttestationProbe } | undefined;
  /** Told of every request refused for its budget, e.g. to feed an `IpPolicy`'s bans. @default ignore */
  readonly onLimited?: ((event: CostLimitedEvent) => void) | undefined;
}

/** {@link CostOptions} with defaults applied. */
export interface ResolvedCostOptions extends ResolvedBaseOptions {
  readonly listSizeName: string;
  readonly defaultListSize: number;
  readonly maxCost: number;
  readonly maxListSize: number;
  readonly budgets: readonly CostBudget[];
  readonly store: CostBudgetStore | undefined;
  readonly probe: AttestationProbe | undefined;
  readonly onLimited: (event: CostLimitedEvent) => void;
}

const budgetName = /^[A-Za-z0-9_-]{1,40}$/;
const tiers: ReadonlySet<string> = new Set(['attested', 'unattested', 'any']);

/** Applies defaults without touching the caller's object; throws `TypeError` for bad options. */
export function resolveCostOptions(options: CostOptions = {}): ResolvedCostOptions {
  if (!isObject(options)) throw new TypeError('costDirective: options must be an object');
  const base = resolveBaseOptions(options, 'cost');
  const listSizeName = options.listSizeName ?? 'listSize';
  assertDirectiveName(listSizeName, 'costDirective (listSizeName)');
  if (listSizeName === base.name) throw new TypeError('costDirective: name and listSizeName must differ');
  const defaultListSize = positiveInteger(options.defaultListSize ?? 100, 'defaultListSize');
  const maxCost = positiveInteger(options.maxCost ?? 5000, 'maxCost');
  const maxListSize = positiveInteger(options.maxListSize ?? 1000, 'maxListSize');
  if (options.budgets !== undefined && !isList(options.budgets)) throw new TypeError('costDirective: budgets must be a list');
  const budgets = (options.budgets ?? []).map((budget, index) => checkBudget(budget, index));
  const names = new Set(budgets.map((budget) => budget.name));
  if (names.size !== budgets.length) throw new TypeError('costDirective: budget names must differ');
  if (budgets.length > 0 && (typeof options.store?.charge !== 'function' || typeof options.store.refund !== 'function')) {
    throw new TypeError('costDirective: budgets need a store implementing CostBudgetStore');
  }
  const probe = options.attestation?.probe;
  if (probe !== undefined && !hasMethod(probe, 'attested'))
    throw new TypeError('costDirective: attestation must be the @requiresAttestation directive (its probe)');
  if (probe === undefined && budgets.some((budget) => budget.tier !== 'any')) {
    throw new TypeError('costDirective: attested and unattested budgets need the attestation option (the @requiresAttestation directive)');
  }
  if (options.onLimited !== undefined && typeof options.onLimited !== 'function')
    throw new TypeError('costDirective: onLimited must be a function');
  return {
    ...base,
    listSizeName,
    defaultListSize,
    maxCost,
    maxListSize,
    budgets,
    store: options.store,
    probe,
    onLimited: options.onLimited ?? (() => undefined),
  };
}

function checkBudget(budget: CostBudget, index: number): CostBudget {
  const where = `costDirective: budgets[${index}]`;
  if (!isObject(budget)) throw new TypeError(`${where} must be an object`);
  const { name, tier, by, capacity, restorePerSecond } = budget;
  if (typeof name !== 'string' || !budgetName.test(name)) throw new TypeError(`${where}: name must be 1 to 40 letters, digits, - and _`);
  if (typeof tier !== 'string' || !tiers.has(tier)) throw new TypeError(`${where} (${name}): tier must be attested, unattested or any`);
  if (!isList(by) || by.length === 0 || !by.every((identity) => rateLimitIdentities.includes(identity))) {
    throw new TypeError(`${where} (${name}): by must list identities among ${rateLimitIdentities.join(', ')}`);
  }
  if (by.includes('GLOBAL') && by.length > 1)
    throw new TypeError(`${where} (${name}): by: [GLOBAL] shares one budget by everyone and cannot be combined`);
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > 1e12) {
    throw new TypeError(`${where} (${name}): capacity must be a positive integer`);
  }
  if (typeof restorePerSecond !== 'number' || !(restorePerSecond > 0) || restorePerSecond > 1e12) {
    throw new TypeError(`${where} (${name}): restorePerSecond must be a positive number`);
  }
  return Object.freeze({ name, tier, by: Object.freeze([...new Set(by)]), capacity, restorePerSecond });
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new TypeError(`costDirective: ${name} must be a positive integer`);
  return value;
}
