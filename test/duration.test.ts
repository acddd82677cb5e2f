import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90d', 90 * 86_400_000],
    ['12h', 43_200_000],
    ['1.5m', 90_000],
    [' 30 s ', 30_000],
  ])('reads %j', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each(['', '60000', '-1m', '1e3s', 'Infinity', 'one minute', '1m; DROP', '5 parsecs', `${'9'.repeat(400)}d`])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('reads a bare number as milliseconds only when asked', () => {
    expect(parseDuration('60000')).toBeUndefined();
    expect(parseDuration('60000', { bareMilliseconds: true })).toBe(60_000);
  });
});
