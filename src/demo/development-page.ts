import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Options of {@link createDevelopmentPage}. */
export interface DevelopmentPageOptions {
  /** The GraphQL endpoint's path, which the page queries and answers on. @default '/graphql' */
  readonly endpointPath?: string;
  /** The command that creates a key this server accepts (`npx rampart keys create --app demo`, with its DATA_DIR). */
  readonly keyCommand: string;
}

/**
 * The page's Content-Security-Policy: scripts, styles and requests from this origin only (the
 * fonts and icons GraphiQL's stylesheet embeds are `data:` URLs), no inline script or style, no
 * framing, no form posts, no `<base>`.
 */
export const developmentPageContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where the page's assets are served. */
const assetPath = '/graphiql/';

/** A file the page loads: from an installed package, or the page's own. */
interface Asset {
  readonly type: string;
  load(): string | Buffer;
}

const javascript = 'text/javascript; charset=utf-8';
const css = 'text/css; charset=utf-8';

/** A file of an installed package, found from its package.json (so its export map does not matter). */
function packageFile(name: string, file: string): () => Buffer {
  return () => readFileSync(join(dirname(createRequire(import.meta.url).resolve(`${name}/package.json`)), file));
}

/** What the page runs: GraphiQL on the endpoint, the headers editor open with an X-API-Key placeholder. */
const startScript = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('rampart-graphiql-config').textContent);
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint, enableIncrementalDelivery: false });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.query,
      headers: config.headers,
      defaultHeaders: config.headers,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
`;

const pageStyle = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
.rampart-help { padding: 8px 16px; font-size: 14px; line-height: 1.5; background: #fff8e1; color: #3e2f00; border-bottom: 1px solid #e8d9a8; }
.rampart-help code { font-family: ui-monospace, monospace; background: #fff; padding: 1px 4px; border-radius: 3px; }
#graphiql { flex: 1; min-height: 0; }
`;

const assets: Readonly<Record<string, Asset>> = {
  'react.js': { type: javascript, load: packageFile('react', 'umd/react.production.min.js') },
  'react-dom.js': { type: javascript, load: packageFile('react-dom', 'umd/react-dom.production.min.js') },
  'graphiql.js': { type: javascript, load: packageFile('graphiql', 'dist/index.umd.js') },
  'graphiql.css': { type: css, load: packageFile('graphiql', 'dist/style.css') },
  'start.js': { type: javascript, load: () => startScript },
  'page.css': { type: css, load: () => pageStyle },
};

const defaultQuery = `# Put your API key in the Headers tab below, then run (Ctrl-Enter).
{
  products(first: 3) {
    edges {
      node {
        name
        price
      }
    }
  }
}
`;

/** What the headers editor starts with: a placeholder, never a real key. */
export const headersPlaceholder = '{\n  "X-API-Key": "paste your key here"\n}';

/**
 * GraphiQL for a person with a browser, in development only: `GET /graphql` asked for HTML (a
 * browser's Accept header) answers the page, and `GET /graphiql/…` its assets, read from the
 * installed `graphiql`, `react` and `react-dom` packages (nothing from a CDN; no request leaves the
 * machine). Every other request is left to the caller.
 *
 * @returns A request listener that answers and returns true when the request is the page's.
 */
export function createDevelopmentPage(options: DevelopmentPageOptions): (request: IncomingMessage, response: ServerResponse) => boolean {
  const endpoint = options.endpointPath ?? '/graphql';
  const html = pageHtml(endpoint, options.keyCommand);
  const loaded = new Map<string, { body: Buffer; etag: string }>();
  return (request, response) => {
    if (request.method !== 'GET') return false;
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === endpoint && prefersHtml(request.headers.accept)) {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(html),
        'content-security-policy': developmentPageContentSecurityPolicy,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
      });
      response.end(html);
      return true;
    }
    if (!path.startsWith(assetPath)) return false;
    const name = path.slice(assetPath.length);
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (asset === undefined) return false;
    let file = loaded.get(name);
    if (file === undefined) {
      const content = asset.load();
      const body = typeof content === 'string' ? Buffer.from(content) : content;
      file = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      loaded.set(name, file);
    }
    const headers = { etag: file.etag, 'cache-control': 'no-cache', 'content-security-policy': developmentPageContentSecurityPolicy };
    if (request.headers['if-none-match'] === file.etag) {
      response.writeHead(304, headers).end();
      return true;
    }
    response.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': file.body.length });
    response.end(file.body);
    return true;
  };
}

function pageHtml(endpoint: string, keyCommand: string): string {
  // A JSON data block is not run, so the policy needs no inline script; `<` is escaped so that
  // nothing in it can close the element.
  const config = JSON.stringify({ endpoint, query: defaultQuery, headers: headersPlaceholder }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>graphql-rampart demo · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetPath}graphiql.css">
<link rel="stylesheet" href="${assetPath}page.css">
</head>
<body>
<div class="rampart-help" role="note">
<strong>graphql-rampart demo, development only.</strong>
The catalog needs an API key: create one with <code>${escapeHtml(keyCommand)}</code> in the project's
directory, and put it in the <strong>Headers</strong> tab as <code>"X-API-Key"</code>. It is shown once
and stored only as a hash. Fields such as <code>wholesalePrice</code> also need a user token
(<code>npx rampart token user --sub ID --scope catalog:admin</code>, sent as
<code>"Authorization": "Bearer …"</code>).
</div>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="rampart-graphiql-config">${config}</script>
<script src="${assetPath}react.js"></script>
<script src="${assetPath}react-dom.js"></script>
<script src="${assetPath}graphiql.js"></script>
<script src="${assetPath}start.js"></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The media types a GraphQL answer is sent as. */
const graphqlTypes = ['application/json', 'application/graphql-response+json'];

/**
 * Whether an Accept header prefers HTML to a GraphQL answer, as a browser's navigation does
 * (`text/html,…,*\/*;q=0.8`): `text/html` named with a quality above that of every type a GraphQL
 * answer could be sent as (named, `application/*` or `*\/*`). A tie, a missing or malformed header
 * is not a preference: a GraphQL client gets GraphQL.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined || accept.length > 4096) return false;
  let html = 0;
  let graphql = 0;
  for (const range of accept.split(',').slice(0, 64)) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = quality(parameters);
    if (type === 'text/html') html = Math.max(html, q);
    if (graphqlTypes.includes(type) || type === 'application/*' || type === '*/*') graphql = Math.max(graphql, q);
  }
  return html > 0 && html > graphql;
}

/** The `q` of a media range's parameters: 1 when absent, 0 when malformed. */
function quality(parameters: readonly string[]): number {
  const q = parameters.find((parameter) => parameter.startsWith('q='));
  if (q === undefined) return 1;
  const text = q.slice(2);
  return /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(text) ? Number(text) : 0;
}
