import { hash } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { isPromiseLike } from '../../context/request-memo.js';
import type { ExecutedResult, SecurityContext } from '../../context/security-context.js';
import { OperationRefusedError, ProtectionUnavailableError, RateLimitedError, type RampartError } from '../../errors.js';
import { actualOperationCost } from '../../operation-cost/actual-cost.js';
import type { CostModel } from '../../operation-cost/cost-model.js';
import { ListSizeArgumentError, staticOperationCost, type StaticOperationCost } from '../../operation-cost/static-cost.js';
import type { CostBucketState, CostBudgetDecision, CostCharge } from '../../rate-limit/cost-budget-store.js';
import { preparersForOperation } from '../credential-prewarm.js';
import { notifyListener } from '../notify-listener.js';
import type { CheckOutcome, FieldCheck } from '../protection.js';
import { DerivedNames } from '../derived-names.js';
import { rateLimitIdentityOf } from '../rate-limit-identity.js';
import type { CostBudget, ResolvedCostOptions } from './options.js';

/** The name under which the cost goes into the response's `extensions`. */
export const costExtension = 'cost';

/** A budget's state as `extensions.cost.throttleStatus` reports it (Shopify's shape). */
export interface ThrottleStatus {
  /** The budget's capacity, in points. */
  readonly maximumAvailable: number;
  /** Whole points left. */
  readonly currentlyAvailable: number;
  /** Points restored per second. */
  readonly restoreRate: number;
}

/** `extensions.cost` of a response. */
export interface CostReport {
  /** The operation's estimated cost (field cost plus type cost, rounded up): what was charged. `null` when infinite. */
  readonly requestedQueryCost: number | null;
  /** What the operation cost, from its result; `null` until it was executed, or when it was refused. */
  readonly actualQueryCost: number | null;
  /** The estimate's field cost (the IBM specification's): weighted resolver calls. */
  readonly fieldCost: number | null;
  /** The estimate's type cost: weighted values in the response. */
  readonly typeCost: number | null;
  /** The tightest budget the request drew on, after the charge (and the refund); absent without one. */
  readonly throttleStatus?: ThrottleStatus;
}

type Charged = { readonly budget: CostBudget; readonly charge: CostCharge };

/** One execution's decision, from its estimate to its settlement. */
interface Metered {
  readonly security: SecurityContext;
  readonly info: GraphQLResolveInfo;
  readonly cost: StaticOperationCost;
  /** The estimate, rounded up: what is charged. */
  readonly requested: number;
}

type Decision = CheckOutcome | Promise<CheckOutcome>;

/**
 * The cost protocol, once per execution: the operation's static cost for its variables (cached),
 * the per-operation maximum and the per-list maximum (`GRAPHQL_VALIDATION_FAILED`, before any
 * resolver runs), then the budgets the request draws on (its tier by the attestation probe), all
 * charged together: over budget `RATE_LIMITED` with `retryAfter` and `extensions.cost`; store down
 * `PROTECTION_UNAVAILABLE`. Admitted, the request settles after execution: the actual cost from
 * the result, the difference refunded (or charged), `extensions.cost` set. Synchronous end to
 * end when the store answers synchronously.
 */
