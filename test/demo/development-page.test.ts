import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentPageContentSecurityPolicy, headersPlaceholder, prefersHtml } from '../../src/demo/development-page.js';
import { startDemo, type RunningDemo } from '../support/demo.js';
import { ifSetUp } from '../support/set-up.js';

/** The page's DOM, as far as the functions run in the page use it (the project compiles without the DOM library). */
declare const document: { querySelector(selector: string): unknown; querySelectorAll(selector: string): Iterable<unknown> };
/** A CodeMirror 5 editor's element, which carries its API. */
type EditorElement = { CodeMirror?: { getValue(): string } } | null;

/** What the result window shows (run in the page). */
function resultShown(): string {
  return (document.querySelector('.result-window .CodeMirror') as EditorElement)?.CodeMirror?.getValue() ?? '';
}

/** What Chromium sends when a person opens a URL. */
const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

describe('prefersHtml', () => {
  it.each([
    [browserAccept, true],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true], // Firefox
    ['text/html', true],
    ['TEXT/HTML ; q=1', true],
    [undefined, false],
    ['', false],
    ['*/*', false], // curl
    ['application/json', false],
    ['application/graphql-response+json, application/json', false], // GraphiQL's own fetches
    ['text/html, application/json', false], // a tie: GraphQL
    ['text/html, */*', false],
    ['text/html;q=0.5, application/json', false],
    ['text/html;q=0, */*;q=0.1', false],
    ['text/html;q=abc, */*;q=0.1', false], // a malformed quality is no preference
    ['text/html;q=1.5', false],
    ['text/html;q=0.9, application/*;q=0.8', true],
    [';;;,,,==q', false],
  ])('%j prefers HTML: %s', (accept, expected) => {
    expect(prefersHtml(accept)).toBe(expected);
  });

  it('reads no more than 4096 characters nor 64 media ranges', () => {
    expect(prefersHtml(`${'x/y, '.repeat(1000)}text/html`)).toBe(false);
    expect(prefersHtml(`${'a/b;q=0.1,'.repeat(64)}text/html`)).toBe(false);
    expect(prefersHtml(`${'a/b;q=0.1,'.repeat(63)}text/html`)).toBe(true);
  });
});

