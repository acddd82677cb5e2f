import { describe, expect, it } from 'vitest';
import { apiKeyPattern } from '../../src/index.js';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../src/api-keys/api-key-format.js';
import { apiKeyMatchesHash, parseApiKeyId } from '../../src/api-keys/api-key-format.js';

describe('generateApiKey', () => {
  it('makes a prefixed key with a 64-bit id and a 256-bit secret that scanners can match', () => {
    const { key, id, hash } = generateApiKey();
    expect(key.startsWith(apiKeyPrefix)).toBe(true);
    expect(key).toMatch(apiKeyPattern);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(key.slice(-43), 'base64url')).toHaveLength(32);
    expect(hash).toBe(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });
});

describe('parseApiKeyId', () => {
  const { key, id } = generateApiKey();

  it('reads the id of a well-formed key', () => {
    expect(parseApiKeyId(key)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['another prefix', key.replace('rampart_', 'rampert_')],
    ['truncated', key.slice(0, -1)],
    ['one character too many', `${key}A`],
    ['upper-case id', key.replace(id, id.toUpperCase())],
    ['non-ASCII', `${key.slice(0, -1)}é`],
    ['10 KB', 'a'.repeat(10_240)],
    ['newline inside', `${key.slice(0, 30)}\n${key.slice(31)}`],
  ])('refuses a key that is %s', (_name, text) => {
    expect(parseApiKeyId(text)).toBeUndefined();
  });
});

describe('apiKeyMatchesHash', () => {
  const { key, hash } = generateApiKey();
  it('accepts the key its hash was made from', () => {
    expect(apiKeyMatchesHash(key, hash)).toBe(true);
  });
  it('refuses another key and a corrupt stored hash', () => {
    expect(apiKeyMatchesHash(generateApiKey().key, hash)).toBe(false);
    expect(apiKeyMatchesHash(key, 'zz')).toBe(false);
    expect(apiKeyMatchesHash(key, hash.toUpperCase())).toBe(false);
    expect(apiKeyMatchesHash(key, `${hash.slice(0, 63)}${hash[63] === '0' ? '1' : '0'}`)).toBe(false);
  });

  it('verifies a key against the hash stored for it before (the lower-case hex SHA-256 of its text)', () => {
    const stored = '485b01173097ce2c3b50fc3b08d4cc93cf9cb67d55eb4fa33e1c498203a03ea9';
    const issued = `rampart_0123456789abcdef_${'A'.repeat(43)}`;
    expect(hashApiKey(issued)).toBe(stored);
    expect(apiKeyMatchesHash(issued, stored)).toBe(true);
  });
});
