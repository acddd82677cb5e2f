import { afterAll, describe, expect, it } from 'vitest';

import { DEFAULT_SCRYPT_COST, verifyPassword } from '../../../../src/demo/catalog/password.js';
import { catalogBackends, releaseCatalogs } from '../backends.js';
import { createCatalogHarness, errorsOf, useCatalogHarness } from '../harness.js';
import type { CatalogHarness } from '../harness.js';

const SIGN_UP = `mutation ($email: String!, $password: String!) {
  signUp(email: $email, password: $password) { id email displayName createdAt }
}`;

const SCRYPT_HASH = /^scrypt\$16384\$8\$5\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

interface SignedUp {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
}

async function storedHash(harness: CatalogHarness, id: string): Promise<string> {
  const row = await harness.db.get<{ h: string }>('SELECT password_hash AS h FROM users WHERE id = ?', id);
  return row?.h ?? '';
}

afterAll(releaseCatalogs);

describe.each(catalogBackends)('the users on $name', (backend) => {
  describe('signUp(email, password)', () => {
    const harness = useCatalogHarness(backend);

    it('creates an account with the email in lower case and a display name owing nothing to it', async () => {
      const result = await harness.run(SIGN_UP, {
        email: '  Ada.Lovelace@Example.COM ',
        password: 'analytical engine',
      });
      const user = (result.data as { signUp: SignedUp }).signUp;

      expect(result.errors).toBeUndefined();
      expect(user.email).toBe('ada.lovelace@example.com');
      expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(user.displayName).toMatch(/^Shopper [A-Z2-9]{5}$/);
      expect(Number.isNaN(Date.parse(user.createdAt))).toBe(false);
    });

    it('stores a scrypt hash of the password at the default cost, never the password', async () => {
      const production = await createCatalogHarness(backend, DEFAULT_SCRYPT_COST);
      const password = 'tr0ub4dor & 3';
      const { userId } = await production.signUp('first@example.com', password);
      const hash = await storedHash(production, userId);

      expect(hash).toMatch(SCRYPT_HASH);
      expect(hash).not.toContain(password);
      expect(await verifyPassword(password, hash)).toBe(true);
    });

    it('salts every hash: one password, two accounts, two hashes', async () => {
      const password = 'tr0ub4dor & 3';
      const first = await harness.signUp('first@example.com', password);
      const second = await harness.signUp('second@example.com', password);
      const hash = await storedHash(harness, first.userId);

      expect(await storedHash(harness, second.userId)).not.toBe(hash);
      expect(await verifyPassword(password, hash)).toBe(true);
      expect(await verifyPassword('tr0ub4dor & 4', hash)).toBe(false);
    });

    it('refuses a duplicate email, in any case, without saying the account exists', async () => {
      await harness.signUp('grace@example.com');
      const duplicate = await harness.run(SIGN_UP, {
        email: 'GRACE@example.com',
        password: 'a different password',
      });
      const count = await harness.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE email = 'grace@example.com'");

      expect(duplicate.data).toEqual({ signUp: null });
      expect(errorsOf(duplicate)).toEqual([{ code: 'BAD_USER_INPUT', message: 'Could not create the account.', path: ['signUp'] }]);
      expect(count?.n).toBe(1);
    });

    it('never exposes the password hash: no User field carries it and no answer contains it', async () => {
      const { userId } = await harness.signUp('hopper@example.com');
      const hash = await storedHash(harness, userId);
      const fields = await harness.run('{ __type(name: "User") { fields { name } } }');
      const me = await harness.run('{ me { id email displayName createdAt } }', {}, { userId });

      expect(fields).toEqual({
        data: {
          __type: {
            fields: [{ name: 'id' }, { name: 'email' }, { name: 'displayName' }, { name: 'createdAt' }],
          },
        },
      });
      expect(JSON.stringify(me)).not.toContain(hash.split('$')[5]);
      expect(JSON.stringify(me)).not.toContain('scrypt');
    });

    it.each([
      ['7 characters', 'x'.repeat(7)],
      ['257 characters', 'x'.repeat(257)],
      ['an empty password', ''],
    ])('refuses a password of %s', async (_case, password) => {
      const result = await harness.run(SIGN_UP, { email: 'short@example.com', password });

      expect(errorsOf(result)).toEqual([
        {
          code: 'BAD_USER_INPUT',
          message: 'Choose a password of 8 to 256 characters.',
          path: ['signUp'],
        },
      ]);
    });

    it.each([
      ['8 characters', 'x'.repeat(8)],
      ['256 characters', 'x'.repeat(256)],
      ['8 emoji (16 UTF-16 units)', '🔑'.repeat(8)],
    ])('accepts a password of %s', async (_case, password) => {
      const email = `bound-${password.length}-${password.codePointAt(0)}@example.com`;
      const result = await harness.run(SIGN_UP, { email, password });

      expect(result.errors).toBeUndefined();
    });

    it.each(['not-an-email', 'a@b', '@example.com', 'a b@example.com', `${'a'.repeat(250)}@x.com`])(
      'refuses the email "%s"',
      async (email) => {
        const result = await harness.run(SIGN_UP, { email, password: 'long enough' });

        expect(errorsOf(result)).toEqual([{ code: 'BAD_USER_INPUT', message: 'Enter a valid email address.', path: ['signUp'] }]);
      },
    );
  });

  describe('me', () => {
    const harness = useCatalogHarness(backend);

    it('is null, without error, when no user is signed in', async () => {
      expect(await harness.run('{ me { id } }')).toEqual({ data: { me: null } });
    });

    it('is the signed-in user', async () => {
      const viewer = await harness.signUp('lin@example.com');

      expect(await harness.run('{ me { id email } }', {}, viewer)).toEqual({
        data: { me: { id: viewer.userId, email: 'lin@example.com' } },
      });
    });

    it('is null for a token whose user has no account', async () => {
      expect(await harness.run('{ me { id } }', {}, { userId: 'nobody' })).toEqual({
        data: { me: null },
      });
    });
  });
});
