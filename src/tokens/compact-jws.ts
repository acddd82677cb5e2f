/**
 * The shape of a compact JWS (RFC 7515 §7.1): three non-empty base64url segments joined by dots,
 * the first two (`header.payload`) captured as the signing input. A cheap screen before jose
 * verifies: it refuses an empty signature (so `alg: none`), JWE (five segments), whitespace and
 * padding without a parse.
 */
export const compactJws = /^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/;
