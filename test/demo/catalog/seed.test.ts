import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CatalogDatabase } from '../../../src/demo/catalog/database.js';
import { demoGiftCardCodes, SEEDED_GIFT_CARD_COUNT, SEEDED_PRODUCT_COUNT } from '../../../src/demo/catalog/seed.js';
import { placeholders } from '../../../src/demo/catalog/sql.js';
import { catalogBackends, releaseCatalogs } from './backends.js';

afterAll(releaseCatalogs);

// The digest of every seeded row: the same on both back ends, on every run, and as the seed
// made before the catalog moved to PostgreSQL.
const SEEDED_ROWS_DIGEST = 'a4f48b70a2ea703fa17c7eb26b66bfbe2b068c815ed5f98e5cf3569a3967ec1a';

async function counts(db: CatalogDatabase): Promise<Record<string, number> | undefined> {
  return db.get(
    `SELECT (SELECT COUNT(*) FROM categories) AS categories,
       (SELECT COUNT(*) FROM products) AS products,
       (SELECT COUNT(*) FROM reviews) AS reviews,
       (SELECT COUNT(*) FROM products WHERE id NOT IN (SELECT product_id FROM reviews))
         AS "productsWithoutReviews",
       (SELECT COUNT(*) FROM products WHERE stock = 0) AS "productsOutOfStock",
       (SELECT COUNT(*) FROM gift_cards) AS "giftCards"`,
  );
}

// A digest of every seeded row, in key order, so that two catalogs compare in one assertion.
async function digest(db: CatalogDatabase): Promise<string> {
  const hash = createHash('sha256');
  for (const [table, key] of [
    ['categories', 'id'],
    ['products', 'id'],
    ['reviews', 'id'],
    ['gift_cards', 'code'],
  ]) {
    hash.update(JSON.stringify(await db.all(`SELECT * FROM ${table} ORDER BY ${key}`)));
  }
  return hash.digest('hex');
}

describe.each(catalogBackends)('seedCatalog on $name', (backend) => {
  let first: CatalogDatabase;
  let second: CatalogDatabase;

  beforeAll(async () => {
    first = await backend.open();
    second = await backend.open();
  });

  it('seeds the same catalog, row for row, in two fresh databases, and on both back ends', async () => {
    const names = async (db: CatalogDatabase) =>
      (await db.all<{ name: string }>('SELECT name FROM products ORDER BY id LIMIT 3')).map((r) => r.name);

    expect(await names(first)).toEqual([
      'Brightwater Essential Lens Hood',
      'Redfern Nomad Stainless Armchair',
      'Driftwood Compact Foam Roller',
    ]);
    expect(await names(second)).toEqual(await names(first));
    expect(await counts(second)).toEqual(await counts(first));
    expect(await digest(first)).toBe(SEEDED_ROWS_DIGEST);
    expect(await digest(second)).toBe(SEEDED_ROWS_DIGEST);
  });

  it('seeds 10,000 products in 20 categories, about 3 reviews each, some none, and 50 gift cards', async () => {
    expect(SEEDED_PRODUCT_COUNT).toBe(10_000);
    expect(await counts(first)).toEqual({
      categories: 20,
      products: 10_000,
      reviews: 30_334,
      productsWithoutReviews: 1411,
      productsOutOfStock: 828,
      giftCards: SEEDED_GIFT_CARD_COUNT,
    });
  });

  it('prices every product above its wholesale price, with ratings from 1 to 5', async () => {
    const anomalies = await first.get<{ prices: number; ratings: number; currencies: number }>(
      `SELECT
         (SELECT COUNT(*) FROM products WHERE wholesale_cents >= price_cents) AS prices,
         (SELECT COUNT(*) FROM reviews WHERE rating NOT BETWEEN 1 AND 5) AS ratings,
         (SELECT COUNT(*) FROM products WHERE currency <> 'EUR') AS currencies`,
    );

    expect(anomalies).toEqual({ prices: 0, ratings: 0, currencies: 0 });
  });

  it('exports the first gift card codes, unredeemed in a fresh catalog', async () => {
    const codes = demoGiftCardCodes(3);
    const stored = await first.all<{ code: string; redeemedAt: string | null }>(
      `SELECT code, redeemed_at AS "redeemedAt" FROM gift_cards
       WHERE code IN (${placeholders(codes.length)}) ORDER BY code`,
      ...codes,
    );

    expect(codes).toEqual(['GIFT-2C4K-LQLF', 'GIFT-BHJC-4HTH', 'GIFT-6HA2-PDLT']);
    expect(stored).toEqual([...codes].sort().map((code) => ({ code, redeemedAt: null })));
    expect(demoGiftCardCodes(500)).toHaveLength(SEEDED_GIFT_CARD_COUNT);
  });

  // Wall-clock figures are not asserted (shared, noisy machines): the time is printed for the note.
  it('migrates and seeds a new catalog in one start, and says how long it took', async () => {
    const location = await backend.location();
    const started = performance.now();
    const database = await backend.openAt(location);
    const elapsed = performance.now() - started;
    try {
      expect((await counts(database))?.['products']).toBe(SEEDED_PRODUCT_COUNT);
    } finally {
      await database.close();
    }
    console.log(`${backend.name}: migrated and seeded ${SEEDED_PRODUCT_COUNT} products in ${Math.round(elapsed)} ms`);
  });
});
