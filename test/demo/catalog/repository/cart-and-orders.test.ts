import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import type { Viewer } from '../../../../src/demo/catalog/context.js';
import { catalogBackends, releaseCatalogs } from '../backends.js';
import { errorsOf, useCatalogHarness } from '../harness.js';

afterAll(releaseCatalogs);

const ADD = `mutation ($productId: ID!, $quantity: Int!) {
  addToCart(productId: $productId, quantity: $quantity) {
    items { product { id name price } quantity }
    total
    currency
  }
}`;

const PLACE = `mutation {
  placeOrder {
    id status total currency createdAt
    items { product { id stockLevel } quantity unitPrice }
  }
}`;

interface CartResult {
  items: { product: { id: string; name: string; price: number }; quantity: number }[];
  total: number;
  currency: string;
}

describe.each(catalogBackends)('the cart and orders on $name', (backend) => {
  // One catalog per back end; each test shops as a new user, and sets the stock it relies on.
  const harness = useCatalogHarness(backend);
  let viewer: Viewer;
  let buyers = 0;

  beforeEach(async () => {
    buyers += 1;
    viewer = await harness.signUp(`buyer-${buyers}@example.com`);
  });

  async function product(id: number): Promise<{ name: string; priceCents: number; stock: number }> {
    const row = await harness.db.get<{ name: string; priceCents: number; stock: number }>(
      'SELECT name, price_cents AS "priceCents", stock FROM products WHERE id = ?',
      id,
    );
    if (row === undefined) throw new Error(`no product ${id}`);
    return row;
  }

  async function price(id: number): Promise<number> {
    return (await product(id)).priceCents / 100;
  }

  async function setStock(id: number, stock: number): Promise<void> {
    await harness.db.run('UPDATE products SET stock = ? WHERE id = ?', stock, id);
  }

  async function cartLines(): Promise<{ productId: number; quantity: number }[]> {
    return harness.db.all(
      `SELECT product_id AS "productId", quantity FROM cart_items WHERE user_id = ?
       ORDER BY product_id`,
      viewer.userId,
    );
  }

  async function orderIds(): Promise<string[]> {
    const rows = await harness.db.all<{ id: number }>('SELECT id FROM orders WHERE user_id = ? ORDER BY id', viewer.userId);
    return rows.map((row) => String(row.id));
  }

  async function add(productId: number, quantity: number) {
    return harness.run(ADD, { productId: String(productId), quantity }, viewer);
  }

  describe('addToCart(productId, quantity)', () => {
    it('adds a line and returns the cart priced at the current price', async () => {
      const result = await add(3, 2);
      const { name, priceCents } = await product(3);

      expect(result).toEqual({
        data: {
          addToCart: {
            items: [{ product: { id: '3', name, price: priceCents / 100 }, quantity: 2 }],
            total: (priceCents * 2) / 100,
            currency: 'EUR',
          },
        },
      });
    });

    it('adds to the quantity of a product already in the cart (upsert)', async () => {
      await add(3, 2);
      await add(5, 1);
      const result = await add(3, 3);
      const cart = (result.data as { addToCart: CartResult }).addToCart;

      expect(cart.items.map((item) => [item.product.id, item.quantity])).toEqual([
        ['3', 5],
        ['5', 1],
      ]);
      expect(cart.total).toBe(((await product(3)).priceCents * 5 + (await product(5)).priceCents) / 100);
    });

    it.each([0, -1, 100])('refuses a quantity of %i and leaves the cart as it was', async (quantity) => {
      await add(3, 1);
      const result = await add(3, quantity);

      expect(errorsOf(result)).toEqual([{ code: 'BAD_USER_INPUT', message: 'Add 1 to 99 units at a time.', path: ['addToCart'] }]);
      expect(await cartLines()).toEqual([{ productId: 3, quantity: 1 }]);
    });

    it('refuses to take a line past 99 units and leaves it as it was', async () => {
      await add(3, 60);
      const result = await add(3, 40);

      expect(errorsOf(result)).toEqual([
        {
          code: 'BAD_USER_INPUT',
          message: 'A cart line holds at most 99 units.',
          path: ['addToCart'],
        },
      ]);
      expect(await cartLines()).toEqual([{ productId: 3, quantity: 60 }]);
    });

    it.each(['10001', 'abc'])('refuses the unknown product "%s"', async (productId) => {
      const result = await harness.run(ADD, { productId, quantity: 1 }, viewer);

      expect(errorsOf(result)).toEqual([{ code: 'BAD_USER_INPUT', message: 'No product has this id.', path: ['addToCart'] }]);
      expect(await cartLines()).toEqual([]);
    });

    it('refuses a caller who is not signed in', async () => {
      const result = await harness.run(ADD, { productId: '3', quantity: 1 });

      expect(result.data).toBeNull();
      expect(errorsOf(result)).toEqual([
        {
          code: 'UNAUTHENTICATED',
          message: 'Sign in: this operation needs a user access token.',
          path: ['addToCart'],
        },
      ]);
    });

    it('refuses a token whose user has no account', async () => {
      const result = await harness.run(ADD, { productId: '3', quantity: 1 }, { userId: 'ghost' });

      expect(errorsOf(result)).toEqual([
        {
          code: 'UNAUTHENTICATED',
          message: 'Sign up first: this access token names no account in this shop.',
          path: ['addToCart'],
        },
      ]);
    });
  });

  describe('placeOrder', () => {
    it('orders the cart at the current prices, takes the stock and empties the cart', async () => {
      await setStock(3, 10);
      await setStock(5, 4);
      await add(3, 2);
      await add(5, 4);
      const total = ((await product(3)).priceCents * 2 + (await product(5)).priceCents * 4) / 100;

      const result = await harness.run(PLACE, {}, viewer);
      const order = (result.data as { placeOrder: Record<string, unknown> }).placeOrder;

      expect(result.errors).toBeUndefined();
      expect(await orderIds()).toHaveLength(1);
      expect(order).toEqual({
        id: (await orderIds())[0],
        status: 'PLACED',
        total,
        currency: 'EUR',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        items: [
          { product: { id: '3', stockLevel: 8 }, quantity: 2, unitPrice: await price(3) },
          { product: { id: '5', stockLevel: 0 }, quantity: 4, unitPrice: await price(5) },
        ],
      });
      expect([(await product(3)).stock, (await product(5)).stock]).toEqual([8, 0]);
      expect(await cartLines()).toEqual([]);
    });

    it('refuses a cart that asks for more than the stock and changes nothing', async () => {
      await setStock(3, 5);
      await add(3, 6);

      const result = await harness.run(PLACE, {}, viewer);

      expect(result.data).toBeNull();
      expect(errorsOf(result)).toEqual([
        {
          code: 'BAD_USER_INPUT',
          message: `Not enough stock of "${(await product(3)).name}": order fewer units.`,
          path: ['placeOrder'],
        },
      ]);
      expect((await product(3)).stock).toBe(5);
      expect(await cartLines()).toEqual([{ productId: 3, quantity: 6 }]);
      expect(await orderIds()).toEqual([]);
    });

    it('rolls back the stock already taken for earlier lines when a later line fails', async () => {
      await setStock(3, 10);
      await setStock(5, 1);
      await add(3, 2);
      await add(5, 2);

      const result = await harness.run(PLACE, {}, viewer);

      expect(errorsOf(result).map((error) => error.code)).toEqual(['BAD_USER_INPUT']);
      expect([(await product(3)).stock, (await product(5)).stock]).toEqual([10, 1]);
      expect(await cartLines()).toEqual([
        { productId: 3, quantity: 2 },
        { productId: 5, quantity: 2 },
      ]);
      expect(await orderIds()).toEqual([]);
    });

    it('lets exactly as many orders through as the stock allows, one after another', async () => {
      await setStock(7, 3);
      const outcomes: unknown[] = [];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        if ((await cartLines()).length === 0) await add(7, 1);
        const result = await harness.run('mutation { placeOrder { id } }', {}, viewer);
        outcomes.push(errorsOf(result)[0]?.code ?? 'placed');
      }

      expect(outcomes).toEqual(['placed', 'placed', 'placed', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
      expect((await product(7)).stock).toBe(0);
      expect(await orderIds()).toHaveLength(3);
    });

    it('refuses an empty cart', async () => {
      const result = await harness.run(PLACE, {}, viewer);

      expect(errorsOf(result)).toEqual([
        {
          code: 'BAD_USER_INPUT',
          message: 'Your cart is empty: add a product first.',
          path: ['placeOrder'],
        },
      ]);
      expect(await orderIds()).toEqual([]);
    });

    it('refuses a caller who is not signed in', async () => {
      const result = await harness.run(PLACE);

      expect(errorsOf(result)).toEqual([
        {
          code: 'UNAUTHENTICATED',
          message: 'Sign in: this operation needs a user access token.',
          path: ['placeOrder'],
        },
      ]);
    });
  });
});
