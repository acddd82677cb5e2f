import { describe, expect, it } from 'vitest';
import { DerivedNames } from '../../src/directives/derived-names.js';

describe('DerivedNames', () => {
  it('answers what the derivation answers, deriving each identity once', () => {
    const derived: string[] = [];
    const names = new DerivedNames((identity) => {
      derived.push(identity);
      return `name:${identity}`;
    });
    expect([names.of('ip:192.0.2.1'), names.of('key:a'), names.of('ip:192.0.2.1')]).toEqual([
      'name:ip:192.0.2.1',
      'name:key:a',
      'name:ip:192.0.2.1',
    ]);
    expect(derived).toEqual(['ip:192.0.2.1', 'key:a']);
  });

  it('holds at most max names: once full it starts afresh and derives again', () => {
    const derived: string[] = [];
    const names = new DerivedNames((identity) => {
      derived.push(identity);
      return identity.toUpperCase();
    }, 2);
    for (const identity of ['a', 'b', 'c', 'a']) expect(names.of(identity)).toBe(identity.toUpperCase());
    expect(derived).toEqual(['a', 'b', 'c', 'a']);
  });
});
