import { randomInt, randomUUID } from 'node:crypto';

import type { CatalogDatabase, CatalogExecutor } from '../database.js';
import { badUserInput } from '../errors.js';
import type { UserRow } from '../models.js';
import { hashPassword } from '../password.js';
import { placeholders, sqlTimestamp } from '../sql.js';
import { codePointLength } from '../text-length.js';

/** The shortest password `signUp` accepts, in characters. */
export const MIN_PASSWORD_LENGTH = 8;

/** The longest password `signUp` accepts, in characters. */
export const MAX_PASSWORD_LENGTH = 256;

/** The message of every refusal that could otherwise tell whether an account exists. */
export const SIGN_UP_REFUSED = 'Could not create the account.';

const MAX_EMAIL_LENGTH = 254;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const NAME_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const COLUMNS = `id, email, display_name AS "displayName", balance_cents AS "balanceCents",
  created_at AS "createdAt"`;

/**
 * Creates an account: the email in lower case, the password as a salted scrypt hash, a random
 * id and a display name that owes nothing to the email. One statement after hashing. The hash is
 * computed before the duplicate check, so that both outcomes take as long.
 *
 * @throws GraphQLError `BAD_USER_INPUT`: a malformed email or a password outside 8..256
 * characters say so; anything else, an existing account included, is {@link SIGN_UP_REFUSED}.
 *
 * @example
 * ```ts
 * const user = await createUser(db, 'Ada@Example.com', 'correct horse battery');
 * user.email; // 'ada@example.com'
 * ```
 */
export async function createUser(db: CatalogDatabase, email: string, password: string): Promise<UserRow> {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > MAX_EMAIL_LENGTH || !EMAIL.test(normalized)) {
    throw badUserInput('Enter a valid email address.');
  }
  const length = codePointLength(password);
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw badUserInput(`Choose a password of ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`);
  }
  const passwordHash = await hashPassword(password, db.passwordCost);
  const row = await db.get<UserRow>(
    `INSERT INTO users (id, email, password_hash, display_name, created_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (email) DO NOTHING
     RETURNING ${COLUMNS}`,
    randomUUID(),
    normalized,
    passwordHash,
    randomDisplayName(),
    sqlTimestamp(),
  );
  if (row === undefined) throw badUserInput(SIGN_UP_REFUSED);
  return row;
}

/**
 * The users among `ids` that exist, in no particular order. One statement (none for no id).
 *
 * @example
 * ```ts
 * await findUsersByIds(db, [userId]); // [UserRow] or []
 * ```
 */
export async function findUsersByIds(db: CatalogExecutor, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.all<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id IN (${placeholders(ids.length)})`, ...ids);
}

function randomDisplayName(): string {
  let suffix = '';
  for (let n = 0; n < 5; n += 1) suffix += NAME_ALPHABET.charAt(randomInt(NAME_ALPHABET.length));
  return `Shopper ${suffix}`;
}
