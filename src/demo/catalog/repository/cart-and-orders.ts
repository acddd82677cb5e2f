import type { CatalogExecutor } from '../database.js';
import { badUserInput } from '../errors.js';
import { parseRowId } from '../ids.js';
import type { CartItemRow, CartModel, OrderModel } from '../models.js';
import { SHOP_CURRENCY } from '../money.js';
import { sqlTimestamp } from '../sql.js';

/** The most units of one product a cart line holds. */
export const MAX_CART_QUANTITY = 99;

const CART_LINES = `SELECT c.product_id AS "productId", c.quantity, p.price_cents AS "unitPriceCents"
     FROM cart_items c JOIN products p ON p.id = c.product_id
     WHERE c.user_id = ?
     ORDER BY c.added_at, c.product_id`;

/**
 * The signed-in user's cart, priced at the current prices. One statement.
 *
 * @example
 * ```ts
 * (await findCart(db, userId)).items; // [{ productId: 3, quantity: 2, unitPriceCents: 1999 }]
 * ```
 */
export async function findCart(db: CatalogExecutor, userId: string): Promise<CartModel> {
  const items = await db.all<CartItemRow>(CART_LINES, userId);
  return { userId, items };
}

/**
 * Adds `quantity` units of a product to the user's cart (a new line, or more on the existing one)
 * and returns the cart. Two statements in one transaction (a third when refused).
 *
 * @throws GraphQLError `BAD_USER_INPUT` for a quantity outside 1..99, a line that would exceed
 * 99, or an unknown product; the cart is then unchanged.
 *
 * @example
 * ```ts
 * (await addToCart(db, userId, '3', 2)).items.length; // 1
 * ```
 */
export async function addToCart(db: CatalogExecutor, userId: string, productId: string, quantity: number): Promise<CartModel> {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_CART_QUANTITY) {
    throw badUserInput(`Add 1 to ${MAX_CART_QUANTITY} units at a time.`);
  }
  const id = parseRowId(productId);
  return db.transaction(async (tx) => {
    // The SELECT yields no row for an unknown product, and the upsert's WHERE skips a line that
    // would overflow: either way nothing changes. The casts type the SELECT list for PostgreSQL.
    const { changes } = await tx.run(
      `INSERT INTO cart_items (user_id, product_id, quantity, added_at)
       SELECT CAST(? AS TEXT), id, CAST(? AS INTEGER), CAST(? AS TEXT) FROM products WHERE id = ?
       ON CONFLICT (user_id, product_id)
       DO UPDATE SET quantity = cart_items.quantity + excluded.quantity
       WHERE cart_items.quantity + excluded.quantity <= ${MAX_CART_QUANTITY}`,
      userId,
      quantity,
      sqlTimestamp(),
      id ?? 0,
    );
    if (changes === 0) {
      const exists = id !== undefined && (await tx.get('SELECT 1 FROM products WHERE id = ?', id)) !== undefined;
      throw badUserInput(exists ? `A cart line holds at most ${MAX_CART_QUANTITY} units.` : 'No product has this id.');
    }
    return findCart(tx, userId);
  });
}

/**
 * Places the user's whole cart as one order in one transaction: claims the cart's lines (DELETE …
 * RETURNING, so that two concurrent orders of one cart cannot both see it), takes each line's
 * units from stock with a conditional UPDATE (`stock >= quantity`, in product id order so that concurrent
 * orders lock rows in one order) and records the order and its lines at the current prices. Any
 * refusal rolls every step back. Of concurrent orders for the last units,
 * in this process or any other on the same database, exactly as many pass as the stock allows:
 * each UPDATE waits for the row lock of the one before, then re-checks the stock it left.
 *
 * @throws GraphQLError `BAD_USER_INPUT` for an empty cart, or a product with too little stock
 * (named; its stock level is not revealed).
 *
 * @example
 * ```ts
 * (await placeOrder(db, userId)).status; // 'PLACED'
 * ```
 */
export async function placeOrder(db: CatalogExecutor, userId: string): Promise<OrderModel> {
  return db.transaction(async (tx) => {
    // Claim the cart first: a concurrent order of the same cart (another instance) waits on these
    // rows and then finds none, so one cart is never ordered twice; a line added meanwhile stays.
    const claimed = await tx.all<{ productId: number; quantity: number; addedAt: string }>(
      `DELETE FROM cart_items WHERE user_id = ?
       RETURNING product_id AS "productId", quantity, added_at AS "addedAt"`,
      userId,
    );
    if (claimed.length === 0) throw badUserInput('Your cart is empty: add a product first.');
    const products = await tx.all<{ id: number; unitPriceCents: number; name: string }>(
      `SELECT id, price_cents AS "unitPriceCents", name FROM products
       WHERE id IN (${claimed.map(() => '?').join(', ')})`,
      ...claimed.map((line) => line.productId),
    );
    const byId = new Map(products.map((product) => [product.id, product]));
    const lines = claimed
      .sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.productId - b.productId)
      .map(({ productId, quantity }) => {
        const product = byId.get(productId);
        if (product === undefined) throw new Error('placeOrder: a cart line names no product');
        return { productId, quantity, unitPriceCents: product.unitPriceCents, name: product.name };
      });
    for (const line of [...lines].sort((a, b) => a.productId - b.productId)) {
      const { changes } = await tx.run(
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
    const order = await tx.get<Omit<OrderModel, 'items'>>(
      `INSERT INTO orders (user_id, total_cents, currency, status, created_at)
       VALUES (?, ?, ?, 'PLACED', ?)
       RETURNING id, user_id AS "userId", total_cents AS "totalCents", currency, status,
         created_at AS "createdAt"`,
      userId,
      totalCents,
      SHOP_CURRENCY,
      sqlTimestamp(),
    );
    if (order === undefined) throw new Error('placeOrder: INSERT … RETURNING returned no row');
    await tx.run(
      `INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)
       VALUES ${lines.map(() => '(?, ?, ?, ?)').join(', ')}`,
      ...lines.flatMap((line) => [order.id, line.productId, line.quantity, line.unitPriceCents]),
    );
    const items = lines.map(({ productId, quantity, unitPriceCents }) => ({
      productId,
      quantity,
      unitPriceCents,
    }));
    return { ...order, items };
  });
}
