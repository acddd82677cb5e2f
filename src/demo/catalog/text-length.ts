/**
 * How many characters `text` holds, counted in Unicode code points: what the catalog's length
 * limits count (an emoji is one, where `text.length` counts UTF-16 units and says two). A combining
 * mark counts on its own, so that a limit bounds what is stored, however it is displayed.
 *
 * @example
 * ```ts
 * codePointLength('é👍'); // 2
 * ```
 */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _codePoint of text) length++;
  return length;
}
