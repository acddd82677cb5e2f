import { badUserInput } from './errors.js';

const PREFIX = 'product:';
const PAYLOAD = /^product:[1-9][0-9]{0,14}$/;
const MAX_CURSOR_LENGTH = 64;

/**
 * The opaque `products` cursor that points just past the product with this id (base64url of
 * `product:<id>`). Clients must treat it as opaque.
 *
 * @example
 * ```ts
 * encodeProductCursor(7); // 'cHJvZHVjdDo3'
 * ```
 */
export function encodeProductCursor(productId: number): string {
  return Buffer.from(`${PREFIX}${productId}`, 'utf8').toString('base64url');
}

/**
 * The product id a cursor from {@link encodeProductCursor} points past.
 *
 * @throws GraphQLError `BAD_USER_INPUT` for anything else, including a non-canonical encoding.
 * @example
 * ```ts
 * decodeProductCursor('cHJvZHVjdDo3'); // 7
 * ```
 */
export function decodeProductCursor(cursor: string): number {
  if (cursor.length <= MAX_CURSOR_LENGTH) {
    const payload = Buffer.from(cursor, 'base64url').toString('utf8');
    if (PAYLOAD.test(payload)) {
      const productId = Number(payload.slice(PREFIX.length));
      if (encodeProductCursor(productId) === cursor) return productId;
    }
  }
  throw badUserInput('The after cursor is not valid: pass the endCursor of a previous page.');
}
