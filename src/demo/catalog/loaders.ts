import DataLoader from 'dataloader';

import type { CatalogExecutor } from './database.js';
import type { CategoryRow, ProductRow, ReviewRow, UserRow } from './models.js';
import { countProductsInCategories, findCategoriesByIds } from './repository/categories.js';
import { findProductsByIds } from './repository/products.js';
import { findNewestReviews, findReviewStats } from './repository/reviews.js';
import type { ReviewStats } from './repository/reviews.js';
import { findUsersByIds } from './repository/users.js';

// Bounds the `IN (?, …)` list of one statement; a page holds at most 100 products anyway.
const MAX_BATCH_SIZE = 500;

/**
 * The per-request batching loaders of every path that would otherwise run one statement per
 * parent (N+1): a page of products asks for its categories, reviews and ratings in one statement
 * each. Create one set per request ({@link createCatalogLoaders}); they cache what they load.
 */
export interface CatalogLoaders {
  /** Categories by id (null when unknown). */
  readonly categoryById: DataLoader<number, CategoryRow | null>;
  /** How many products each category lists. */
  readonly productCountByCategoryId: DataLoader<number, number>;
  /** Products by id (null when unknown), for `product(id:)`, cart lines and order lines. */
  readonly productById: DataLoader<number, ProductRow | null>;
  /** The newest `first` reviews of each product: one loader per distinct `first`. */
  reviewsByProductId(first: number): DataLoader<number, readonly ReviewRow[]>;
  /** Review count and mean rating by product id. */
  readonly reviewStatsByProductId: DataLoader<number, ReviewStats>;
  /** Users by id (null when there is no such account). */
  readonly userById: DataLoader<string, UserRow | null>;
}

/**
 * A fresh set of loaders over `db`, for one request.
 *
 * @example
 * ```ts
 * const loaders = createCatalogLoaders(db);
 * const [a, b] = await Promise.all([loaders.categoryById.load(1), loaders.categoryById.load(2)]);
 * // one statement
 * ```
 */
export function createCatalogLoaders(db: CatalogExecutor): CatalogLoaders {
  const reviewLoaders = new Map<number, DataLoader<number, readonly ReviewRow[]>>();
  return {
    categoryById: byId((ids) => findCategoriesByIds(db, ids)),
    productCountByCategoryId: batched((ids) => countProductsInCategories(db, ids)),
    productById: byId((ids) => findProductsByIds(db, ids)),
    reviewsByProductId(first) {
      let loader = reviewLoaders.get(first);
      if (loader === undefined) {
        loader = batched((ids) => findNewestReviews(db, ids, first));
        reviewLoaders.set(first, loader);
      }
      return loader;
    },
    reviewStatsByProductId: batched((ids) => findReviewStats(db, ids)),
    userById: byId((ids) => findUsersByIds(db, ids)),
  };
}

// A loader of rows by their `id`, resolving unknown ids to null.
function byId<Key extends number | string, Row extends { readonly id: Key }>(
  find: (ids: readonly Key[]) => Promise<readonly Row[]>,
): DataLoader<Key, Row | null> {
  return new DataLoader<Key, Row | null>(
    async (ids) => {
      const rows = new Map((await find(ids)).map((row) => [row.id, row]));
      return ids.map((id) => rows.get(id) ?? null);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

// A loader over a lookup that answers for every key it is given.
function batched<Key, Value>(find: (keys: readonly Key[]) => Promise<ReadonlyMap<Key, Value>>): DataLoader<Key, Value> {
  return new DataLoader<Key, Value>(
    async (keys) => {
      const values = await find(keys);
      return keys.map((key) => {
        const value = values.get(key);
        return value === undefined ? new Error(`no value for key ${String(key)}`) : value;
      });
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}
