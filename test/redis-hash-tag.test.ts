import { describe, expect, it } from 'vitest';
import { checkHashTaggedPrefix, hashTagged } from '../src/redis-hash-tag.js';

/**
 * What a Redis Cluster hashes of a key name (cluster.c keyHashSlot): the text between the first
 * `{` and the first `}` after it when that is not empty, else the whole name.
 */
function hashedPart(name: string): string {
  const open = name.indexOf('{');
  if (open === -1) return name;
  const close = name.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return name;
  return name.slice(open + 1, close);
}

const ids = [
  'Query.products:abc',
  '198.51.100.7',
  '2001:db8:0:1::/64',
  '',
  '}',
  '}x',
  '}}',
  '{',
  '{}',
  '{x}',
  'a}b',
  'a{b',
  '\\',
  '\\}x',
  '\\\\}x',
  ' ',
  'é',
];

describe('hashTagged', () => {
  it('leaves an ordinary id as the tag: prefix{id}', () => {
    expect(hashTagged('rampart:rl:', 'Query.products:abc')).toBe('rampart:rl:{Query.products:abc}');
  });

  it.each(ids.map((id) => [JSON.stringify(id), id]))(
    'puts every key of the record %s in one slot, by a tag that is not empty',
    (_shown, id) => {
      const start = hashTagged('rampart:rl:', id);
      const [log, sum] = [hashedPart(`${start}:log`), hashedPart(`${start}:sum`)];
      expect(log).toBe(sum);
      expect(log).not.toBe(`${start}:log`);
    },
  );

  it('keeps distinct ids distinct, escaped or not', () => {
    expect(new Set(ids.map((id) => hashTagged('p:', id))).size).toBe(ids.length);
  });

  it('escapes only ids whose tag would be empty, and ids starting with the escape', () => {
    expect(hashTagged('p:', '')).toBe('p:{\\}');
    expect(hashTagged('p:', '}x')).toBe('p:{\\}x}');
    expect(hashTagged('p:', '\\x')).toBe('p:{\\\\x}');
    expect(hashTagged('p:', 'a}b')).toBe('p:{a}b}');
  });
});

describe('checkHashTaggedPrefix', () => {
  it.each(['{app}:', 'a{', '}', 'x{}'])('refuses the prefix %s, whose braces would take the place of the tag', (prefix) => {
    expect(() => checkHashTaggedPrefix('SomeStore', prefix)).toThrow(
      "SomeStore: prefix must be a string without { or } (the store sets each key's hash tag itself)",
    );
  });

  it('refuses a prefix that is not a string', () => {
    expect(() => checkHashTaggedPrefix('SomeStore', 42)).toThrow(TypeError);
  });

  it('accepts a prefix without braces, as is', () => {
    expect(checkHashTaggedPrefix('SomeStore', 'rampart:rl:')).toBe('rampart:rl:');
    expect(checkHashTaggedPrefix('SomeStore', '')).toBe('');
  });
});
