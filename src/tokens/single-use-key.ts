import { hash } from 'node:crypto';
import { compactJws } from './compact-jws.js';

/**
 * The name under which a single-use token is remembered. For a compact JWS it is the hash of the
 * signing input (`header.payload`), not of the whole text: base64url leaves spare bits in the last
 * character of the signature, so one token has several spellings that all verify, and hashing the
 * text would let each spelling pass once. Other tokens are named by the hash of their text.
 */
export function singleUseKey(token: string): string {
  const signingInput = compactJws.exec(token)?.[1];
  return hash('sha256', signingInput === undefined ? `text:${token}` : `jws:${signingInput}`, 'base64url');
}
