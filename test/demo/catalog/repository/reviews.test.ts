import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Viewer } from '../../../../src/demo/catalog/context.js';
import { catalogBackends, releaseCatalogs } from '../backends.js';
import { errorsOf, useCatalogHarness } from '../harness.js';

const SUBMIT = `mutation ($productId: ID!, $rating: Int!, $body: String!) {
  submitReview(productId: $productId, rating: $rating, body: $body) {
    id rating body author createdAt
  }
}`;

afterAll(releaseCatalogs);

describe.each(catalogBackends)('the reviews on $name', (backend) => {
  const harness = useCatalogHarness(backend);
  let reviewer: Viewer;

  beforeAll(async () => {
    reviewer = await harness.signUp('reviewer@example.com');
  });

  describe('submitReview(productId, rating, body)', () => {
    it('publishes the review under the display name, newest first on the product', async () => {
      const viewer = await harness.signUp('critic@example.com');
      const me = await harness.run('{ me { displayName } }', {}, viewer);
      const displayName = (me.data as { me: { displayName: string } }).me.displayName;
      const before = await harness.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM reviews WHERE product_id = 42');

      const result = await harness.run(SUBMIT, { productId: '42', rating: 4, body: '  Sturdy and honest.  ' }, viewer);
      const review = (result.data as { submitReview: { id: string; createdAt: string } }).submitReview;
      const product = await harness.run('{ product(id: "42") { reviewCount reviews(first: 1) { id author rating body } } }');

      expect(result).toEqual({
        data: {
          submitReview: {
            id: review.id,
            rating: 4,
            body: 'Sturdy and honest.',
            author: displayName,
            createdAt: review.createdAt,
          },
        },
      });
      expect(displayName).not.toContain('critic');
      expect(product).toEqual({
        data: {
          product: {
            reviewCount: (before?.n ?? 0) + 1,
            reviews: [{ id: review.id, author: displayName, rating: 4, body: 'Sturdy and honest.' }],
          },
        },
      });
    });

    it.each([
      ['a rating of 0', { rating: 0 }, 'Rate the product from 1 to 5.'],
      ['a rating of 6', { rating: 6 }, 'Rate the product from 1 to 5.'],
      ['an empty body', { body: '' }, 'Write a review of 1 to 2000 characters.'],
      ['a blank body', { body: ' \n\t ' }, 'Write a review of 1 to 2000 characters.'],
      ['a body of 2001 characters', { body: 'x'.repeat(2001) }, 'Write a review of 1 to 2000 characters.'],
      ['an unknown product', { productId: '10001' }, 'No product has this id.'],
      ['a malformed product id', { productId: 'abc' }, 'No product has this id.'],
    ])('refuses %s and publishes nothing', async (_case, change, message) => {
      const viewer = reviewer;
      const count = async () => (await harness.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM reviews'))?.n;
      const before = await count();

      const result = await harness.run(SUBMIT, { productId: '42', rating: 3, body: 'Fine.', ...change }, viewer);

      expect(errorsOf(result)).toEqual([{ code: 'BAD_USER_INPUT', message, path: ['submitReview'] }]);
      expect(await count()).toBe(before);
    });

    it('accepts a body of exactly 2000 characters', async () => {
      const viewer = reviewer;
      const result = await harness.run(SUBMIT, { productId: '42', rating: 5, body: 'y'.repeat(2000) }, viewer);

      expect(result.errors).toBeUndefined();
    });

    it('refuses a caller who is not signed in', async () => {
      const result = await harness.run(SUBMIT, { productId: '42', rating: 5, body: 'Great.' });

      expect(errorsOf(result)).toEqual([
        {
          code: 'UNAUTHENTICATED',
          message: 'Sign in: this operation needs a user access token.',
          path: ['submitReview'],
        },
      ]);
    });
  });

  describe('Product.reviews(first)', () => {
    it('returns no review for first: 0 and refuses more than 50', async () => {
      const none = await harness.run('{ product(id: "2") { reviews(first: 0) { id } } }');
      const tooMany = await harness.run('{ product(id: "2") { reviews(first: 51) { id } } }');

      expect(none).toEqual({ data: { product: { reviews: [] } } });
      expect(errorsOf(tooMany)).toEqual([
        {
          code: 'BAD_USER_INPUT',
          message: 'Ask for 0 to 50 reviews per product.',
          path: ['product', 'reviews'],
        },
      ]);
    });
  });
});
