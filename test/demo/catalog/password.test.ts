import { describe, expect, it } from 'vitest';

import { hashPassword, verifyPassword } from '../../../src/demo/catalog/password.js';
import { TEST_PASSWORD_COST } from './harness.js';

describe('hashPassword / verifyPassword', () => {
  it('hashes at the default cost unless told otherwise', async () => {
    const hash = await hashPassword('same password');

    expect(hash.split('$').slice(0, 4)).toEqual(['scrypt', '16384', '8', '5']);
  });

  it('hashes with a fresh salt each time and verifies only the same password', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same password', TEST_PASSWORD_COST),
      hashPassword('same password', TEST_PASSWORD_COST),
    ]);

    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
    expect(await verifyPassword('Same password', a)).toBe(false);
  });

  describe('never matches a malformed stored hash', async () => {
    const good = await hashPassword('hunter2hunter2', TEST_PASSWORD_COST);
    const [, , , , salt, hash] = good.split('$');

    it.each([
      ['an empty string', ''],
      ['another scheme', good.replace('scrypt', 'bcrypt')],
      ['a missing part', good.split('$').slice(0, 5).join('$')],
      ['an extra part', `${good}$x`],
      ['N not a power of two', `scrypt$1023$8$1$${salt}$${hash}`],
      ['N too large', `scrypt$2097152$8$1$${salt}$${hash}`],
      ['r too large', `scrypt$1024$64$1$${salt}$${hash}`],
      ['p zero', `scrypt$1024$8$0$${salt}$${hash}`],
      ['a non-numeric parameter', `scrypt$1024$8$one$${salt}$${hash}`],
      ['a short salt', `scrypt$1024$8$1$AAAA$${hash}`],
      ['a short hash', `scrypt$1024$8$1$${salt}$AAAA`],
      ['a changed salt', `scrypt$1024$8$1$${'A'.repeat(22)}$${hash}`],
    ])('%s', async (_case, stored) => {
      expect(await verifyPassword('hunter2hunter2', stored)).toBe(false);
    });
  });
});
