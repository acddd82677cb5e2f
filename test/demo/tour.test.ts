import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataDirectory } from '../../src/development.js';
import { readDemoConfig } from '../../src/demo/config.js';
import { createDemoServer, type DemoServer } from '../../src/demo/server.js';
import { render } from '../../src/demo/tour/render.js';
import { runTour, type TourRow } from '../../src/demo/tour/tour.js';
import { temporaryDirectory } from '../support/temp-directory.js';

let dataDir: ReturnType<typeof temporaryDirectory>;
let server: DemoServer;
let rows: TourRow[];

beforeAll(async () => {
  dataDir = temporaryDirectory();
  server = createDemoServer(readDemoConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir.path, LOG_LEVEL: 'silent' }), () => undefined);
  rows = await runTour(await server.start(), openDataDirectory(dataDir.path));
});
afterAll(async () => {
  await server.stop();
  dataDir.remove();
});

describe('the abuse tour', () => {
  it('refuses every attack the article describes, each by the protection meant for it', () => {
    expect(rows.filter((row) => row.kind === 'attack').map((row) => [row.scenario, row.outcome, row.code])).toEqual([
      ['Scraper with a stolen API key pages the catalog', 'refused', 'RATE_LIMITED'],
      ['Scraper: filtered listings, 20 aliases a request', 'refused', 'RATE_LIMITED'],
      ['Scraper: one product at a time', 'refused', 'RATE_LIMITED'],
      ['Scraper: deep pages with forged cursors', 'refused', 'RATE_LIMITED'],
      ['Gift-card brute force: an alias flood', 'refused', 'GRAPHQL_VALIDATION_FAILED'],
      ['Gift-card brute force from a script', 'refused', 'ATTESTATION_REQUIRED'],
      ['Fake sign-ups replaying a solved captcha', 'refused', 'CAPTCHA_FAILED'],
      ['A user token replayed from another device', 'refused', 'UNAUTHENTICATED'],
      ['A captive portal replays a whole request', 'refused', 'ATTESTATION_INVALID'],
      ["A fraudulent order with another session's attestation", 'refused', 'ATTESTATION_INVALID'],
    ]);
  });

  it('serves the genuine app doing the same things', () => {
    const genuine = rows.filter((row) => row.kind === 'genuine');
    expect(genuine.map((row) => row.outcome)).toEqual(['served', 'served', 'served', 'served', 'served']);
    expect(genuine.find((row) => row.scenario.includes('browses'))?.code).toBe('500 items');
  });

  it('lets each scraper have about 100 products, the small budget of a key and address, whatever the shape of its queries', () => {
    expect(rows.slice(0, 4).map((row) => [row.sent, row.by])).toEqual([
      ['pages of 100 with the key only (got 100 items)', '@cost budget'],
      ['products(first: 100, category, search) x 20 (got 0 products)', '@cost budget'],
      ['product(id) x 20 aliases a request (got 120 products)', '@cost budget'],
      ['after: cursors far into the catalog (got 100 products)', '@cost budget'],
    ]);
  });

  it('prints a table a person reads at a glance, with a summary', () => {
    const text = render(rows, false);
    expect(text.split('\n')[0]).toMatch(/^\s+Scenario\s+What was sent\s+Outcome\s+Refused by\s+Code \/ result$/);
    expect(text).toContain('10 of 10 attacks refused; 5 of 5 genuine calls served.');
    expect(text).not.toContain('\x1b[');
    expect(render(rows, true)).toContain('\x1b[31m');
  });
});
