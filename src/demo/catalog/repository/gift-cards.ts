import type { CatalogDatabase } from '../database.js';
import { badUserInput } from '../errors.js';
import type { GiftCardRedemptionModel } from '../models.js';

/**
 * The one message for every code that cannot be redeemed, unknown or already used alike, so that
 * the answer is no oracle for guessing codes.
 */
export const GIFT_CARD_REFUSED = 'This gift card code cannot be redeemed.';

const MAX_CODE_LENGTH = 64;

/**
 * Redeems a gift card for the user, once: marks the card used with a conditional UPDATE
 * (`redeemed_at IS NULL`), so that of two concurrent redemptions one wins, and credits its amount
 * to the user's balance, in one transaction. Codes are compared after trimming and upper-casing.
 *
 * @throws GraphQLError `BAD_USER_INPUT` {@link GIFT_CARD_REFUSED} for an unknown or used code.
 *
 * @example
 * ```ts
 * redeemGiftCard(db, userId, 'GIFT-2C4K-LQLF');
 * // { amountCents: 10000, balanceCents: 10000, currency: 'EUR' }
 * ```
 */
export function redeemGiftCard(
  db: CatalogDatabase,
  userId: string,
  code: string,
): GiftCardRedemptionModel {
  const normalized = code.trim().toUpperCase();
  if (normalized.length === 0 || normalized.length > MAX_CODE_LENGTH) {
    throw badUserInput(GIFT_CARD_REFUSED);
  }
  return db.transaction(() => {
    const card = db.get<{ amountCents: number; currency: string }>(
      `UPDATE gift_cards
       SET redeemed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), redeemed_by = ?
       WHERE code = ? AND redeemed_at IS NULL
       RETURNING amount_cents AS amountCents, currency`,
      userId,
      normalized,
    );
    if (card === undefined) throw badUserInput(GIFT_CARD_REFUSED);
    const user = db.get<{ balanceCents: number }>(
      `UPDATE users SET balance_cents = balance_cents + ? WHERE id = ?
       RETURNING balance_cents AS balanceCents`,
      card.amountCents,
      userId,
    );
    // Rolls the card back too: a card is never spent on nobody.
    if (user === undefined) throw badUserInput(GIFT_CARD_REFUSED);
    const { amountCents, currency } = card;
    return { amountCents, balanceCents: user.balanceCents, currency };
  });
}
