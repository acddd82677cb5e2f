import { describe, expect, it } from 'vitest';
import { compileProxyTrust, normaliseAddress, resolveClientIp } from '../../src/context/client-ip.js';

describe('normaliseAddress', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    [' 203.0.113.9 ', '203.0.113.9'],
    ['203.0.113.9:4711', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['[2001:DB8::1]', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('reads %j as %j', (raw, expected) => {
    expect(normaliseAddress(raw)).toBe(expected);
  });

  it.each([[''], ['unknown'], ['1.2.3'], ['999.1.1.1'], ['[::1'], ['<script>'], ['1'.repeat(100)]])('rejects %j', (raw) => {
    expect(normaliseAddress(raw)).toBeUndefined();
  });
});

describe('compileProxyTrust', () => {
  it('matches addresses, CIDR ranges and presets', () => {
    const trust = compileProxyTrust(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7', 'loopback']);
    expect(trust.trusts('10.1.2.3')).toBe(true);
    expect(trust.trusts('2001:db8:1::5')).toBe(true);
    expect(trust.trusts('192.0.2.7')).toBe(true);
    expect(trust.trusts('127.0.0.1')).toBe(true);
    expect(trust.trusts('::1')).toBe(true);
    expect(trust.trusts('192.0.2.8')).toBe(false);
    expect(trust.trusts('11.0.0.1')).toBe(false);
    expect(trust.trusts('not-an-ip')).toBe(false);
  });

  it.each([['10.0.0.0/33'], ['10.0.0.0/'], ['10.0.0.0/8x'], ['proxy.internal'], ['::/129'], ['']])(
    'throws a TypeError for the entry %j',
    (entry) => {
      expect(() => compileProxyTrust([entry])).toThrow(TypeError);
    },
  );

  it('trusts nobody when the list is empty', () => {
    const trust = compileProxyTrust([]);
    expect(trust.none).toBe(true);
    expect(trust.trusts('127.0.0.1')).toBe(false);
  });
});

describe('resolveClientIp', () => {
  const proxies = compileProxyTrust(['10.0.0.0/8']);

  it('uses the socket address when no proxy is trusted, ignoring X-Forwarded-For', () => {
    expect(resolveClientIp('198.51.100.4', ['6.6.6.6'], compileProxyTrust([]))).toBe('198.51.100.4');
  });

  it('ignores X-Forwarded-For sent by an untrusted peer', () => {
    expect(resolveClientIp('198.51.100.4', ['6.6.6.6'], proxies)).toBe('198.51.100.4');
  });

  it('takes the hop the trusted proxy appended, not what the client claimed before it', () => {
    expect(resolveClientIp('10.0.0.2', ['6.6.6.6, 203.0.113.9'], proxies)).toBe('203.0.113.9');
  });

  it('walks through several trusted proxies from the right', () => {
    expect(resolveClientIp('10.0.0.2', ['6.6.6.6, 203.0.113.9, 10.0.0.7, 10.0.0.3'], proxies)).toBe('203.0.113.9');
  });

  it('reads repeated X-Forwarded-For headers in the order received', () => {
    expect(resolveClientIp('10.0.0.2', ['6.6.6.6', '203.0.113.9', '10.0.0.3'], proxies)).toBe('203.0.113.9');
  });

  it('stops at an entry that is not an address, keeping the last hop it could vouch for', () => {
    expect(resolveClientIp('10.0.0.2', ['garbage, 10.0.0.9'], proxies)).toBe('10.0.0.9');
  });

  it('answers the leftmost address when every hop is a trusted proxy', () => {
    expect(resolveClientIp('10.0.0.2', ['10.0.0.5, 10.0.0.4'], proxies)).toBe('10.0.0.5');
  });

  it('normalises IPv4-mapped socket addresses', () => {
    expect(resolveClientIp('::ffff:198.51.100.4', [], proxies)).toBe('198.51.100.4');
  });

  it('says unknown when the socket address is missing or garbage', () => {
    expect(resolveClientIp(undefined, [], proxies)).toBe('unknown');
    expect(resolveClientIp('nonsense', [], proxies)).toBe('unknown');
  });

  it('reads only the rightmost hops of an oversized header', () => {
    const flood = `${'6.6.6.6, '.repeat(100_000)}203.0.113.9`;
    expect(resolveClientIp('10.0.0.2', [flood], proxies)).toBe('203.0.113.9');
  });

  it('does not walk more than 32 trusted hops', () => {
    const chain = ['203.0.113.9', ...Array.from({ length: 40 }, (_, i) => `10.0.1.${i}`)].join(',');
    expect(resolveClientIp('10.0.0.2', [chain], proxies)).toBe('10.0.1.8');
  });
});
