// Correctness under concurrency: the outcome of racing requests comes from the SQL (conditional
// UPDATEs), not from the order in which one process happens to run them. On PostgreSQL the races
// also run through two instances (two pools) on one database, as two processes would.
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CatalogDatabase } from '../../../src/demo/catalog/database.js';
import type { OrderModel } from '../../../src/demo/catalog/models.js';
import { addToCart, placeOrder } from '../../../src/demo/catalog/repository/cart-and-orders.js';
import { GIFT_CARD_REFUSED, redeemGiftCard } from '../../../src/demo/catalog/repository/gift-cards.js';
import { createUser } from '../../../src/demo/catalog/repository/users.js';
import { catalogBackends } from './backends.js';
import type { CatalogBackend } from './backends.js';
import { releaseCatalogs } from './backends.js';
import { TEST_PASSWORD_COST } from './harness.js';

afterAll(releaseCatalogs);

interface Scenario {
  readonly name: string;
  readonly backend: CatalogBackend;
  readonly instances: number;
}

const scenarios: Scenario[] = catalogBackends.flatMap((backend) => [
  { name: `${backend.name}, one instance`, backend, instances: 1 },
  ...(backend.dialect === 'postgres' ? [{ name: `${backend.name}, two instances (two pools)`, backend, instances: 2 }] : []),
]);

// Each outcome as the caller sees it: the value, or the error's code and message.
function outcomesOf<T>(settled: PromiseSettledResult<T>[]): ({ value: T } | { code: unknown; message: string })[] {
  return settled.map((outcome) => {
    if (outcome.status === 'fulfilled') return { value: outcome.value };
    const error: unknown = outcome.reason;
    if (!(error instanceof GraphQLError)) throw error;
    return { code: error.extensions['code'], message: error.message };
  });
}

/**
 * Opens `instances` catalogs on one new, empty location (with one category) before the block's
 * tests; request n goes to instance n modulo their number.
 */
function catalogInstances({ backend, instances }: Scenario): (n: number) => CatalogDatabase {
  const databases: CatalogDatabase[] = [];
  beforeAll(async () => {
    const location = await backend.location();
    for (let n = 0; n < instances; n += 1) {
      databases.push(await backend.openAt(location, { seed: false, passwordCost: TEST_PASSWORD_COST }));
    }
    await databases[0]?.run("INSERT INTO categories (id, name, slug) VALUES (1, 'Lamps', 'lamps')");
  });
  return (n) => databases[n % databases.length] as CatalogDatabase;
}

