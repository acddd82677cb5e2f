import type { CatalogExecutor } from '../database.js';
import { badUserInput } from '../errors.js';
import { canonicalGiftCardCode } from '../gift-card-code.js';
import type { GiftCardRedemptionModel } from '../models.js';
import { sqlTimestamp } from '../sql.js';

/**
 * The one message for every code that cannot be redeemed, unknown or already used alike, so that
 * the answer is no oracle for guessing codes.
 */
export const GIFT_CARD_REFUSED = 'This gift card code cannot be redeemed.';

/**
 * Redeems a gift card for the user, once: marks the card used with a conditional UPDATE
 * (`redeemed_at IS NULL`) and credits its amount to the user's balance, in one transaction. Of
 * concurrent redemptions, in this process or any other on the same database, one wins: the
 * others' UPDATE waits for the winner's row lock, then finds the card used and changes nothing.
 * Codes are looked up in their canonical form ({@link canonicalGiftCardCode}); a code outside its
 * alphabet is refused before any lookup.
 *
 * @throws GraphQLError `BAD_USER_INPUT` {@link GIFT_CARD_REFUSED} for an unknown or used code.
 *
 * @example
 * ```ts
 * await redeemGiftCard(db, userId, 'GIFT-2C4K-LQLF');
 * // { amountCents: 10000, balanceCents: 10000, currency: 'EUR' }
 * ```
 */
export async function redeemGiftCard(db: CatalogExecutor, userId: string, code: string): Promise<GiftCardRedemptionModel> {
  const normalized = canonicalGiftCardCode(code);
  if (normalized === undefined) throw badUserInput(GIFT_CARD_REFUSED);
  return db.transaction(async (tx) => {
    const card = await tx.get<{ amountCents: number; currency: string }>(
      `UPDATE gift_cards
       SET redeemed_at = ?, redeemed_by = ?
       WHERE code = ? AND redeemed_at IS NULL
       RETURNING amount_cents AS "amountCents", currency`,
      sqlTimestamp(),
      userId,
      normalized,
    );
    if (card === undefined) throw badUserInput(GIFT_CARD_REFUSED);
    const user = await tx.get<{ balanceCents: number }>(
      `UPDATE users SET balance_cents = balance_cents + ? WHERE id = ?
       RETURNING balance_cents AS "balanceCents"`,
      card.amountCents,
      userId,
    );
    // Rolls the card back too: a card is never spent on nobody.
    if (user === undefined) throw badUserInput(GIFT_CARD_REFUSED);
    const { amountCents, currency } = card;
    return { amountCents, balanceCents: user.balanceCents, currency };
  });
}
