import { describe, expect, it } from 'vitest';

import { placeholders, sqlTimestamp } from '../../../src/demo/catalog/sql.js';

describe('placeholders', () => {
  it.each([
    [1, '?'],
    [3, '?, ?, ?'],
  ])('writes %i placeholders as "%s"', (count, expected) => {
    expect(placeholders(count)).toBe(expected);
  });

  it.each([0, -1, 1.5])('refuses a count of %d, since IN () is not SQL everywhere', (count) => {
    expect(() => placeholders(count)).toThrow(new RangeError(`placeholders: count must be an integer ≥ 1, got ${count}`));
  });
});

describe('sqlTimestamp', () => {
  it('writes ISO 8601 in UTC with milliseconds', () => {
    expect(sqlTimestamp(new Date(Date.UTC(2025, 4, 1, 9, 30, 0, 7)))).toBe('2025-05-01T09:30:00.007Z');
  });
});
