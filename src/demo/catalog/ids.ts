const ROW_ID = /^[1-9][0-9]{0,14}$/;

/**
 * The integer row id an `ID` argument names, or undefined when it cannot name a row (empty,
 * signed, fractional, padded, too long). Such an id simply matches nothing.
 *
 * @example
 * ```ts
 * parseRowId('42'); // 42
 * parseRowId('042'); // undefined
 * ```
 */
export function parseRowId(id: string): number | undefined {
  return ROW_ID.test(id) ? Number(id) : undefined;
}
