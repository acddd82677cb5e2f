import type { CatalogExecutor } from '../database.js';
import { badUserInput } from '../errors.js';
import { parseRowId } from '../ids.js';
import type { ReviewRow, UserRow } from '../models.js';
import { placeholders, sqlTimestamp } from '../sql.js';
import { codePointLength } from '../text-length.js';

/** The most reviews `Product.reviews(first:)` returns. */
export const MAX_REVIEWS_PER_PRODUCT = 50;

/** The longest review body, in characters after trimming. */
export const MAX_REVIEW_LENGTH = 2000;

const COLUMNS = 'id, product_id AS "productId", author, rating, body, created_at AS "createdAt"';

/** A product's review count and mean rating (null without reviews). */
export interface ReviewStats {
  readonly count: number;
  readonly averageRating: number | null;
}

/**
 * The newest `first` reviews of each of `productIds`, newest first: one statement for every
 * product, ranking each product's reviews with `ROW_NUMBER() OVER (PARTITION BY product_id)`.
 * None for no product.
 *
 * @example
 * ```ts
 * (await findNewestReviews(db, [1, 2], 3)).get(1); // up to 3 ReviewRows, newest first
 * ```
 */
export async function findNewestReviews(
  db: CatalogExecutor,
  productIds: readonly number[],
  first: number,
): Promise<Map<number, ReviewRow[]>> {
  const byProduct = new Map<number, ReviewRow[]>(productIds.map((id) => [id, []]));
  if (productIds.length === 0) return byProduct;
  const rows = await db.all<ReviewRow>(
    `SELECT ${COLUMNS} FROM (
       SELECT *, ROW_NUMBER() OVER (
         PARTITION BY product_id ORDER BY created_at DESC, id DESC
       ) AS place
       FROM reviews
       WHERE product_id IN (${placeholders(productIds.length)})
     ) AS ranked
     WHERE place <= ?
     ORDER BY product_id, place`,
    ...productIds,
    first,
  );
  for (const row of rows) byProduct.get(row.productId)?.push(row);
  return byProduct;
}

/**
 * The review count and mean rating of each of `productIds`. One statement (none for no
 * product). The mean is a double on both back ends (PostgreSQL's AVG of integers would be a
 * numeric).
 *
 * @example
 * ```ts
 * (await findReviewStats(db, [1])).get(1); // { count: 3, averageRating: 4.333333333333333 }
 * ```
 */
export async function findReviewStats(db: CatalogExecutor, productIds: readonly number[]): Promise<Map<number, ReviewStats>> {
  const stats = new Map<number, ReviewStats>(productIds.map((id) => [id, { count: 0, averageRating: null }]));
  if (productIds.length === 0) return stats;
  const rows = await db.all<{ productId: number; count: number; averageRating: number }>(
    `SELECT product_id AS "productId", COUNT(*) AS count,
       AVG(CAST(rating AS DOUBLE PRECISION)) AS "averageRating"
     FROM reviews
     WHERE product_id IN (${placeholders(productIds.length)})
     GROUP BY product_id`,
    ...productIds,
  );
  for (const { productId, count, averageRating } of rows) {
    stats.set(productId, { count, averageRating });
  }
  return stats;
}

/** What a signed-in user submits as a review. */
export interface NewReview {
  readonly productId: string;
  readonly rating: number;
  readonly body: string;
}

/**
 * Publishes `author`'s review under their display name. One statement.
 *
 * @throws GraphQLError `BAD_USER_INPUT` for a rating outside 1..5, an empty or over-long body, or
 * an unknown product.
 *
 * @example
 * ```ts
 * await createReview(db, user, { productId: '42', rating: 5, body: 'Great.' });
 * ```
 */
export async function createReview(db: CatalogExecutor, author: UserRow, review: NewReview): Promise<ReviewRow> {
  if (!Number.isInteger(review.rating) || review.rating < 1 || review.rating > 5) {
    throw badUserInput('Rate the product from 1 to 5.');
  }
  const body = review.body.trim();
  const length = codePointLength(body);
  if (length < 1 || length > MAX_REVIEW_LENGTH) {
    throw badUserInput(`Write a review of 1 to ${MAX_REVIEW_LENGTH} characters.`);
  }
  const productId = parseRowId(review.productId);
  const row =
    productId === undefined
      ? undefined
      : await db.get<ReviewRow>(
          // The casts type the parameters of the SELECT list for PostgreSQL.
          `INSERT INTO reviews (product_id, user_id, author, rating, body, created_at)
           SELECT id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT),
             CAST(? AS TEXT)
           FROM products WHERE id = ?
           RETURNING ${COLUMNS}`,
          author.id,
          author.displayName,
          review.rating,
          body,
          sqlTimestamp(),
          productId,
        );
  if (row === undefined) throw badUserInput('No product has this id.');
  return row;
}
