import type { CatalogDatabase } from '../database.js';
import type { CategoryRow } from '../models.js';

const COLUMNS = 'id, name, slug';

/**
 * Every category, by name. One statement.
 *
 * @example
 * ```ts
 * listCategories(db)[0]; // { id: 1, name: 'Audio', slug: 'audio' }
 * ```
 */
export function listCategories(db: CatalogDatabase): CategoryRow[] {
  return db.all<CategoryRow>(`SELECT ${COLUMNS} FROM categories ORDER BY name, id`);
}

/**
 * The categories among `ids` that exist, in no particular order. One statement.
 *
 * @example
 * ```ts
 * findCategoriesByIds(db, [1, 999]); // [{ id: 1, name: 'Audio', slug: 'audio' }]
 * ```
 */
export function findCategoriesByIds(db: CatalogDatabase, ids: readonly number[]): CategoryRow[] {
  return db.all<CategoryRow>(
    `SELECT ${COLUMNS} FROM categories WHERE id IN (SELECT value FROM json_each(?))`,
    JSON.stringify(ids),
  );
}

/**
 * How many products each of `ids` lists (0 for an unknown id). One statement.
 *
 * @example
 * ```ts
 * countProductsInCategories(db, [1, 999]); // Map { 1 => 499, 999 => 0 }
 * ```
 */
export function countProductsInCategories(
  db: CatalogDatabase,
  ids: readonly number[],
): Map<number, number> {
  const rows = db.all<{ categoryId: number; n: number }>(
    `SELECT category_id AS categoryId, COUNT(*) AS n FROM products
     WHERE category_id IN (SELECT value FROM json_each(?))
     GROUP BY category_id`,
    JSON.stringify(ids),
  );
  const counts = new Map<number, number>(ids.map((id) => [id, 0]));
  for (const row of rows) counts.set(row.categoryId, row.n);
  return counts;
}
