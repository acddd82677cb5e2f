import type { CatalogExecutor, SqlValue } from './database.js';
import { SHOP_CURRENCY } from './money.js';
import { SeededRandom } from './prng.js';
import { placeholders } from './sql.js';
import {
  ADJECTIVES,
  BRANDS,
  CATEGORIES,
  DESCRIPTION_DETAILS,
  DESCRIPTION_OPENINGS,
  FIRST_NAMES,
  MATERIALS,
  REVIEW_BODIES,
} from './word-lists.js';

/** How many products the seed creates. */
export const SEEDED_PRODUCT_COUNT = 10_000;

/** How many gift cards the seed creates. */
export const SEEDED_GIFT_CARD_COUNT = 50;

/** How many rows one seeding INSERT carries (at most 8 columns: 4000 parameters). */
export const SEED_BATCH_ROWS = 500;

// One seed per stream, so that changing one kind of data leaves the others as they were.
const PRODUCT_SEED = 0x5eed_0001;
const REVIEW_SEED = 0x5eed_0002;
const GIFT_CARD_SEED = 0x5eed_0003;

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const INITIALS: readonly string[] = 'ABCDEFGHJKLMNPRSTVW'.split('');
const GIFT_CARD_AMOUNTS_CENTS: readonly number[] = [1000, 2500, 5000, 10_000];
const REVIEWS_EPOCH_MS = Date.UTC(2024, 0, 1);
const TWO_YEARS_S = 2 * 365 * 24 * 60 * 60;

/** A seeded gift card. */
export interface SeededGiftCard {
  readonly code: string;
  readonly amountCents: number;
}

/**
 * The seeded gift cards, in seeding order: deterministic, so that the demo's tour can redeem one.
 * Demo data only: a real shop's codes come from a secure random source.
 *
 * @example
 * ```ts
 * const [first] = seededGiftCards(1); // { code: 'GIFT-…', amountCents: … }
 * ```
 */
export function seededGiftCards(count: number = SEEDED_GIFT_CARD_COUNT): SeededGiftCard[] {
  const random = new SeededRandom(GIFT_CARD_SEED);
  const cards: SeededGiftCard[] = [];
  const seen = new Set<string>();
  while (cards.length < Math.min(count, SEEDED_GIFT_CARD_COUNT)) {
    const code = `GIFT-${codeGroup(random)}-${codeGroup(random)}`;
    const amountCents = random.pick(GIFT_CARD_AMOUNTS_CENTS);
    if (seen.has(code)) continue;
    seen.add(code);
    cards.push({ code, amountCents });
  }
  return cards;
}

/**
 * The codes of the first `count` seeded gift cards (at most {@link SEEDED_GIFT_CARD_COUNT}).
 *
 * @example
 * ```ts
 * demoGiftCardCodes(2); // two codes the tour can redeem on a fresh catalog
 * ```
 */
export function demoGiftCardCodes(count: number): string[] {
  return seededGiftCards(count).map((card) => card.code);
}

/**
 * Fills an empty catalog with the deterministic demo data: the categories of the word lists,
 * {@link SEEDED_PRODUCT_COUNT} products spread over them, 0 to 6 reviews per product, and
 * {@link SEEDED_GIFT_CARD_COUNT} gift cards. One transaction (joined when `db` is one), rows
 * inserted {@link SEED_BATCH_ROWS} per statement; the same rows, ids included, on every run and
 * on both back ends. On PostgreSQL it then moves the id sequences past the seeded ids.
 *
 * @example
 * ```ts
 * await seedCatalog(await openCatalogDatabase(':memory:', { seed: false }));
 * ```
 */
