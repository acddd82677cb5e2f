import ms from 'ms';

/**
 * A duration written as `ms` writes it ("90d", "12h", "1.5m"), in milliseconds; `undefined` for
 * anything else (ms itself would also read words, negative numbers and bare numbers). With
 * `bareMilliseconds`, a bare number ("60000") is read as milliseconds too.
 */
export function parseDuration(text: string, options: { readonly bareMilliseconds?: boolean } = {}): number | undefined {
  const trimmed = text.trim();
  const pattern = options.bareMilliseconds ? /^\d+(\.\d+)?\s*[a-z]*$/i : /^\d+(\.\d+)?\s*[a-z]+$/i;
  if (!pattern.test(trimmed)) return undefined;
  const value = ms(trimmed as ms.StringValue);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