describe.each(scenarios)('concurrent requests on $name', (scenario) => {
  const instance = catalogInstances(scenario);

  async function signUpUsers(count: number, prefix: string): Promise<string[]> {
    const users = await Promise.all(
      Array.from({ length: count }, (_, n) => createUser(instance(n), `${prefix}-${n}@example.com`, 'correct horse battery')),
    );
    return users.map((user) => user.id);
  }

  it('redeems a gift card exactly once when 50 users redeem it at the same moment', async () => {
    const users = await signUpUsers(50, 'gift');
    await instance(0).run("INSERT INTO gift_cards (code, amount_cents, currency) VALUES ('GIFT-RACE-0001', 2500, 'EUR')");

    const outcomes = outcomesOf(await Promise.allSettled(users.map((userId, n) => redeemGiftCard(instance(n), userId, 'gift-race-0001'))));
    const winner = users[outcomes.findIndex((outcome) => 'value' in outcome)];
    const card = await instance(0).get(`SELECT redeemed_by AS "redeemedBy" FROM gift_cards WHERE code = 'GIFT-RACE-0001'`);
    const balances = await instance(0).get(
      `SELECT SUM(balance_cents) AS total,
         SUM(CASE WHEN balance_cents > 0 THEN 1 ELSE 0 END) AS credited
       FROM users WHERE email LIKE 'gift-%'`,
    );

    expect(outcomes.filter((outcome) => 'value' in outcome)).toEqual([
      { value: { amountCents: 2500, balanceCents: 2500, currency: 'EUR' } },
    ]);
    expect(outcomes.filter((outcome) => !('value' in outcome))).toEqual(
      Array.from({ length: 49 }, () => ({ code: 'BAD_USER_INPUT', message: GIFT_CARD_REFUSED })),
    );
    expect(card).toEqual({ redeemedBy: winner });
    expect(balances).toEqual({ total: 2500, credited: 1 });
  });

  it('places exactly 5 of 20 simultaneous orders for the last 5 units, leaving the 15 refused carts as they were', async () => {
    const product = await instance(0).get<{ id: number }>(
      `INSERT INTO products (category_id, name, description, price_cents, wholesale_cents,
         currency, stock) VALUES (1, 'Race Lamp', 'The last five.', 4999, 2000, 'EUR', 5)
       RETURNING id`,
    );
    const productId = product?.id ?? 0;
    const users = await signUpUsers(20, 'order');
    for (const [n, userId] of users.entries()) {
      await addToCart(instance(n), userId, String(productId), 1);
    }

    const outcomes = outcomesOf(await Promise.allSettled(users.map((userId, n) => placeOrder(instance(n), userId))));
    const placed = users.filter((_, n) => 'value' in (outcomes[n] ?? {}));
    const refused = users.filter((userId) => !placed.includes(userId));
    const state = await instance(0).get(
      `SELECT (SELECT stock FROM products WHERE id = ?) AS stock,
         (SELECT COUNT(*) FROM orders) AS orders,
         (SELECT SUM(quantity) FROM order_items WHERE product_id = ?) AS "unitsOrdered"`,
      productId,
      productId,
    );
    const orderedBy = await instance(0).all<{ userId: string }>('SELECT user_id AS "userId" FROM orders ORDER BY user_id');
    const carts = await instance(0).all<{ userId: string; quantity: number }>(
      `SELECT user_id AS "userId", quantity FROM cart_items WHERE product_id = ? ORDER BY user_id`,
      productId,
    );

    expect(placed).toHaveLength(5);
    expect(outcomes.filter((outcome) => 'value' in outcome)).toEqual(
      placed.map((userId) => ({
        value: expect.objectContaining<Partial<OrderModel>>({
          userId,
          totalCents: 4999,
          status: 'PLACED',
          items: [{ productId, quantity: 1, unitPriceCents: 4999 }],
        }),
      })),
    );
    expect(outcomes.filter((outcome) => !('value' in outcome))).toEqual(
      Array.from({ length: 15 }, () => ({
        code: 'BAD_USER_INPUT',
        message: 'Not enough stock of "Race Lamp": order fewer units.',
      })),
    );
    expect(state).toEqual({ stock: 0, orders: 5, unitsOrdered: 5 });
    expect(orderedBy.map((row) => row.userId)).toEqual([...placed].sort());
    expect(carts).toEqual([...refused].sort().map((userId) => ({ userId, quantity: 1 })));
  });
});

describe.each(scenarios)('one cart ordered twice at the same moment on $name', (scenario) => {
  const instance = catalogInstances(scenario);

  beforeAll(async () => {
    await instance(0).run(
      `INSERT INTO products (id, category_id, name, description, price_cents, wholesale_cents, currency, stock)
       VALUES (1, 1, 'Desk Lamp', 'Plenty.', 1000, 400, 'EUR', 10000)`,
    );
  });

  it('places it once, 20 times over: the other order finds the cart empty and takes no stock', async () => {
    for (let trial = 0; trial < 20; trial += 1) {
      const user = await createUser(instance(0), `twice-${trial}@example.com`, 'correct horse battery');
      await addToCart(instance(0), user.id, '1', 2);
      const outcomes = outcomesOf(await Promise.allSettled([placeOrder(instance(0), user.id), placeOrder(instance(1), user.id)]));
      expect(outcomes.filter((outcome) => 'value' in outcome)).toHaveLength(1);
      expect(outcomes.filter((outcome) => !('value' in outcome))).toEqual([
        { code: 'BAD_USER_INPUT', message: 'Your cart is empty: add a product first.' },
      ]);
    }
    const state = await instance(0).get<{ stock: number; orders: number }>(
      'SELECT (SELECT stock FROM products WHERE id = 1) AS stock, (SELECT COUNT(*) FROM orders) AS orders',
    );
    expect(state).toEqual({ stock: 10000 - 20 * 2, orders: 20 });
  });
});
