// Small pieces of SQL that both back ends share.

/**
 * `count` comma-separated `?` placeholders, for `IN (…)` lists and multi-row `VALUES` (both
 * dialects take them; SQLite-only `json_each` does not travel).
 *
 * @throws RangeError for a count below 1: `IN ()` is not SQL on PostgreSQL.
 *
 * @example
 * ```ts
 * `SELECT … WHERE id IN (${placeholders(ids.length)})`; // 'id IN (?, ?, ?)' for three ids
 * ```
 */
export function placeholders(count: number): string {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`placeholders: count must be an integer ≥ 1, got ${count}`);
  }
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * The catalog's timestamp for now: ISO 8601 in UTC with milliseconds, stored as TEXT on both
 * back ends (it sorts as it reads).
 *
 * @example
 * ```ts
 * sqlTimestamp(); // '2025-05-01T09:30:00.000Z'
 * ```
 */
export function sqlTimestamp(now: Date = new Date()): string {
  return now.toISOString();
}
