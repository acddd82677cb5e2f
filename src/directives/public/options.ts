import { assertDirectiveName } from '../directive-name.js';

/** Options of {@link publicDirective}. */
export interface PublicDirectiveOptions {
  /**
   * The directive's name in SDL.
   * @default 'public'
   */
  readonly name?: string | undefined;
}

/** Applies defaults without touching the caller's object; throws `TypeError` for a bad name. */
export function resolvePublicOptions(options: PublicDirectiveOptions): { readonly name: string } {
  const name = options.name ?? 'public';
  assertDirectiveName(name, 'publicDirective');
  return { name };
}
