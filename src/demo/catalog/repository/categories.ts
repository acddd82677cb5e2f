import type { CatalogExecutor } from '../database.js';
import type { CategoryRow } from '../models.js';
import { placeholders } from '../sql.js';

const COLUMNS = 'id, name, slug';

/**
 * Every category, by name. One statement.
 *
 * @example
 * ```ts
 * (await listCategories(db))[0]; // { id: 1, name: 'Audio', slug: 'audio' }
 * ```
 */
export async function listCategories(db: CatalogExecutor): Promise<CategoryRow[]> {
  return db.all<CategoryRow>(`SELECT ${COLUMNS} FROM categories ORDER BY name, id`);
}

/**
 * The categories among `ids` that exist, in no particular order. One statement (none for no id).
 *
 * @example
 * ```ts
 * await findCategoriesByIds(db, [1, 999]); // [{ id: 1, name: 'Audio', slug: 'audio' }]
 * ```
 */
export async function findCategoriesByIds(db: CatalogExecutor, ids: readonly number[]): Promise<CategoryRow[]> {
  if (ids.length === 0) return [];
  return db.all<CategoryRow>(`SELECT ${COLUMNS} FROM categories WHERE id IN (${placeholders(ids.length)})`, ...ids);
}

/**
 * How many products each of `ids` lists (0 for an unknown id). One statement (none for no id).
 *
 * @example
 * ```ts
 * await countProductsInCategories(db, [1, 999]); // Map { 1 => 499, 999 => 0 }
 * ```
 */
export async function countProductsInCategories(db: CatalogExecutor, ids: readonly number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>(ids.map((id) => [id, 0]));
  if (ids.length === 0) return counts;
  const rows = await db.all<{ categoryId: number; n: number }>(
    `SELECT category_id AS "categoryId", COUNT(*) AS n FROM products
     WHERE category_id IN (${placeholders(ids.length)})
     GROUP BY category_id`,
    ...ids,
  );
  for (const row of rows) counts.set(row.categoryId, row.n);
  return counts;
}