export async function seedCatalog(db: CatalogExecutor): Promise<void> {
  await db.transaction(async (tx) => {
    await insertRows(
      tx,
      'categories (id, name, slug)',
      CATEGORIES.map((category, index) => [index + 1, category.name, category.slug]),
    );
    await insertRows(
      tx,
      `products (id, category_id, name, description, price_cents, wholesale_cents, currency,
         stock)`,
      productRows(),
    );
    await insertRows(tx, 'reviews (id, product_id, author, rating, body, created_at)', reviewRows());
    await insertRows(
      tx,
      'gift_cards (code, amount_cents, currency)',
      seededGiftCards().map((card) => [card.code, card.amountCents, SHOP_CURRENCY]),
    );
    if (tx.dialect === 'postgres') {
      // Explicit ids leave the identity sequences at 1; the next INSERT must not collide.
      for (const table of ['categories', 'products', 'reviews']) {
        await tx.get(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
      }
    }
  });
}

async function insertRows(tx: CatalogExecutor, into: string, rows: readonly (readonly SqlValue[])[]): Promise<void> {
  for (let start = 0; start < rows.length; start += SEED_BATCH_ROWS) {
    const batch = rows.slice(start, start + SEED_BATCH_ROWS);
    const row = `(${placeholders(batch[0]?.length ?? 1)})`;
    await tx.run(`INSERT INTO ${into} VALUES ${batch.map(() => row).join(', ')}`, ...batch.flat());
  }
}

function productRows(): SqlValue[][] {
  const random = new SeededRandom(PRODUCT_SEED);
  const rows: SqlValue[][] = [];
  for (let id = 1; id <= SEEDED_PRODUCT_COUNT; id += 1) {
    const categoryIndex = random.integer(0, CATEGORIES.length - 1);
    const category = CATEGORIES[categoryIndex] as (typeof CATEGORIES)[number];
    const noun = random.pick(category.nouns);
    const material = random.chance(0.4) ? `${random.pick(MATERIALS)} ` : '';
    const name = `${random.pick(BRANDS)} ${random.pick(ADJECTIVES)} ${material}${noun}`;
    const description = [
      random.pick(DESCRIPTION_OPENINGS).replace('{noun}', noun.toLowerCase()),
      random.pick(DESCRIPTION_DETAILS),
      random.pick(DESCRIPTION_DETAILS),
    ].join(' ');
    // Prices end in .99 (or .49); wholesale is 40 % to 75 % of the price.
    const euros = random.integer(Math.floor(category.minPriceCents / 100), Math.floor(category.maxPriceCents / 100));
    const priceCents = euros * 100 + (random.chance(0.8) ? 99 : 49);
    const wholesaleCents = Math.max(1, Math.round(priceCents * (0.4 + random.next() * 0.35)));
    const stock = random.chance(0.08) ? 0 : random.integer(1, 500);
    rows.push([id, categoryIndex + 1, name, description, priceCents, wholesaleCents, SHOP_CURRENCY, stock]);
  }
  return rows;
}

function reviewRows(): SqlValue[][] {
  const random = new SeededRandom(REVIEW_SEED);
  const rows: SqlValue[][] = [];
  for (let productId = 1; productId <= SEEDED_PRODUCT_COUNT; productId += 1) {
    // 0 to 6 reviews, 3 on average; a product's quality skews its ratings.
    const reviews = random.integer(0, 6);
    const quality = random.integer(2, 5);
    for (let n = 0; n < reviews; n += 1) {
      const rating = Math.min(5, Math.max(1, quality + random.integer(-2, 1)));
      const author = `${random.pick(FIRST_NAMES)} ${random.pick(INITIALS)}.`;
      const createdAt = new Date(REVIEWS_EPOCH_MS + random.integer(0, TWO_YEARS_S) * 1000);
      rows.push([rows.length + 1, productId, author, rating, random.pick(REVIEW_BODIES[rating - 1] ?? []), createdAt.toISOString()]);
    }
  }
  return rows;
}

function codeGroup(random: SeededRandom): string {
  let group = '';
  for (let n = 0; n < 4; n += 1) {
    group += CODE_ALPHABET.charAt(random.integer(0, CODE_ALPHABET.length - 1));
  }
  return group;
}
