import type { CatalogDatabase } from '../database.js';
import { badUserInput } from '../errors.js';
import { parseRowId } from '../ids.js';
import type { CartItemRow, CartModel, OrderItemRow, OrderModel } from '../models.js';
import { SHOP_CURRENCY } from '../money.js';

/** The most units of one product a cart line holds. */
export const MAX_CART_QUANTITY = 99;

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * The signed-in user's cart, priced at the current prices. One statement.
 *
 * @example
 * ```ts
 * findCart(db, userId).items; // [{ productId: 3, quantity: 2, unitPriceCents: 1999 }]
 * ```
 */
export function findCart(db: CatalogDatabase, userId: string): CartModel {
  const items = db.all<CartItemRow>(
    `SELECT c.product_id AS productId, c.quantity, p.price_cents AS unitPriceCents
     FROM cart_items c JOIN products p ON p.id = c.product_id
     WHERE c.user_id = ?
     ORDER BY c.added_at, c.product_id`,
    userId,
  );
  return { userId, items };
}

/**
 * Adds `quantity` units of a product to the user's cart (a new line, or more on the existing one)
 * and returns the cart. Two statements.
 *
 * @throws GraphQLError `BAD_USER_INPUT` for a quantity outside 1..99, a line that would exceed
 * 99, or an unknown product; the cart is then unchanged.
 *
 * @example
 * ```ts
 * addToCart(db, userId, '3', 2).items.length; // 1
 * ```
 */
export function addToCart(
  db: CatalogDatabase,
  userId: string,
  productId: string,
  quantity: number,
): CartModel {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_CART_QUANTITY) {
    throw badUserInput(`Add 1 to ${MAX_CART_QUANTITY} units at a time.`);
  }
  const id = parseRowId(productId);
  return db.transaction(() => {
    // The SELECT yields no row for an unknown product, and the upsert's WHERE skips a line that
    // would overflow: either way nothing changes.
    const { changes } = db.run(
      `INSERT INTO cart_items (user_id, product_id, quantity, added_at)
       SELECT ?, id, ?, ${NOW} FROM products WHERE id = ?
       ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = quantity + excluded.quantity
       WHERE quantity + excluded.quantity <= ${MAX_CART_QUANTITY}`,
      userId,
      quantity,
      id ?? 0,
    );
    if (changes === 0) {
      const exists =
        id !== undefined && db.get('SELECT 1 FROM products WHERE id = ?', id) !== undefined;
      throw badUserInput(
        exists
          ? `A cart line holds at most ${MAX_CART_QUANTITY} units.`
          : 'No product has this id.',
      );
    }
    return findCart(db, userId);
  });
}

/**
 * Places the user's whole cart as one order in one transaction: takes each line's units from
 * stock with a conditional UPDATE (`stock >= quantity`), records the order and its lines at the
 * current prices, and empties the cart. Any refusal rolls every step back.
 *
 * @throws GraphQLError `BAD_USER_INPUT` for an empty cart, or a product with too little stock
 * (named; its stock level is not revealed).
 *
 * @example
 * ```ts
 * placeOrder(db, userId).status; // 'PLACED'
 * ```
 */
export function placeOrder(db: CatalogDatabase, userId: string): OrderModel {
  return db.transaction(() => {
    const lines = db.all<OrderItemRow & { name: string }>(
      `SELECT c.product_id AS productId, c.quantity, p.price_cents AS unitPriceCents, p.name
       FROM cart_items c JOIN products p ON p.id = c.product_id
       WHERE c.user_id = ?
       ORDER BY c.added_at, c.product_id`,
      userId,
    );
    if (lines.length === 0) throw badUserInput('Your cart is empty: add a product first.');
    for (const line of lines) {
      const { changes } = db.run(
        'UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?',
        line.quantity,
        line.productId,
        line.quantity,
      );
      if (changes !== 1) {
        throw badUserInput(`Not enough stock of "${line.name}": order fewer units.`);
      }
    }
    const totalCents = lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
    const order = db.get<Omit<OrderModel, 'items'>>(
      `INSERT INTO orders (user_id, total_cents, currency, status, created_at)
       VALUES (?, ?, ?, 'PLACED', ${NOW})
       RETURNING id, user_id AS userId, total_cents AS totalCents, currency, status,
         created_at AS createdAt`,
      userId,
      totalCents,
      SHOP_CURRENCY,
    );
    if (order === undefined) throw new Error('placeOrder: INSERT … RETURNING returned no row');
    db.run(
      `INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)
       SELECT ?, c.product_id, c.quantity, p.price_cents
       FROM cart_items c JOIN products p ON p.id = c.product_id
       WHERE c.user_id = ?`,
      order.id,
      userId,
    );
    db.run('DELETE FROM cart_items WHERE user_id = ?', userId);
    const items = lines.map(({ productId, quantity, unitPriceCents }) => ({
      productId,
      quantity,
      unitPriceCents,
    }));
    return { ...order, items };
  });
}
