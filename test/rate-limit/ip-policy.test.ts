import { describe, expect, it } from 'vitest';
import { type BanStore, createIpPolicy, createUserAgentPolicy, MemoryBanStore } from '../../src/index.js';

describe('createIpPolicy', () => {
  it('refuses denied addresses and ranges, IPv4 and IPv6', () => {
    const policy = createIpPolicy({ deny: ['203.0.113.0/24', '2001:db8:bad::/48'], bans: false });
    expect(policy.decide('203.0.113.77')).toEqual({ allowed: false, reason: 'denied' });
    expect(policy.decide('2001:db8:bad:1::5')).toEqual({ allowed: false, reason: 'denied' });
    expect(policy.decide('198.51.100.1')).toEqual({ allowed: true });
  });

  it('with an allow list, refuses everyone else', () => {
    const policy = createIpPolicy({ allow: ['10.0.0.0/8', 'loopback'], bans: false });
    expect(policy.decide('10.1.2.3')).toEqual({ allowed: true });
    expect(policy.decide('127.0.0.1')).toEqual({ allowed: true });
    expect(policy.decide('198.51.100.1')).toEqual({ allowed: false, reason: 'not_allowed' });
  });

  it('bans an address after repeated violations, for escalating durations', async () => {
    let now = 0;
    const policy = createIpPolicy({ bans: { violations: 3, withinMs: 60_000, durationsMs: [60_000, 600_000] }, clock: () => now });
    for (let i = 0; i < 2; i++) await policy.recordViolation('198.51.100.5');
    expect(await policy.decide('198.51.100.5')).toEqual({ allowed: true });
    await policy.recordViolation('198.51.100.5');
    expect(await policy.decide('198.51.100.5')).toEqual({ allowed: false, reason: 'banned', retryAfterSeconds: 60 });
    expect(await policy.decide('198.51.100.6')).toEqual({ allowed: true });
    now += 60_000;
    expect(await policy.decide('198.51.100.5')).toEqual({ allowed: true });
    for (let i = 0; i < 3; i++) await policy.recordViolation('198.51.100.5');
    expect(await policy.decide('198.51.100.5')).toEqual({ allowed: false, reason: 'banned', retryAfterSeconds: 600 });
  });

  it('bans an IPv6 /64 as one', async () => {
    const policy = createIpPolicy({ bans: { violations: 1 } });
    await policy.recordViolation('2001:db8:1:2::1');
    expect((await policy.decide('2001:db8:1:2:abcd::7')).allowed).toBe(false);
    expect((await policy.decide('2001:db8:1:3::1')).allowed).toBe(true);
  });

  it('rejects (the request is refused) when the ban store cannot answer', async () => {
    const down: BanStore = {
      bannedUntil: () => Promise.reject(new Error('redis down')),
      ban: () => Promise.reject(new Error('redis down')),
    };
    const policy = createIpPolicy({ bans: { store: down } });
    await expect(policy.decide('198.51.100.1')).rejects.toThrow('redis down');
  });

  it('throws a TypeError for a bad range or ban setting', () => {
    expect(() => createIpPolicy({ deny: ['300.0.0.0/8'] })).toThrow(TypeError);
    expect(() => createIpPolicy({ bans: { violations: 0 } })).toThrow(TypeError);
  });

  it('forgets the oldest bans first once its store is full', () => {
    const store = new MemoryBanStore({ maxEntries: 1 });
    store.ban('a', 0, [1000], 10_000);
    store.ban('b', 0, [1000], 10_000);
    expect([store.bannedUntil('a', 1), store.bannedUntil('b', 1)]).toEqual([0, 1000]);
  });
});

describe('createUserAgentPolicy', () => {
  const policy = createUserAgentPolicy({ deny: ['python-requests', /^curl\//i], requireUserAgent: true });
  it.each([
    ['python-requests/2.31', false],
    ['Python-Requests/2.31', false],
    ['curl/8.5.0', false],
    ['okhttp/4.12.0', true],
    [undefined, false],
    ['', false],
  ])('decides %j: %s', (userAgent, expected) => {
    expect(policy.decide(userAgent)).toBe(expected);
  });
});
