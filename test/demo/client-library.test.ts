import Database from 'better-sqlite3';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { readDemoConfig } from '../../src/demo/config.js';
import { createDemoServer, type DemoServer } from '../../src/demo/server.js';
import { issueApiKey, SqliteApiKeyStore } from '../../src/index.js';
import { capturedOutput } from '../support/captured-output.js';
import { temporaryDirectory } from '../support/temp-directory.js';

let dataDir: ReturnType<typeof temporaryDirectory>;
let server: DemoServer;
let endpoint: string;
let apiKey: string;

async function cli(...argv: string[]): Promise<string> {
  const out = capturedOutput();
  await runCli(argv, { DATA_DIR: dataDir.path }, out);
  return out.stdout.join('\n').trim();
}

beforeAll(async () => {
  dataDir = temporaryDirectory();
  server = createDemoServer(readDemoConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir.path }), () => undefined);
  endpoint = (await server.start()).href;
  apiKey = (await issueApiKey(new SqliteApiKeyStore(new Database(`${dataDir.path}/keys.db`)), { app: 'web' })).key;
});
afterAll(async () => {
  await server.stop();
  dataDir.remove();
});

const catalogWithStaffFields = gql`
  query Product($id: ID!) {
    product(id: $id) {
      name
      price
      wholesalePrice
    }
    categories {
      name
    }
  }
`;

describe('the demo through graphql-request, as a client developer sees it', () => {
  it('returns partial data with each refused field’s error and code (errorPolicy: all)', async () => {
    const client = new GraphQLClient(endpoint, { headers: { 'X-API-Key': apiKey }, errorPolicy: 'all' });
    const { data, errors } = await client.rawRequest<{
      product: { name: string; price: number; wholesalePrice: number | null };
      categories: unknown[];
    }>(catalogWithStaffFields, { id: '1' });
    expect(data.product.name).toBeTypeOf('string');
    expect(data.product.wholesalePrice).toBeNull();
    expect(data.categories.length).toBeGreaterThan(0);
    expect(errors?.map((error) => [error.path?.join('.'), error.extensions['code']])).toEqual([
      ['product.wholesalePrice', 'UNAUTHENTICATED'],
    ]);
  });

  it('throws a ClientError carrying the code with the default error policy', async () => {
    const client = new GraphQLClient(endpoint);
    const failure = await client
      .request(gql`
        {
          categories {
            name
          }
        }
      `)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClientError);
    expect((failure as ClientError).response.errors?.[0]?.extensions['code']).toBe('API_KEY_REQUIRED');
    expect((failure as ClientError).response.status).toBe(200);
  });

  it('serves everything to the genuine app’s credentials', async () => {
    const token = await cli('token', 'user', '--sub', 'staff-1', '--scope', 'catalog:admin');
    const client = new GraphQLClient(endpoint, { headers: { 'X-API-Key': apiKey, Authorization: `Bearer ${token}` } });
    const data = await client.request<{ product: { wholesalePrice: number } }>(catalogWithStaffFields, { id: '1' });
    expect(data.product.wholesalePrice).toBeTypeOf('number');
  });

  it('reads RATE_LIMITED with retryAfter', async () => {
    const client = new GraphQLClient(endpoint, { headers: { 'X-API-Key': apiKey }, errorPolicy: 'all' });
    const burst = Array.from(
      { length: 6 },
      (_, i) => `u${i}: signUp(email: "c${i}@example.com", password: "correct horse battery") { id }`,
    ).join(' ');
    const { errors } = await client.rawRequest(`mutation { ${burst} }`);
    const limited = errors?.find((error) => error.extensions['code'] === 'RATE_LIMITED');
    expect(limited?.extensions['retryAfter']).toBeGreaterThan(0);
  });
});
