import { describe, expect, it } from 'vitest';
import { codePointLength } from '../../../src/demo/catalog/text-length.js';

describe('codePointLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 1],
    ['e\u0301', 2],
    ['👍', 1],
    ['👍🏽', 2],
    ['\ud83d', 1],
  ])('counts %j as %i code points', (text, expected) => {
    expect(codePointLength(text)).toBe(expected);
  });
});
