import { afterAll, describe, expect, it } from 'vitest';

import { encodeProductCursor } from '../../../../src/demo/catalog/cursor.js';
import { catalogBackends, releaseCatalogs } from '../backends.js';
import { createCatalogHarness, errorsOf, useCatalogHarness } from '../harness.js';

const PAGE = `query ($first: Int, $after: String, $category: ID, $search: String) {
  products(first: $first, after: $after, category: $category, search: $search) {
    edges { cursor node { id name } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

interface Page {
  edges: { cursor: string; node: { id: string; name: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

afterAll(releaseCatalogs);

describe.each(catalogBackends)('the products and categories on $name', (backend) => {
  const harness = useCatalogHarness(backend);

  async function page(variables: Record<string, unknown>): Promise<Page> {
    const result = await harness.run(PAGE, variables);
    expect(result.errors).toBeUndefined();
    return (result.data as { products: Page }).products;
  }

  async function allNames(): Promise<string[]> {
    const rows = await harness.db.all<{ name: string }>('SELECT name FROM products ORDER BY id');
    return rows.map((r) => r.name);
  }

  describe('products(first, after, category, search)', () => {
    it('pages through a category by endCursor with no duplicate and no gap', async () => {
      const expectedIds = (await harness.db.all<{ id: number }>('SELECT id FROM products WHERE category_id = 1 ORDER BY id')).map((row) =>
        String(row.id),
      );
      const seen: string[] = [];
      const pages: Page[] = [];
      let after: string | null = null;
      do {
        const current: Page = await page({ first: 100, after, category: '1' });
        pages.push(current);
        seen.push(...current.edges.map((edge) => edge.node.id));
        after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
      } while (after !== null);

      expect(expectedIds).toHaveLength(499);
      expect(seen).toEqual(expectedIds);
      expect(pages.map((p) => p.edges.length)).toEqual([100, 100, 100, 100, 99]);
      expect(pages.map((p) => p.totalCount)).toEqual([499, 499, 499, 499, 499]);
      expect(pages.at(-1)?.pageInfo).toEqual({
        hasNextPage: false,
        endCursor: encodeProductCursor(Number(expectedIds.at(-1))),
      });
    });

    it('gives each edge the cursor that continues right after it', async () => {
      const first = await page({ first: 3 });
      const fromSecond = await page({ first: 2, after: first.edges[0]?.cursor });

      expect(first.edges.map((edge) => edge.node.id)).toEqual(['1', '2', '3']);
      expect(fromSecond.edges.map((edge) => edge.node.id)).toEqual(['2', '3']);
      expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[2]?.cursor });
    });

    it('returns 20 products when first is omitted and 100 when asked for the maximum', async () => {
      expect((await page({})).edges).toHaveLength(20);
      expect((await page({ first: 100 })).edges).toHaveLength(100);
      expect((await page({ first: 1 })).edges).toHaveLength(1);
    });

    it.each([0, -1, 101, 10_000])('refuses a page size of %i', async (first) => {
      const result = await harness.run(PAGE, { first });

      expect(result.data).toBeNull();
      expect(errorsOf(result)).toEqual([{ code: 'BAD_USER_INPUT', message: 'Ask for 1 to 100 products per page.', path: ['products'] }]);
    });

    it.each([
      ['not base64 of a cursor', 'not-a-cursor'],
      ['an empty string', ''],
      ['a cursor of another kind', Buffer.from('order:7').toString('base64url')],
      ['a non-numeric id', Buffer.from('product:abc').toString('base64url')],
      ['a zero-padded id', Buffer.from('product:07').toString('base64url')],
      ['a padded (non-canonical) encoding', 'cHJvZHVjdDoxMA=='],
      ['an oversized cursor', 'A'.repeat(10_000)],
    ])('refuses an after cursor that is %s', async (_case, after) => {
      const result = await harness.run(PAGE, { after });

      expect(errorsOf(result)).toEqual([
        {
          code: 'BAD_USER_INPUT',
          message: 'The after cursor is not valid: pass the endCursor of a previous page.',
          path: ['products'],
        },
      ]);
    });

    it('returns an empty page for an unknown or malformed category', async () => {
      for (const category of ['999', 'audio', '-1']) {
        expect(await page({ category })).toEqual({
          edges: [],
          pageInfo: { hasNextPage: false, endCursor: null },
          totalCount: 0,
        });
      }
    });

    it('matches the search text case-insensitively anywhere in the name', async () => {
      const expected = (await allNames()).filter((name) => name.toLowerCase().includes('lens hood'));
      const result = await page({ first: 100, search: '  LENS hood ' });

      expect(expected.length).toBeGreaterThan(0);
      expect(result.totalCount).toBe(expected.length);
      expect(result.edges.map((edge) => edge.node.name)).toEqual(expected.slice(0, 100));
    });

    it.each(['%', '_', '\\', '%%', 'a%b', '_____'])('treats LIKE wildcards in "%s" as literal characters', async (search) => {
      const literal = (await allNames()).filter((name) => name.toLowerCase().includes(search.toLowerCase()));
      const result = await page({ search });

      expect(literal).toEqual([]);
      expect(result.totalCount).toBe(0);
    });

    it('finds a name containing %, _ and \\ by those characters', async () => {
      const local = await createCatalogHarness(backend);
      await local.db.run(
        `INSERT INTO products (category_id, name, description, price_cents, wholesale_cents,
           currency, stock)
         VALUES (1, ?, 'Literal.', 1000, 500, 'EUR', 1)`,
        '100% Cotton_Tee \\ Limited',
      );
      const run = async (search: string) =>
        ((await local.run(PAGE, { search })).data as { products: Page }).products.edges.map((edge) => edge.node.name);

      expect(await run('100%')).toEqual(['100% Cotton_Tee \\ Limited']);
      expect(await run('n_T')).toEqual(['100% Cotton_Tee \\ Limited']);
      expect(await run('e \\ L')).toEqual(['100% Cotton_Tee \\ Limited']);
    });

    it('refuses a search text over 100 characters', async () => {
      const result = await harness.run(PAGE, { search: 'x'.repeat(101) });

      expect(errorsOf(result)).toEqual([{ code: 'BAD_USER_INPUT', message: 'Search for at most 100 characters.', path: ['products'] }]);
    });

    it.each([
      ['a NUL', 'a\u0000'],
      ['a NUL alone', '\u0000'],
      ['a line feed', 'lamp\nx'],
      ['a DEL', 'x\u007f'],
    ])('refuses a search text with %s (control characters name nothing, and a NUL would match every name)', async (_name, search) => {
      const result = await harness.run(PAGE, { search });

      expect(errorsOf(result)).toEqual([{ code: 'BAD_USER_INPUT', message: 'Search for printable text only.', path: ['products'] }]);
    });

    it('counts all products when nothing filters them', async () => {
      expect((await page({ first: 1 })).totalCount).toBe(10_000);
    });
  });

  describe('product(id)', () => {
    it('resolves every field of a product', async () => {
      const stats = await harness.db.get<{ n: number; avg: number }>(
        'SELECT COUNT(*) AS n, AVG(CAST(rating AS DOUBLE PRECISION)) AS avg FROM reviews WHERE product_id = 1',
      );
      const result = await harness.run(`{
        product(id: "1") {
          id name description price currency wholesalePrice stockLevel reviewCount averageRating
          category { id name slug }
        }
      }`);

      expect(result).toEqual({
        data: {
          product: {
            id: '1',
            name: 'Brightwater Essential Lens Hood',
            description:
              'A lens hood built to last, with nothing you do not need. It packs down small and ' +
              'cleans up in seconds. Available while stock lasts; restocks ship in small batches.',
            price: 1064.99,
            currency: 'EUR',
            wholesalePrice: 475.41,
            stockLevel: 307,
            reviewCount: stats?.n,
            averageRating: stats?.avg,
            category: { id: '6', name: 'Cameras', slug: 'cameras' },
          },
        },
      });
    });

    it.each(['0', '10001', 'abc', '1.5', '-1', ''])('returns null for the id "%s"', async (id) => {
      const result = await harness.run('query ($id: ID!) { product(id: $id) { id } }', { id });

      expect(result).toEqual({ data: { product: null } });
    });
  });

  describe('categories', () => {
    it('lists the 20 categories by name with their product counts', async () => {
      const result = await harness.run('{ categories { id name slug productCount } }');
      const categories = (
        result.data as {
          categories: { id: string; name: string; productCount: number }[];
        }
      ).categories;

      expect(categories).toHaveLength(20);
      expect(categories[0]).toEqual({ id: '1', name: 'Audio', slug: 'audio', productCount: 499 });
      expect(categories.map((c) => c.name)).toEqual([...categories.map((c) => c.name)].sort());
      expect(categories.reduce((sum, c) => sum + c.productCount, 0)).toBe(10_000);
    });
  });

  describe('updatePrice(productId, price)', () => {
    const UPDATE = `mutation ($productId: ID!, $price: Float!) {
      updatePrice(productId: $productId, price: $price) { id price }
    }`;

    it('sets the price and returns the updated product', async () => {
      const local = await createCatalogHarness(backend);
      const result = await local.run(UPDATE, { productId: '2', price: 12.5 });
      const after = await local.run('{ product(id: "2") { price } }');

      expect(result).toEqual({ data: { updatePrice: { id: '2', price: 12.5 } } });
      expect(after).toEqual({ data: { product: { price: 12.5 } } });
    });

    it.each([0, -5, 0.004, 1_000_000.01])('refuses the price %d', async (price) => {
      const result = await harness.run(UPDATE, { productId: '2', price });

      expect(errorsOf(result)).toEqual([
        {
          code: 'BAD_USER_INPUT',
          message: 'Set a price above 0 and at most 1000000.',
          path: ['updatePrice'],
        },
      ]);
    });

    it('refuses an unknown product', async () => {
      const result = await harness.run(UPDATE, { productId: '10001', price: 10 });

      expect(errorsOf(result)).toEqual([{ code: 'BAD_USER_INPUT', message: 'No product has this id.', path: ['updatePrice'] }]);
    });
  });
});
