/**
 * Keys to verify a token could not be obtained (the JWKS or discovery endpoint is down, slow or
 * answering garbage) and none usable is cached. A check that meets it fails closed with
 * `PROTECTION_UNAVAILABLE`.
 */
export class KeySetUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeySetUnavailableError';
  }
}
