import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/** A client's DPoP key pair, as JWKs. */
export interface DpopKeyPair {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint of the public key: the `cnf.jkt` a bound token carries. */
  readonly thumbprint: string;
}

/** Generates an ES256 DPoP key pair, as a client would (development and tests). */
export async function generateDpopKeyPair(): Promise<DpopKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateJwk: await exportJWK(privateKey), publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

/** What a proof is for. */
export interface DpopProofRequest {
  readonly method: string;
  /** The request URI without query and fragment. */
  readonly url: string;
  /** The access token it accompanies (its hash goes into `ath`). */
  readonly accessToken: string;
  /** `iat`, in milliseconds. @default Date.now() */
  readonly now?: number;
}

/**
 * Signs a DPoP proof (RFC 9449 §4.2) for one request, as a client does before each call
 * (development and tests).
 */
export async function signDpopProof(keyPair: Pick<DpopKeyPair, 'privateJwk' | 'publicJwk'>, request: DpopProofRequest): Promise<string> {
  const key = await importJWK(keyPair.privateJwk, 'ES256');
  const { kty, crv, x, y } = keyPair.publicJwk;
  return new SignJWT({
    htm: request.method,
    htu: request.url,
    ath: createHash('sha256').update(request.accessToken, 'ascii').digest('base64url'),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty, crv, x, y } as JWK })
    .setJti(randomUUID())
    .setIssuedAt(Math.floor((request.now ?? Date.now()) / 1000))
    .sign(key);
}
