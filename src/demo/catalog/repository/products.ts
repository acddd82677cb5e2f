import { decodeProductCursor, encodeProductCursor } from '../cursor.js';
import type { CatalogExecutor, SqlValue } from '../database.js';
import { badUserInput } from '../errors.js';
import { parseRowId } from '../ids.js';
import type { ProductFilter, ProductPage, ProductRow } from '../models.js';
import { placeholders } from '../sql.js';
import { codePointLength } from '../text-length.js';

/** The largest `products(first:)` a client may ask for. */
export const MAX_PAGE_SIZE = 100;

/** The longest `products(search:)` text, after trimming. */
export const MAX_SEARCH_LENGTH = 100;

/** The highest price `updatePrice` accepts, in the shop's currency. */
export const MAX_PRICE = 1_000_000;

/** The columns of a {@link ProductRow}, for every query that returns products. */
export const PRODUCT_COLUMNS = `id, category_id AS "categoryId", name, description,
  price_cents AS "priceCents", wholesale_cents AS "wholesaleCents", currency, stock`;

/** What a client asks `products` for, as the schema passes it. */
export interface ProductPageRequest {
  readonly first: number;
  readonly after?: string | null;
  readonly category?: string | null;
  readonly search?: string | null;
}

/**
 * Validates a client's filters. An id that cannot name a category matches no product.
 *
 * @throws GraphQLError `BAD_USER_INPUT` for a search text over {@link MAX_SEARCH_LENGTH}, or with a
 *   control character.
 *
 * @example
 * ```ts
 * productFilter('3', '  lamp '); // { categoryId: 3, nameContains: 'lamp' }
 * ```
 */
export function productFilter(category: string | null | undefined, search: string | null | undefined): ProductFilter {
  const nameContains = search?.trim() ?? '';
  if (codePointLength(nameContains) > MAX_SEARCH_LENGTH) {
    throw badUserInput(`Search for at most ${MAX_SEARCH_LENGTH} characters.`);
  }
  // No product name holds a control character; SQLite's LIKE would stop at a NUL and match all.
  if (/\p{Cc}/u.test(nameContains)) throw badUserInput('Search for printable text only.');
  // Row ids start at 1, so 0 is a category id that matches nothing.
  const categoryId = category == null ? undefined : (parseRowId(category) ?? 0);
  return { categoryId, nameContains: nameContains === '' ? undefined : nameContains };
}

/**
 * One page of products in id order, after the product the `after` cursor points past. One
 * statement (it reads one row more than the page to know whether another page follows).
 *
 * @throws GraphQLError `BAD_USER_INPUT` for a page size outside 1..{@link MAX_PAGE_SIZE}, a cursor
 * this catalog did not issue, or a search text that is too long.
 *
 * @example
 * ```ts
 * const page = await findProductPage(db, { first: 20, after: previous.pageInfo.endCursor });
 * ```
 */
export async function findProductPage(db: CatalogExecutor, request: ProductPageRequest): Promise<ProductPage> {
  const { first } = request;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`Ask for 1 to ${MAX_PAGE_SIZE} products per page.`);
  }
  const afterId = request.after == null ? 0 : decodeProductCursor(request.after);
  const filter = productFilter(request.category, request.search);
  const where = filterClause(filter);
  const rows = await db.all<ProductRow>(
    `SELECT ${PRODUCT_COLUMNS} FROM products
     WHERE id > ?${where.sql}
     ORDER BY id
     LIMIT ?`,
    afterId,
    ...where.params,
    first + 1,
  );
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeProductCursor(node.id), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    filter,
  };
}

/**
 * How many products match `filter`, over every page. One statement.
 *
 * @example
 * ```ts
 * await countProducts(db, { categoryId: 1, nameContains: undefined }); // 499
 * ```
 */
export async function countProducts(db: CatalogExecutor, filter: ProductFilter): Promise<number> {
  const where = filterClause(filter);
  const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM products WHERE 1 = 1${where.sql}`, ...where.params);
  return row?.n ?? 0;
}

/**
 * The products among `ids` that exist, in no particular order. One statement (none for no id).
 *
 * @example
 * ```ts
 * (await findProductsByIds(db, [1, 2])).map((product) => product.name);
 * ```
 */
export async function findProductsByIds(db: CatalogExecutor, ids: readonly number[]): Promise<ProductRow[]> {
  if (ids.length === 0) return [];
  return db.all<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id IN (${placeholders(ids.length)})`, ...ids);
}

/**
 * Sets a product's price and returns the updated product. One statement.
 *
 * @throws GraphQLError `BAD_USER_INPUT` for a price that is not finite, not above 0 once rounded
 * to cents, or above {@link MAX_PRICE}; or an unknown product.
 *
 * @example
 * ```ts
 * (await updateProductPrice(db, '42', 19.99)).priceCents; // 1999
 * ```
 */
export async function updateProductPrice(db: CatalogExecutor, productId: string, price: number): Promise<ProductRow> {
  const cents = Math.round(price * 100);
  if (!Number.isFinite(price) || cents < 1 || price > MAX_PRICE) {
    throw badUserInput(`Set a price above 0 and at most ${MAX_PRICE}.`);
  }
  const id = parseRowId(productId);
  const row =
    id === undefined
      ? undefined
      : await db.get<ProductRow>(`UPDATE products SET price_cents = ? WHERE id = ? RETURNING ${PRODUCT_COLUMNS}`, cents, id);
  if (row === undefined) throw badUserInput('No product has this id.');
  return row;
}

/**
 * Escapes `%`, `_` and `\` so that LIKE matches `text` literally (with `ESCAPE '\'`).
 *
 * @example
 * ```ts
 * escapeLike('100%_off'); // '100\\%\\_off'
 * ```
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

// The SQL text depends only on which filters are present: four cached statements at most.
// LOWER on both sides matches case-insensitively on both back ends (ASCII letters, as SQLite's
// LIKE does; PostgreSQL's LIKE alone is case-sensitive).
function filterClause(filter: ProductFilter): { sql: string; params: SqlValue[] } {
  let sql = '';
  const params: SqlValue[] = [];
  if (filter.categoryId !== undefined) {
    sql += ' AND category_id = ?';
    params.push(filter.categoryId);
  }
  if (filter.nameContains !== undefined) {
    sql += " AND LOWER(name) LIKE LOWER(?) ESCAPE '\\'";
    params.push(`%${escapeLike(filter.nameContains)}%`);
  }
  return { sql, params };
}
