import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/** A certified OpenID Provider (oidc-provider) on loopback, issuing JWT access tokens by client credentials. */
export interface TestOpenIdProvider {
  readonly issuer: string;
  readonly hits: Map<string, number>;
  /** A client-credentials access token (RFC 9068 JWT) for the resource `audience`. */
  token(scope: string): Promise<string>;
  /** Replaces the provider's signing key with a new one (new kid), as a key rotation does. */
  rotateKey(): Promise<void>;
  close(): Promise<void>;
}

const clientId = 'shop-backend';
const clientSecret = 'test-client-secret-not-a-real-one-0123456789';

export async function startOpenIdProvider(audience: string, scopes: readonly string[]): Promise<TestOpenIdProvider> {
  let handler: (request: IncomingMessage, response: ServerResponse) => void | Promise<void> = (_, response) => {
    response.writeHead(503).end();
  };
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    void handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let generation = 0;

  const build = async () => {
    generation += 1;
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: `key-${generation}`, use: 'sig', alg: 'ES256' };
    const provider = new Provider(issuer, {
      jwks: { keys: [jwk] },
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          id_token_signed_response_alg: 'ES256',
        },
      ],
      scopes: [...scopes],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: scopes.join(' '),
            audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 300,
            jwt: { sign: { alg: 'ES256' } },
          }),
        },
      },
      ttl: { ClientCredentials: 300 },
    });
    handler = provider.callback();
  };
  await build();

  return {
    issuer,
    hits,
    async token(scope) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: audience }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`token endpoint: ${body.error}`);
      return body.access_token;
    },
    rotateKey: build,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
