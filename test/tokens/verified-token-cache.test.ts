import { describe, expect, it } from 'vitest';
import { tokenDigest, VerifiedTokenCache } from '../../src/tokens/verified-token-cache.js';

describe('tokenDigest', () => {
  it('names a token by the base64url SHA-256 of its text, as every instance sharing a replay cache names it', () => {
    expect(tokenDigest('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe('nOIdBtmI1Td_AawBAzAF4IgB6QHERpJmr_dHdYOljQc');
  });
});

describe('VerifiedTokenCache', () => {
  it('answers a cached token until its exp, then forgets it', () => {
    let now = 0;
    const cache = new VerifiedTokenCache<string>({ clock: () => now, maxAgeMs: 60_000 });
    cache.set('token', 'claims', 10_000);
    expect(cache.get('token')).toBe('claims');
    now = 10_000;
    expect(cache.get('token')).toBeUndefined();
  });

  it('never keeps a token longer than maxAgeMs', () => {
    let now = 0;
    const cache = new VerifiedTokenCache<string>({ clock: () => now, maxAgeMs: 1000 });
    cache.set('token', 'claims', 3_600_000);
    now = 1000;
    expect(cache.get('token')).toBeUndefined();
  });

  it('does not store an already expired token', () => {
    const cache = new VerifiedTokenCache<string>({ clock: () => 5000 });
    cache.set('token', 'claims', 5000);
    expect(cache.stats.size).toBe(0);
  });

  it('is bounded, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache<number>({ maxEntries: 2, clock: () => 0 });
    cache.set('a', 1, 10_000);
    cache.set('b', 2, 10_000);
    cache.get('a');
    cache.set('c', 3, 10_000);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  it('counts hits and misses', () => {
    const cache = new VerifiedTokenCache<number>({ clock: () => 0 });
    cache.get('x');
    cache.set('x', 1, 10_000);
    cache.get('x');
    expect(cache.stats).toEqual({ hits: 1, misses: 1, size: 1 });
  });

  it('names tokens by a SHA-256 digest, never by the token', () => {
    expect(tokenDigest('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});
