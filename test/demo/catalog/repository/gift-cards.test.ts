import { afterAll, describe, expect, it } from 'vitest';

import { seededGiftCards } from '../../../../src/demo/catalog/seed.js';
import { catalogBackends, releaseCatalogs } from '../backends.js';
import { errorsOf, useCatalogHarness } from '../harness.js';

const REDEEM = `mutation ($code: String!) {
  redeemGiftCard(code: $code) { amount balance currency }
}`;

const REFUSED = {
  code: 'BAD_USER_INPUT',
  message: 'This gift card code cannot be redeemed.',
  path: ['redeemGiftCard'],
};

// GIFT-2C4K-LQLF 100 EUR, GIFT-BHJC-4HTH 25, GIFT-6HA2-PDLT 10, GIFT-H4FN-VV5F 50, GIFT-5GXW-9HC7 25.
const [first, second, third, fourth, fifth] = seededGiftCards(5);

afterAll(releaseCatalogs);

describe.each(catalogBackends)('redeemGiftCard(code) on $name', (backend) => {
  const harness = useCatalogHarness(backend);

  async function card(code: string): Promise<{ redeemedBy: string | null } | undefined> {
    return harness.db.get('SELECT redeemed_by AS "redeemedBy" FROM gift_cards WHERE code = ?', code);
  }

  it('redeems a card once, then refuses it with the message an unknown code gets', async () => {
    const viewer = await harness.signUp('once@example.com');
    const code = first?.code ?? '';

    const redeemed = await harness.run(REDEEM, { code }, viewer);
    const again = await harness.run(REDEEM, { code }, viewer);
    const unknown = await harness.run(REDEEM, { code: 'GIFT-0000-0000' }, viewer);

    expect(redeemed).toEqual({
      data: { redeemGiftCard: { amount: 100, balance: 100, currency: 'EUR' } },
    });
    expect(again.data).toEqual({ redeemGiftCard: null });
    expect(errorsOf(again)).toEqual([REFUSED]);
    expect(errorsOf(unknown)).toEqual(errorsOf(again));
    expect(await card(code)).toEqual({ redeemedBy: viewer.userId });
  });

  it('refuses a card another user redeemed, and credits nobody twice', async () => {
    const alice = await harness.signUp('alice@example.com');
    const bob = await harness.signUp('bob@example.com');
    const code = second?.code ?? '';

    await harness.run(REDEEM, { code }, alice);
    const result = await harness.run(REDEEM, { code }, bob);
    const balances = await harness.db.all<{ cents: number }>(
      'SELECT balance_cents AS cents FROM users WHERE id IN (?, ?) ORDER BY email',
      alice.userId,
      bob.userId,
    );

    expect(errorsOf(result)).toEqual([REFUSED]);
    expect(balances).toEqual([{ cents: 2500 }, { cents: 0 }]);
  });

  it('accepts a code typed in lower case with spaces around it, and adds up the balance', async () => {
    const viewer = await harness.signUp('twice@example.com');

    await harness.run(REDEEM, { code: third?.code }, viewer); // 10 EUR
    const result = await harness.run(REDEEM, { code: `  ${fifth?.code.toLowerCase()} ` }, viewer);

    expect(result).toEqual({
      data: { redeemGiftCard: { amount: 25, balance: 35, currency: 'EUR' } },
    });
  });

  it.each(['', '   ', 'x'.repeat(65), "' OR 1=1 --"])('refuses the code "%s" like any other', async (code) => {
    const viewer = await harness.signUp(`odd-${code.length}-${code.charCodeAt(0)}@example.com`);
    const result = await harness.run(REDEEM, { code }, viewer);

    expect(errorsOf(result)).toEqual([REFUSED]);
  });

  it.each([
    ['a dotless ı', (code: string) => code.toLowerCase().replace('i', 'ı')],
    ['a sharp s', (code: string) => `${code}ß`],
    ['a ligature', (code: string) => code.replace('GIFT', 'GIﬀT')],
    ['full-width letters', (code: string) => code.replace(/[A-Z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) + 0xfee0))],
    ['a zero-width joiner', (code: string) => code.replace('-', '\u200d-')],
    ['a combining mark', (code: string) => code.replace('G', 'G\u0301')],
  ])('refuses a code spelled with %s before any lookup, and leaves the card unused', async (_name, respell) => {
    const viewer = await harness.signUp(`spelling-${_name.replace(/\W/g, '-')}@example.com`);
    const code = fourth?.code ?? '';
    const result = await harness.run(REDEEM, { code: respell(code) }, viewer);

    expect(errorsOf(result)).toEqual([REFUSED]);
    expect(await card(code)).toEqual({ redeemedBy: null });
  });

  it('refuses a caller who is not signed in, and leaves the card unused', async () => {
    const code = fourth?.code ?? '';
    const result = await harness.run(REDEEM, { code });

    expect(errorsOf(result)).toEqual([
      {
        code: 'UNAUTHENTICATED',
        message: 'Sign in: this operation needs a user access token.',
        path: ['redeemGiftCard'],
      },
    ]);
    expect(await card(code)).toEqual({ redeemedBy: null });
  });
});
