import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { createFileOnce } from './create-file-once.js';

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

/**
 * The DPoP key pair kept in `path` (mode 0600), generated on first use. Two processes opening it at
 * once agree on one pair: the first file written wins. `created` tells whether this call made it.
 */
export async function openDpopKeyPair(path: string): Promise<{ readonly keyPair: DpopKeyPair; readonly created: boolean }> {
  if (existsSync(path)) return { keyPair: readDpopKeyPair(path), created: false };
  const keyPair = await generateDpopKeyPair();
  if (!createFileOnce(path, `${JSON.stringify(keyPair, null, 2)}\n`)) return { keyPair: readDpopKeyPair(path), created: false };
  return { keyPair, created: true };
}

function readDpopKeyPair(path: string): DpopKeyPair {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<DpopKeyPair>;
  if (typeof parsed.privateJwk?.d !== 'string' || typeof parsed.publicJwk !== 'object' || typeof parsed.thumbprint !== 'string') {
    throw new Error(`${path} is not a DPoP key file`);
  }
  return parsed as DpopKeyPair;
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