export function createCostCheck(options: ResolvedCostOptions, model: CostModel): FieldCheck {
  const { budgets, store, probe, clock, maxCost, maxListSize } = options;
  // Each execution's decision, per request (in the request's memo): its coerced variables are a
  // fresh object each time graphql-js executes, so a batch of operations sharing one security
  // context is charged per operation, and every root field of one execution shares its decision.
  const decisionsKey = {};
  const settleKey = {};
  const needsProbe = budgets.some((budget) => budget.tier !== 'any');
  // Each budget's bucket names, remembered per identity (identities hold no argument value).
  const bucketNames = new Map(budgets.map((budget) => [budget, new DerivedNames((identity) => bucketKey(budget, identity))]));

  const unavailable = (error: unknown): RampartError => {
    notifyListener(options.onDependencyError, error);
    return new ProtectionUnavailableError(undefined, 'cost_budget_store_unavailable');
  };

  const decide = (security: SecurityContext, info: GraphQLResolveInfo): Decision => {
    const { schema, operation, fragments, variableValues } = info;
    let cost: StaticOperationCost;
    try {
      cost = staticOperationCost(model, schema, operation, fragments, variableValues);
    } catch (error) {
      if (error instanceof ListSizeArgumentError) return new OperationRefusedError(error.message, 'bad_slicing_arguments');
      throw error;
    }
    const metered: Metered = { security, info, cost, requested: Math.ceil(cost.fieldCost + cost.typeCost) };
    report(metered, undefined);
    if (!(metered.requested <= maxCost)) return new OperationRefusedError(undefined, 'too_costly');
    if (cost.largestSlice > maxListSize) {
      return new OperationRefusedError('The operation asks for too many items in one list. Ask for fewer.', 'list_too_long');
    }
    // The identity a budget counts under is what the request proves: every credential any field of
    // the operation reads is verified first (a public root field resolved first changes nothing).
    const warming = budgets.length > 0 ? warmCredentials(security, info) : undefined;
    return warming === undefined ? tiered(metered) : warming.then(() => tiered(metered));
  };

  const tiered = (metered: Metered): Decision => {
    if (!needsProbe || probe === undefined) return withTier(metered, undefined);
    let attested: boolean | Promise<boolean>;
    try {
      attested = probe.attested(metered.security);
    } catch {
      attested = false;
    }
    if (!isPromiseLike(attested)) return withTier(metered, attested);
    return Promise.resolve(attested).then(
      (value) => withTier(metered, value),
      () => withTier(metered, false),
    );
  };

  const withTier = (metered: Metered, attested: boolean | undefined): Decision => {
    const { security, requested } = metered;
    const charged: Charged[] = [];
    for (const budget of budgets) {
      if (budget.tier !== 'any' && (budget.tier === 'attested') !== attested) continue;
      const key = (bucketNames.get(budget) as DerivedNames).of(rateLimitIdentityOf(security, budget.by));
      charged.push({ budget, charge: { key, cost: requested, capacity: budget.capacity, restorePerSecond: budget.restorePerSecond } });
    }
    if (charged.length === 0 || store === undefined) {
      security.afterExecution((result) => settle(metered, [], noStates, result));
      return undefined;
    }
    let decision: CostBudgetDecision | Promise<CostBudgetDecision>;
    try {
      decision = store.charge(
        charged.map((entry) => entry.charge),
        clock(),
      );
    } catch (error) {
      return unavailable(error);
    }
    if (!isPromiseLike(decision)) return judged(metered, charged, decision);
    return Promise.resolve(decision).then((settled) => judged(metered, charged, settled), unavailable);
  };

  const judged = (metered: Metered, charged: readonly Charged[], decision: CostBudgetDecision): CheckOutcome => {
    if (!decision.allowed) return refused(metered, charged, decision);
    report(metered, {
      throttleStatus: tightest(
        charged,
        decision.buckets.map((state) => state.remaining),
      ),
    });
    metered.security.afterExecution((result) => settle(metered, charged, decision.buckets, result));
    return undefined;
  };

  const refused = (metered: Metered, charged: readonly Charged[], decision: CostBudgetDecision): RampartError => {
    const { security, info, requested } = metered;
    // The refusing budget that asks the longest wait speaks for the request.
    let index = decision.buckets.findIndex((state) => !state.allowed);
    decision.buckets.forEach((state, at) => {
      if (!state.allowed && state.retryAfterMs > (decision.buckets[index] as CostBucketState).retryAfterMs) index = at;
    });
    const { budget } = charged[index] as Charged;
    const state = decision.buckets[index] as CostBucketState;
    const throttleStatus = statusOf(budget, state.remaining);
    report(metered, { throttleStatus });
    const tooLarge = requested > budget.capacity;
    const error = new RateLimitedError(
      state.retryAfterMs / 1000,
      tooLarge
        ? 'This operation costs more than your cost budget holds. Ask for fewer items; extensions.cost says what it costs and what the budget holds.'
        : 'Your cost budget is spent for now. Retry after the time given in retryAfter (seconds); extensions.cost says what the operation costs and what the budget holds.',
      `${tooLarge ? 'costs_more_than_budget' : 'over_budget'}@${budget.name}`,
      { cost: { requestedQueryCost: requested, throttleStatus } },
    );
    notifyListener(options.onLimited, {
      coordinate: `${info.parentType.name}.${info.fieldName}`,
      clientIp: security.clientIp,
      requestId: security.requestId,
      retryAfterSeconds: error.retryAfter,
      budget: budget.name,
    });
    return error;
  };

  // Synchronous unless the store answers a refund asynchronously.
  const settle = (
    metered: Metered,
    charged: readonly Charged[],
    states: readonly CostBucketState[],
    result: ExecutedResult,
  ): void | Promise<void> => {
    const { security, info, requested } = metered;
    // One settlement per security context: a second operation in the same request keeps its charge.
    if (!security.memo.claim(settleKey)) return undefined;
    const actual = actualOperationCost(model, info.schema, info.operation, info.fragments, info.variableValues, result.data);
    const actualPoints = Math.ceil(actual.fieldCost + actual.typeCost);
    const charges = states.map((state) => state.remaining);
    const refund = Number.isFinite(actualPoints) ? requested - actualPoints : 0;
    if (charged.length === 0 || store === undefined || refund === 0) {
      reportSettled(metered, actualPoints, charged, charges);
      return undefined;
    }
    let remaining: readonly number[] | Promise<readonly number[]>;
    try {
      remaining = store.refund(
        charged.map(({ charge }) => ({
          key: charge.key,
          points: refund,
          capacity: charge.capacity,
          restorePerSecond: charge.restorePerSecond,
        })),
        clock(),
      );
    } catch (error) {
      notifyListener(options.onDependencyError, error); // the estimate stays charged: never less than read
      reportSettled(metered, actualPoints, charged, charges);
      return undefined;
    }
    if (!isPromiseLike(remaining)) {
      reportSettled(metered, actualPoints, charged, remaining);
      return undefined;
    }
    return Promise.resolve(remaining).then(
      (refunded) => reportSettled(metered, actualPoints, charged, refunded),
      (error: unknown) => {
        notifyListener(options.onDependencyError, error); // the estimate stays charged: never less than read
        reportSettled(metered, actualPoints, charged, charges);
      },
    );
  };

  const decideOnce = (security: SecurityContext, info: GraphQLResolveInfo): Decision => {
    try {
      return decide(security, info);
    } catch (error) {
      // Remembered as a rejection, as the request memo does: the next root field does not decide again.
      const rejected = Promise.reject(error);
      rejected.catch(() => undefined);
      return rejected;
    }
  };

  return (security, _args, info) => {
    const decisions = security.memo.get(decisionsKey, newDecisions, undefined) as Map<object, Decision>;
    const execution = info.variableValues;
    if (decisions.has(execution)) return decisions.get(execution);
    const decision = decideOnce(security, info);
    decisions.set(execution, decision);
    if (decision instanceof Promise) {
      // Once settled, later root fields of the execution get the answer synchronously.
      decision.then(
        (settled) => decisions.get(execution) === decision && decisions.set(execution, settled),
        () => undefined,
      );
    }
    return decision;
  };
}

