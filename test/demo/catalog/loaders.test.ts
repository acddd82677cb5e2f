import { afterAll, describe, expect, it } from 'vitest';

import { createCatalogLoaders } from '../../../src/demo/catalog/loaders.js';
import { catalogBackends, releaseCatalogs } from './backends.js';
import { useCatalogHarness } from './harness.js';

afterAll(releaseCatalogs);

const PAGE_WITH_CATEGORIES_AND_REVIEWS = `query ($first: Int!) {
  products(first: $first) {
    edges { node { category { name } reviews(first: 3) { rating } } }
  }
}`;

const PAGE_WITH_EVERY_BATCHED_FIELD = `query ($first: Int!) {
  products(first: $first) {
    edges {
      node {
        category { name productCount }
        reviews(first: 3) { rating author }
        newest: reviews(first: 1) { body }
        reviewCount
        averageRating
      }
    }
  }
}`;

interface Page {
  products: {
    edges: { node: { category: { name: string }; reviews: { rating: number }[] } }[];
  };
}

describe.each(catalogBackends)('the catalog loaders (no N+1) on $name', (backend) => {
  const harness = useCatalogHarness(backend);

  async function statementsFor(query: string, first: number): Promise<number> {
    harness.db.resetStatementCount();
    const result = await harness.run(query, { first });
    expect(result.errors).toBeUndefined();
    expect((result.data as unknown as Page).products.edges).toHaveLength(first);
    return harness.db.statementCount;
  }

  it('runs 3 statements for 100 products with their categories and 3 reviews each, as for 10', async () => {
    const forHundred = await statementsFor(PAGE_WITH_CATEGORIES_AND_REVIEWS, 100);
    const forTen = await statementsFor(PAGE_WITH_CATEGORIES_AND_REVIEWS, 10);

    // The page, one batch of categories, one windowed batch of reviews.
    expect({ forHundred, forTen }).toEqual({ forHundred: 3, forTen: 3 });
  });

  it('runs 6 statements for 100 products with every batched field, as for 10', async () => {
    const forHundred = await statementsFor(PAGE_WITH_EVERY_BATCHED_FIELD, 100);
    const forTen = await statementsFor(PAGE_WITH_EVERY_BATCHED_FIELD, 10);

    // The page, categories, product counts, reviews(first: 3), reviews(first: 1), review stats.
    expect({ forHundred, forTen }).toEqual({ forHundred: 6, forTen: 6 });
  });

  it('loads the same categories and newest reviews as one query per product would', async () => {
    const result = await harness.run(PAGE_WITH_CATEGORIES_AND_REVIEWS, { first: 100 });
    const edges = (result.data as unknown as Page).products.edges;

    const expected = [];
    for (let productId = 1; productId <= edges.length; productId += 1) {
      const category = await harness.db.get<{ name: string }>(
        'SELECT c.name FROM categories c JOIN products p ON p.category_id = c.id WHERE p.id = ?',
        productId,
      );
      const reviews = await harness.db.all<{ rating: number }>(
        `SELECT rating FROM reviews WHERE product_id = ?
         ORDER BY created_at DESC, id DESC LIMIT 3`,
        productId,
      );
      expected.push({ node: { category: { name: category?.name }, reviews } });
    }
    expect(edges).toEqual(expected);
    expect(edges.filter((edge) => edge.node.reviews.length === 0).length).toBeGreaterThan(0);
  });

  it('batches loads made in one tick into one statement and caches them', async () => {
    const loaders = createCatalogLoaders(harness.db);
    harness.db.resetStatementCount();

    const categories = await Promise.all([1, 2, 3, 999].map((id) => loaders.categoryById.load(id)));
    const again = await loaders.categoryById.load(2);

    expect(categories.map((category) => category?.slug ?? null)).toEqual(['audio', 'bags-luggage', 'bicycles', null]);
    expect(again).toBe(categories[1]);
    expect(harness.db.statementCount).toBe(1);
  });

  it('answers a product without reviews with no reviews and no average', async () => {
    const loaders = createCatalogLoaders(harness.db);
    const unreviewed = await harness.db.get<{ id: number }>(
      'SELECT id FROM products WHERE id NOT IN (SELECT product_id FROM reviews) ORDER BY id',
    );
    const id = unreviewed?.id ?? 0;

    const [reviews, stats] = await Promise.all([loaders.reviewsByProductId(3).load(id), loaders.reviewStatsByProductId.load(id)]);

    expect({ reviews, stats }).toEqual({ reviews: [], stats: { count: 0, averageRating: null } });
  });
});
