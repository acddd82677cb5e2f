import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';

/** A test issuer: a key pair, its JWKS, and a signer of access tokens with any claim or header changed. */
export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly alg: 'ES256' | 'RS256';
  readonly kid: string;
  readonly jwks: JSONWebKeySet;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKeyLike;
  /**
   * Signs an access token for `user-1` valid for ten minutes from `now` (seconds). Claims or header
   * members set to `undefined` are left out.
   */
  sign(claims?: Record<string, unknown>, header?: Record<string, unknown>, now?: number): Promise<string>;
}

type CryptoKeyLike = Parameters<SignJWT['sign']>[0];

/** Seconds since the epoch. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export async function createTestIssuer(
  options: { alg?: 'ES256' | 'RS256'; issuer?: string; audience?: string; kid?: string } = {},
): Promise<TestIssuer> {
  const alg = options.alg ?? 'ES256';
  const issuer = options.issuer ?? 'https://issuer.test/';
  const audience = options.audience ?? 'https://api.test';
  const kid = options.kid ?? `key-${Math.random().toString(36).slice(2, 8)}`;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    issuer,
    audience,
    alg,
    kid,
    jwks: { keys: [publicJwk] },
    publicJwk,
    privateKey,
    async sign(claims = {}, header = {}, now = nowSeconds()) {
      const payload: JWTPayload = withoutUndefined({
        iss: issuer,
        aud: audience,
        sub: 'user-1',
        iat: now,
        exp: now + 600,
        scope: 'orders:read orders:write',
        ...claims,
      });
      const protectedHeader = withoutUndefined({ alg, kid, typ: 'at+jwt', ...header });
      return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(privateKey);
    },
  };
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

/** base64url of a JSON value, to hand-craft hostile tokens. */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