const noStates: readonly CostBucketState[] = Object.freeze([]);

function newDecisions(): Map<object, Decision> {
  return new Map();
}

/** `extensions.cost` before execution: the estimate, and the tightest budget after the charge. */
function report(metered: Metered, extra: Pick<CostReport, 'throttleStatus'> | undefined): void {
  const { security, cost, requested } = metered;
  security.setResponseExtension(costExtension, {
    requestedQueryCost: finite(requested),
    actualQueryCost: null,
    fieldCost: finite(cost.fieldCost),
    typeCost: finite(cost.typeCost),
    ...extra,
  } satisfies CostReport);
}

/** `extensions.cost` after execution: the estimate, the actual cost, the tightest budget after the refund. */
function reportSettled(metered: Metered, actualPoints: number, charged: readonly Charged[], remaining: readonly number[]): void {
  const { security, cost, requested } = metered;
  security.setResponseExtension(costExtension, {
    requestedQueryCost: finite(requested),
    actualQueryCost: finite(actualPoints),
    fieldCost: finite(cost.fieldCost),
    typeCost: finite(cost.typeCost),
    ...(charged.length > 0 ? { throttleStatus: tightest(charged, remaining) } : {}),
  } satisfies CostReport);
}

/** Starts (or joins) the verification of every credential the operation's fields read; `undefined` when all have settled. */
function warmCredentials(security: SecurityContext, info: GraphQLResolveInfo): Promise<unknown> | undefined {
  let pending: PromiseLike<unknown>[] | undefined;
  for (const prepare of preparersForOperation(info)) {
    let started: unknown;
    try {
      started = prepare(security);
    } catch {
      continue; // the field's own check meets the same failure and refuses
    }
    if (isPromiseLike(started)) (pending ??= []).push(started);
  }
  return pending === undefined ? undefined : Promise.allSettled(pending);
}

/** The store key of a budget's bucket for an identity (hashed: an identity may hold an address). */
function bucketKey(budget: CostBudget, identity: string): string {
  return `${budget.name}:${hash('sha256', identity, 'base64url')}`;
}

function statusOf(budget: CostBudget, remaining: number): ThrottleStatus {
  return { maximumAvailable: budget.capacity, currentlyAvailable: remaining, restoreRate: budget.restorePerSecond };
}

/** The budget with the fewest points left, as the throttle status to report. */
function tightest(charged: readonly Charged[], remaining: readonly number[]): ThrottleStatus {
  let index = 0;
  remaining.forEach((left, at) => {
    if (left < (remaining[index] as number)) index = at;
  });
  return statusOf((charged[index] as Charged).budget, remaining[index] ?? 0);
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
