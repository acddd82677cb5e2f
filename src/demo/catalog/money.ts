/** ISO 4217 code of every price, balance and gift card in the demo shop. */
export const SHOP_CURRENCY = 'EUR';

/**
 * Integer cents as the schema's decimal amount.
 *
 * @example
 * ```ts
 * centsToAmount(1999); // 19.99
 * ```
 */
export function centsToAmount(cents: number): number {
  return cents / 100;
}
