import type { RegisteredDirective } from '../protection-registry.js';
import { assertDirectiveName } from './directive-name.js';
import type { DirectiveUsage } from './find-directive-usages.js';
import { isReportOnly, type FieldProtection, type ReportOnlySetting } from './protection.js';

/** Options every protection directive takes, with the same meaning everywhere. */
export interface BaseDirectiveOptions {
  /**
   * The directive's name in SDL (without `@`), for schemas that already use the default name.
   * @default the directive's registered name (`requiresApiKey`, `auth`, `requiresAttestation`, `rateLimit`, `captcha`)
   */
  readonly name?: string | undefined;
  /**
   * The clock, in milliseconds since the epoch (tests move it).
   * @default Date.now
   */
  readonly clock?: (() => number) | undefined;
  /**
   * Report-only mode, for rolling a protection out: `true` for every field, or a list of
   * `Type.field` coordinates. Refusals are reported to the observer as `would_refuse` and the call
   * goes through. Never the default.
   * @default false
   */
  readonly reportOnly?: ReportOnlySetting | undefined;
  /**
   * Told when a dependency of the check fails (a store, a key set, a captcha provider, a replay
   * cache): the error only, never a credential. The call is refused with `PROTECTION_UNAVAILABLE`
   * either way.
   * @default ignore
   */
  readonly onDependencyError?: ((error: unknown) => void) | undefined;
}

/** {@link BaseDirectiveOptions} with defaults applied. */
export interface ResolvedBaseOptions {
  readonly name: string;
  readonly clock: () => number;
  readonly reportOnly: ReportOnlySetting;
  readonly onDependencyError: (error: unknown) => void;
}

/**
 * Applies the defaults of {@link BaseDirectiveOptions} for the directive registered as `directive`,
 * without touching the caller's object; throws `TypeError` naming the factory for a bad option.
 */
export function resolveBaseOptions(options: BaseDirectiveOptions, directive: RegisteredDirective): ResolvedBaseOptions {
  const factory = `${directive}Directive`;
  const name = options.name ?? directive;
  assertDirectiveName(name, factory);
  const { clock, reportOnly, onDependencyError } = options;
  if (clock !== undefined && typeof clock !== 'function')
    throw new TypeError(`${factory}: clock must be a function returning milliseconds`);
  if (
    reportOnly !== undefined &&
    typeof reportOnly !== 'boolean' &&
    !(Array.isArray(reportOnly) && reportOnly.every((coordinate) => typeof coordinate === 'string'))
  ) {
    throw new TypeError(`${factory}: reportOnly must be true, false or a list of Type.field coordinates`);
  }
  if (onDependencyError !== undefined && typeof onDependencyError !== 'function') {
    throw new TypeError(`${factory}: onDependencyError must be a function`);
  }
  return {
    name,
    clock: clock ?? Date.now,
    reportOnly: reportOnly ?? false,
    onDependencyError: onDependencyError ?? (() => undefined),
  };
}

/**
 * The protection one usage of a directive gives one field (`coordinate` is `Type.field`): the
 * directive's name and report-only setting, the usage's origin, and the check at `rank`.
 */
export function fieldProtection(
  base: ResolvedBaseOptions,
  usage: DirectiveUsage,
  coordinate: string,
  rank: number,
  parts: Pick<FieldProtection, 'check' | 'prepare' | 'perRequest' | 'meters'>,
): FieldProtection {
  return { directive: base.name, rank, origin: usage.origin, reportOnly: isReportOnly(base.reportOnly, coordinate), ...parts };
}