describe('the development page over HTTP', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.stop());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, demo.endpoint), { headers });

  it("answers a browser's GET /graphql with GraphiQL under a strict Content-Security-Policy", async () => {
    const response = await get('/graphql', { accept: browserAccept });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('content-security-policy')).toBe(developmentPageContentSecurityPolicy);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    // Everything it loads comes from this server: no URL with a scheme anywhere in the page.
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9]/i);
    expect(html.match(/<script src="[^"]+"/g)).toEqual([
      '<script src="/graphiql/react.js"',
      '<script src="/graphiql/react-dom.js"',
      '<script src="/graphiql/graphiql.js"',
      '<script src="/graphiql/start.js"',
    ]);
    // No inline script the policy would have to allow: only the JSON data block.
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toEqual(['<script type="application/json" id="rampart-graphiql-config">']);
  });

  it('explains how to get a key, with the DATA_DIR this demo reads, and never holds a key', async () => {
    const html = await (await get('/graphql', { accept: browserAccept })).text();
    expect(html).toContain(`<code>DATA_DIR=${demo.dataDir} npx rampart keys create --app demo</code>`);
    expect(html).toContain(JSON.stringify(headersPlaceholder).slice(1, -1));
    expect(html).not.toMatch(/rampart_[0-9a-f]{16}_/);
  });

  it.each([
    ['/graphiql/react.js', 'text/javascript; charset=utf-8'],
    ['/graphiql/react-dom.js', 'text/javascript; charset=utf-8'],
    ['/graphiql/graphiql.js', 'text/javascript; charset=utf-8'],
    ['/graphiql/start.js', 'text/javascript; charset=utf-8'],
    ['/graphiql/graphiql.css', 'text/css; charset=utf-8'],
    ['/graphiql/page.css', 'text/css; charset=utf-8'],
  ])('serves %s from the installed packages, revalidated by ETag', async (path, type) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
    const etag = response.headers.get('etag') as string;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await get(path, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it.each([
    '/graphiql/',
    '/graphiql/../package.json',
    '/graphiql/%2e%2e/package.json',
    '/graphiql/constructor',
    '/graphiql/__proto__',
    '/graphiql/graphiql.js.map',
  ])('serves nothing else under /graphiql/: %s is 404', async (path) => {
    expect((await get(path)).status).toBe(404);
  });

  it("answers a GraphQL client's GET as before: GraphQL, not the page", async () => {
    const url = new URL(demo.endpoint);
    url.searchParams.set('query', '{ categories { name } }');
    const response = await fetch(url, { headers: { accept: 'application/json', 'x-api-key': demo.apiKey } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('the development page in production', () => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo({
      NODE_ENV: 'production',
      PUBLIC_ORIGIN: 'https://api.example.com',
      OIDC_ISSUER: 'https://id.example.com/',
      OIDC_AUDIENCE: 'api',
      APPROOV_SECRET: Buffer.alloc(32, 1).toString('base64'),
      CAPTCHA_PROVIDER: 'turnstile',
      CAPTCHA_SECRET: 'x',
      CAPTCHA_HOSTNAMES: 'shop.example.com',
    });
  });
  afterAll(() => demo.stop());

  it("is not served: a browser's GET /graphql gets the usual CSRF refusal in JSON", async () => {
    const response = await fetch(demo.endpoint, { headers: { accept: browserAccept } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-security-policy')).toBeNull();
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]?.message).toMatch(/Cross-Site Request Forgery/);
  });

  it('serves none of its assets', async () => {
    for (const path of ['/graphiql/graphiql.js', '/graphiql/react.js', '/graphiql/start.js']) {
      expect((await fetch(new URL(path, demo.endpoint))).status).toBe(404);
    }
  });
});

const chromiumPath = '/usr/bin/chromium';
const chromiumMissing = !existsSync(chromiumPath);
if (chromiumMissing) {
  const message = `Chromium is not installed at ${chromiumPath} (apt-get install -y chromium; .ci/run installs it)`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true and ${message}`);
  console.warn(`${message}: skipping the browser test of the development page.`);
}

describe('the development page in headless Chromium', { timeout: 90_000 }, () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const failures: string[] = [];
  const violations: string[] = [];

  beforeAll(async () => {
    if (chromiumMissing) return;
    demo = await startDemo();
    // Playwright starts Chromium on a new, empty user-data-dir of its own.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Every request the page makes, whatever started it.
    context.on('request', (request) => requests.push(request.url()));
    context.on('requestfailed', (request) => failures.push(`${request.url()}: ${request.failure()?.errorText}`));
    context.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${response.url()}: HTTP ${response.status()}`);
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
    });
    page.on('pageerror', (error) => violations.push(error.message));
    // GraphiQL asks for the schema (introspection) as it starts.
    const introspected = page.waitForResponse((response) => response.request().method() === 'POST');
    await page.goto(demo.endpoint.href);
    await page.getByRole('button', { name: /Execute query/ }).waitFor();
    expect((await introspected).status()).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await ifSetUp(browser)?.close();
    await ifSetUp(demo)?.stop();
  });

  /** Replaces an editor's text as a paste would, and returns what it holds afterwards. */
  async function fill(editor: string, text: string): Promise<void> {
    await page.locator(`${editor} .CodeMirror`).first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(text);
  }

  /** Runs the query and waits for the result window to show a JSON answer, parsed. */
  async function run(): Promise<{ data?: any; errors?: Array<{ path?: string[]; extensions: { code: string } }> }> {
    const before = await page.evaluate(resultShown);
    const answered = page.waitForResponse((response) => response.url() === demo.endpoint.href && response.request().method() === 'POST');
    await page.getByRole('button', { name: /Execute query/ }).click();
    await answered;
    const handle = await page.waitForFunction((previous) => {
      const value = (document.querySelector('.result-window .CodeMirror') as EditorElement)?.CodeMirror?.getValue() ?? '';
      return value !== previous && value.trim().startsWith('{') ? value : false;
    }, before);
    return JSON.parse((await handle.jsonValue()) as string);
  }

  function screenshotPath(name: string): string {
    return join(tmpdir(), `rampart-graphiql-${name}-${process.pid}.png`);
  }

  it.skipIf(chromiumMissing)('loads with every request to 127.0.0.1, no error and no Content-Security-Policy violation', async () => {
    expect(requests.length).toBeGreaterThanOrEqual(7);
    const elsewhere = requests.filter((url) => new URL(url).hostname !== '127.0.0.1');
    expect(elsewhere).toEqual([]);
    expect(requests).toContain(new URL('/graphiql/graphiql.js', demo.endpoint).href);
    expect(failures).toEqual([]);
    expect(violations).toEqual([]);
    expect(await page.locator('.rampart-help code').first().textContent()).toBe(
      `DATA_DIR=${demo.dataDir} npx rampart keys create --app demo`,
    );
  });

  it.skipIf(chromiumMissing)('opens on the header editor, pre-filled with an X-API-Key placeholder, never a key', async () => {
    // The open tool (variables or headers) is the editor not hidden.
    const shown = await page.evaluate(() => {
      const editor = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror') as EditorElement;
      return editor?.CodeMirror?.getValue();
    });
    expect(shown).toBe(headersPlaceholder);
    expect(shown).not.toMatch(/rampart_[0-9a-f]{16}_/);
  });

  it.skipIf(chromiumMissing)('a query with a key returns products', async () => {
    await fill('.graphiql-query-editor', '{\n  products(first: 3) {\n    edges { node { name price } }\n  }\n}');
    await fill('.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ 'X-API-Key': demo.apiKey }));
    const result = await run();
    expect(result.errors).toBeUndefined();
    expect(result.data.products.edges).toHaveLength(3);
    for (const edge of result.data.products.edges) {
      expect(edge.node).toEqual({ name: expect.any(String), price: expect.any(Number) });
    }
    const path = screenshotPath('products');
    await page.screenshot({ path });
    console.log(`screenshot of GraphiQL with products: ${path}`);
    expect(requests.filter((url) => new URL(url).hostname !== '127.0.0.1')).toEqual([]);
  });

  it.skipIf(chromiumMissing)('a query without a key shows API_KEY_REQUIRED', async () => {
    await fill('.graphiql-editor-tool .graphiql-editor:not(.hidden)', '{}');
    const result = await run();
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => [error.path?.join('.'), error.extensions.code])).toEqual([['products', 'API_KEY_REQUIRED']]);
    expect(await page.locator('.result-window').textContent()).toContain('API_KEY_REQUIRED');
    const path = screenshotPath('no-key');
    await page.screenshot({ path });
    console.log(`screenshot of GraphiQL refusing a query without a key: ${path}`);
    expect(requests.filter((url) => new URL(url).hostname !== '127.0.0.1')).toEqual([]);
    expect(violations).toEqual([]);
  });
});
