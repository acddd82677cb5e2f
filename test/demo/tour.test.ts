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
  server = createDemoServer(
    readDemoConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir.path, LOG_LEVEL: 'silent', TRUSTED_DOCUMENTS: 'enforce' }),
    () => undefined,
  );
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
      ['Scraper: every filter a fresh first page', 'refused', 'RATE_LIMITED'],
      ['Scraper: one product at a time', 'refused', 'RATE_LIMITED'],
      ['Scraper: deep pages with forged cursors', 'refused', 'RATE_LIMITED'],
      ['A script sends its own query with a stolen key', 'refused', 'PERSISTED_QUERY_REQUIRED'],
      ['Gift-card brute force: an alias flood', 'refused', 'PERSISTED_QUERY_REQUIRED'],
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

  it('lets each scraper replaying the app’s documents have about 100 products, the small budget of a key and address, and refuses a document of its own', () => {
    expect(rows.slice(0, 5).map((row) => [row.sent, row.by])).toEqual([
      ["the app's listing, pages of 100, key only (got 100 items)", '@cost budget'],
      ["the app's listing with category and search (got 100 products)", '@cost budget'],
      ["the app's product page, id after id (got 28 products)", '@cost budget'],
      ["the app's listing, after: cursors far in (got 100 products)", '@cost budget'],
      ['20 aliases of filtered listings, a document of its own', 'trusted documents'],
    ]);
  });

  it('prints a table a person reads at a glance, with a summary', () => {
    const text = render(rows, false);
    expect(text.split('\n')[0]).toMatch(/^\s+Scenario\s+What was sent\s+Outcome\s+Refused by\s+Code \/ result$/);
    expect(text).toContain('11 of 11 attacks refused; 5 of 5 genuine calls served.');
    expect(text).not.toContain('\x1b[');
    expect(render(rows, true)).toContain('\x1b[31m');
  });
});
