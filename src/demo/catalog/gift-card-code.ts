/** The longest gift card code accepted, in characters. */
const maxCodeLength = 64;

/** A code as typed: ASCII letters, digits and hyphens, with ASCII spaces around it. */
const codePattern = /^[A-Za-z0-9-]+$/;

/**
 * A gift card code in the one form the catalog stores and looks up: trimmed of ASCII spaces and
 * upper-cased, ASCII only. Anything outside that alphabet (a dotless ı, ß, a ligature, full-width
 * letters, a zero-width joiner, a combining mark) is no code at all: `undefined`, refused before
 * any lookup. The rate limit on redemptions counts this same value (`canonicalArguments`), so
 * "3 tries per code" cannot be stretched by spelling one code several ways.
 *
 * @example
 * ```ts
 * canonicalGiftCardCode(' gift-2c4k-lqlf '); // 'GIFT-2C4K-LQLF'
 * canonicalGiftCardCode('gıft-2c4k-lqlf');   // undefined
 * ```
 */
export function canonicalGiftCardCode(code: unknown): string | undefined {
  if (typeof code !== 'string') return undefined;
  const trimmed = code.replace(/^[ \t]+|[ \t]+$/g, '');
  if (trimmed.length === 0 || trimmed.length > maxCodeLength || !codePattern.test(trimmed)) return undefined;
  return trimmed.toUpperCase();
}
