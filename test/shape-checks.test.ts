import { describe, expect, it } from 'vitest';
import { hasMethod, isList, isObject } from '../src/shape-checks.js';

// What a plain-JavaScript caller may hand a factory in place of an options object, a store or a client.
const notObjects: ReadonlyArray<readonly [string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'store'],
  ['a number', 42],
  ['a boolean', true],
  ['a symbol', Symbol('store')],
];

describe('isObject', () => {
  it.each(notObjects)('refuses %s', (_shown, value) => {
    expect(isObject(value)).toBe(false);
  });

  it.each([
    ['a plain object', {}],
    ['an array', []],
    ['a class instance', new Map()],
  ])('accepts %s', (_shown, value) => {
    expect(isObject(value)).toBe(true);
  });

  it('refuses a function (not an options object)', () => {
    expect(isObject(() => undefined)).toBe(false);
  });
});

describe('hasMethod', () => {
  it.each(notObjects)('refuses %s', (_shown, value) => {
    expect(hasMethod(value, 'consume')).toBe(false);
  });

  it.each([
    ['the member missing', {}],
    ['the member null', { consume: null }],
    ['the member a string', { consume: 'consume' }],
    ['the member an object', { consume: {} }],
  ])('refuses an object with %s', (_shown, value) => {
    expect(hasMethod(value, 'consume')).toBe(false);
  });

  it('accepts an object whose member is a function, own or inherited', () => {
    class Store {
      consume(): boolean {
        return true;
      }
    }
    expect(hasMethod({ consume: () => true }, 'consume')).toBe(true);
    expect(hasMethod(new Store(), 'consume')).toBe(true);
  });

  it('accepts a function carrying the method', () => {
    expect(
      hasMethod(
        Object.assign(() => undefined, { consume: () => true }),
        'consume',
      ),
    ).toBe(true);
  });
});

describe('isList', () => {
  it.each([...notObjects, ['an object', {}], ['an array-like object', { length: 1, 0: 'a' }], ['a set', new Set(['a'])]] as const)(
    'refuses %s',
    (_shown, value) => {
      expect(isList(value)).toBe(false);
    },
  );

  it('accepts an array, empty or not', () => {
    expect(isList([])).toBe(true);
    expect(isList(['a'])).toBe(true);
  });
});
