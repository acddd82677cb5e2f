import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { encodeProductCursor } from '../src/demo/catalog/cursor.js';
import { benchUserToken as signer, catalogCombinations } from './catalog-protections.js';
import { sideBySide, startVariant, type Variant } from './http/side-by-side.js';

const issuer = 'https://issuer.bench/';
const audience = 'https://api.bench';

/** Fails the benchmark unless `variant` answers `check` correctly: refusals must not be measured. */
async function expectServed(variant: Variant, check: (body: { data?: unknown; errors?: unknown[] }) => boolean): Promise<void> {
  const response = await fetch(variant.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...variant.headers },
    body: variant.body,
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (!check(body)) throw new Error(`${variant.name} did not serve the query: ${JSON.stringify(body).slice(0, 300)}`);
}

/** Benchmark 1: a 1,000-item list whose per-item field needs a user token, five ways. */
export async function measureListOverHttp(rounds: number, seconds: number) {
  const { jwks, token } = await signer();
  const body = JSON.stringify({ query: '{ items { id name price secret } }' });
  const started = await Promise.all(
    ['unprotected', 'rampart', 'rampart-root', 'shield', 'async'].map((name) =>
      startVariant(name, 'bench/http/list-server.ts', [name, JSON.stringify(jwks)]),
    ),
  );
  try {
    // Every variant gets the same headers; only rampart-root reads the key.
    const key = started.find((variant) => variant.name === 'rampart-root')?.announced['key'] ?? 'none';
    const variants: Variant[] = started.map((variant) => ({
      ...variant,
      body,
      headers: { authorization: `Bearer ${token}`, 'x-api-key': key },
    }));
    for (const variant of variants) {
      await expectServed(
        variant,
        (answer) => answer.errors === undefined && (answer.data as { items: Array<{ secret: string }> }).items[999]?.secret === 's999',
      );
    }
    return await sideBySide(variants, rounds, seconds, 10);
  } finally {
    started.forEach((variant) => variant.process.kill());
  }
}

/** What every catalog server variant is started with, the credentials a request carries, and the listing. */
export interface CatalogFixture {
  /** argv[3] of bench/http/catalog-server.ts. */
  readonly settings: string;
  /** A user token with `catalog:admin` (for the per-item `wholesalePrice`) and an Approov attestation. */
  readonly token: string;
  readonly attestation: string;
  /** The listing: 20 products after the 200th, with the staff-only field on each. */
  readonly body: string;
  /** The request headers for a variant (its API key, announced at start). */
  headers(variant: Pick<Variant, 'announced'>): Record<string, string>;
  /** Fails unless the variant serves the listing whole: refusals must not be measured. */
  check(variant: Variant): Promise<void>;
  remove(): void;
}

export async function catalogFixture(): Promise<CatalogFixture> {
  const { jwks, token } = await signer();
  const approovSecret = randomBytes(32).toString('base64');
  const attestation = await new SignJWT({ did: 'bench-device' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(Buffer.from(approovSecret, 'base64'));
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-bench-'));
  return {
    settings: JSON.stringify({ jwks, approovSecret, issuer, audience, dataDir }),
    token,
    attestation,
    body: JSON.stringify({
      query:
        'query ($after: String) { products(first: 20, after: $after) { edges { node { name price wholesalePrice category { name } } } } }',
      variables: { after: encodeProductCursor(200) },
    }),
    headers: (variant) => ({
      'x-api-key': variant.announced['key'] ?? 'none',
      authorization: `Bearer ${token}`,
      'approov-token': attestation,
    }),
    check: (variant) =>
      expectServed(variant, (answer) => {
        const edges = (answer.data as { products?: { edges: Array<{ node: { wholesalePrice: number | null } }> } } | undefined)?.products
          ?.edges;
        return answer.errors === undefined && edges?.length === 20 && edges.every((edge) => typeof edge.node.wholesalePrice === 'number');
      }),
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** Benchmark 2: the demo's listing with its protections on the path, against the same server stripped. */
export async function measureCatalogOverHttp(rounds: number, seconds: number, withRedis: boolean) {
  const fixture = await catalogFixture();
  const names = ['stripped', ...catalogCombinations.slice(0, -1), 'memory', ...(withRedis ? ['redis'] : [])];
  // The first start seeds the catalog; the others open it.
  const first = await startVariant('stripped', 'bench/http/catalog-server.ts', ['stripped', fixture.settings]);
  const others = await Promise.all(
    names.slice(1).map((name) => startVariant(name, 'bench/http/catalog-server.ts', [name, fixture.settings])),
  );
  const started = [first, ...others];
  try {
    const variants: Variant[] = started.map((variant) => ({ ...variant, body: fixture.body, headers: fixture.headers(variant) }));
    for (const variant of variants) await fixture.check(variant);
    return await sideBySide(variants, rounds, seconds, 10);
  } finally {
    started.forEach((variant) => variant.process.kill());
    fixture.remove();
  }
}

/** Benchmark 5: the demo's listing with cost analysis and a budget decision, against the same server without them. */
export async function measureCostOverHttp(rounds: number, seconds: number) {
  const { jwks } = await signer();
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-bench-'));
  const settings = JSON.stringify({ jwks, approovSecret: randomBytes(32).toString('base64'), issuer, audience, dataDir });
  // The first start seeds the catalog; the other opens it.
  const first = await startVariant('stripped', 'bench/http/catalog-server.ts', ['stripped', settings]);
  const started = [first, await startVariant('cost', 'bench/http/catalog-server.ts', ['cost', settings])];
  try {
    const body = JSON.stringify({
      query: 'query ($after: String) { products(first: 20, after: $after) { edges { node { name price category { name } } } } }',
      variables: { after: encodeProductCursor(200) },
    });
    const variants: Variant[] = started.map((variant) => ({ ...variant, body, headers: {} }));
    for (const variant of variants) {
      await expectServed(variant, (answer) => {
        const edges = (answer.data as { products?: { edges: unknown[] } } | undefined)?.products?.edges;
        const costed =
          variant.name === 'stripped' ||
          (answer as { extensions?: { cost?: { actualQueryCost?: number } } }).extensions?.cost?.actualQueryCost === 84;
        return answer.errors === undefined && edges?.length === 20 && costed;
      });
    }
    return await sideBySide(variants, rounds, seconds, 10);
  } finally {
    started.forEach((variant) => variant.process.kill());
    rmSync(dataDir, { recursive: true, force: true });
  }
}
