import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { openCatalogDatabase } from '../../../src/demo/catalog/database.js';
import type { CatalogDatabase } from '../../../src/demo/catalog/database.js';
import {
  demoGiftCardCodes,
  SEEDED_GIFT_CARD_COUNT,
  SEEDED_PRODUCT_COUNT,
} from '../../../src/demo/catalog/seed.js';

function counts(db: CatalogDatabase): Record<string, number> | undefined {
  return db.get(
    `SELECT (SELECT COUNT(*) FROM categories) AS categories,
       (SELECT COUNT(*) FROM products) AS products,
       (SELECT COUNT(*) FROM reviews) AS reviews,
       (SELECT COUNT(*) FROM products WHERE id NOT IN (SELECT product_id FROM reviews))
         AS productsWithoutReviews,
       (SELECT COUNT(*) FROM products WHERE stock = 0) AS productsOutOfStock,
       (SELECT COUNT(*) FROM gift_cards) AS giftCards`,
  );
}

// A digest of every seeded row, so that two catalogs compare in one assertion.
function digest(db: CatalogDatabase): string {
  const hash = createHash('sha256');
  for (const table of ['categories', 'products', 'reviews', 'gift_cards']) {
    hash.update(JSON.stringify(db.all(`SELECT * FROM ${table} ORDER BY rowid`)));
  }
  return hash.digest('hex');
}

describe('seedCatalog', () => {
  const first = openCatalogDatabase(':memory:');
  const second = openCatalogDatabase(':memory:');

  it('seeds the same catalog, row for row, in two fresh databases', () => {
    const names = (db: CatalogDatabase) =>
      db.all<{ name: string }>('SELECT name FROM products ORDER BY id LIMIT 3').map((r) => r.name);

    expect(names(first)).toEqual([
      'Brightwater Essential Lens Hood',
      'Redfern Nomad Stainless Armchair',
      'Driftwood Compact Foam Roller',
    ]);
    expect(names(second)).toEqual(names(first));
    expect(counts(second)).toEqual(counts(first));
    expect(digest(second)).toBe(digest(first));
  });

  it('seeds 10,000 products in 20 categories, about 3 reviews each, some none, and 50 gift cards', () => {
    expect(SEEDED_PRODUCT_COUNT).toBe(10_000);
    expect(counts(first)).toEqual({
      categories: 20,
      products: 10_000,
      reviews: 30_334,
      productsWithoutReviews: 1411,
      productsOutOfStock: 828,
      giftCards: SEEDED_GIFT_CARD_COUNT,
    });
  });

  it('prices every product above its wholesale price, with ratings from 1 to 5', () => {
    const anomalies = first.get<{ prices: number; ratings: number; currencies: number }>(
      `SELECT
         (SELECT COUNT(*) FROM products WHERE wholesale_cents >= price_cents) AS prices,
         (SELECT COUNT(*) FROM reviews WHERE rating NOT BETWEEN 1 AND 5) AS ratings,
         (SELECT COUNT(*) FROM products WHERE currency <> 'EUR') AS currencies`,
    );

    expect(anomalies).toEqual({ prices: 0, ratings: 0, currencies: 0 });
  });

  it('exports the first gift card codes, unredeemed in a fresh catalog', () => {
    const codes = demoGiftCardCodes(3);
    const stored = first.all<{ code: string; redeemedAt: string | null }>(
      `SELECT code, redeemed_at AS redeemedAt FROM gift_cards
       WHERE code IN (SELECT value FROM json_each(?)) ORDER BY rowid`,
      JSON.stringify(codes),
    );

    expect(codes).toEqual(['GIFT-2C4K-LQLF', 'GIFT-BHJC-4HTH', 'GIFT-6HA2-PDLT']);
    expect(stored).toEqual(codes.map((code) => ({ code, redeemedAt: null })));
    expect(demoGiftCardCodes(500)).toHaveLength(SEEDED_GIFT_CARD_COUNT);
  });

  it('seeds in well under 2 s', () => {
    const started = performance.now();
    openCatalogDatabase(':memory:').close();

    expect(performance.now() - started).toBeLessThan(2000);
  });
});
