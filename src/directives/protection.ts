import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { SecurityContext } from '../context/security-context.js';
import type { RampartError } from '../errors.js';

/** A check's answer: `undefined` lets the call through, a {@link RampartError} refuses it. */
export type CheckOutcome = RampartError | undefined;

/**
 * Decides one protection for one field call. Returns synchronously whenever the answer is already
 * known (the credential was verified earlier in the request); returns a promise only when it must
 * wait for a verification or a store. Throwing counts as "cannot decide": the field is refused with
 * `PROTECTION_UNAVAILABLE`.
 */
export type FieldCheck = (
  security: SecurityContext,
  args: Record<string, unknown>,
  info: GraphQLResolveInfo,
) => CheckOutcome | Promise<CheckOutcome>;

/**
 * Starts (or joins) a verification of a request credential so that it has settled before the
 * protected fields run. It must be idempotent within a request (use the request memo), must not
 * consume anything (no rate-limit unit, no single-use token), and must never reject.
 */
export type CredentialPreparer = (security: SecurityContext) => unknown;

/**
 * One protection applied to one object field: what {@link protectFields} attaches for each
 * directive usage that reaches the field.
 */
export interface FieldProtection {
  /** The directive's name as written in the schema, e.g. `requiresApiKey`. */
  readonly directive: string;
  /** Position in the fixed check order (the registry's `rank`, `protection-registry.ts`); lower runs first. */
  readonly rank: number;
  /** Where the directive usage is written: `Query.products`, `type Product`, `interface Node`. */
  readonly origin: string;
  /** Decides a call. */
  readonly check: FieldCheck;
  /** Warms up the credential this check reads, before execution reaches the field. */
  readonly prepare?: CredentialPreparer | undefined;
  /**
   * True when the check's answer is the same for every call of the field within a request: it
   * depends on the request's credentials alone, never on the call's arguments, parent or
   * position, and anything it consumes is consumed once per request (through the request memo).
   * Then one decision serves every call of the field in the request. Never set it for rate
   * limits, which count every call.
   * @default false
   */
  readonly perRequest?: boolean | undefined;
  /**
   * Report-only mode: the check runs and a refusal is reported as `would_refuse`, but the call
   * goes through. For rolling a protection out safely; never the default.
   * @default false
   */
  readonly reportOnly?: boolean | undefined;
  /**
   * The protection meters the operation (a cost budget on every root field) rather than guarding
   * the field: it does not count as protecting a root field for the secure-by-default check.
   * @default false
   */
  readonly meters?: boolean | undefined;
}

/**
 * Which fields a directive only reports on: `true` for every field, or a list of `Type.field`
 * coordinates. A directive option of every factory.
 */
export type ReportOnlySetting = boolean | readonly string[];

/** Whether `coordinate` is in report-only mode under `setting`. */
export function isReportOnly(setting: ReportOnlySetting | undefined, coordinate: string): boolean {
  return setting === true || (Array.isArray(setting) && setting.includes(coordinate));
}

/**
 * A protection directive in graphql-tools' schema-directive shape: its SDL and a
 * `schema => schema` transformer. Built by a factory such as `requiresApiKeyDirective(options)`.
 */
export interface ProtectionDirective {
  /** The directive's name in SDL (without `@`). */
  readonly name: string;
  /** The directive's definition, to include in the schema's type definitions. */
  readonly typeDefs: string;
  /** Returns a schema whose fields annotated with this directive enforce it. */
  readonly transformer: (schema: GraphQLSchema) => GraphQLSchema;
  /** True for a directive that only marks a root field deliberately open (`@public`). */
  readonly marksPublic?: boolean;
}
