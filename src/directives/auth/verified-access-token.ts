import type { JWTPayload } from 'jose';

/** What a verified access token says, as `@auth` hands it to resolvers and rate limits. */
export interface VerifiedAccessToken {
  /** `iss`: the issuer that signed it. */
  readonly issuer: string;
  /** `sub`: the user (or, for client credentials, the client). */
  readonly subject: string;
  /** Scopes from `scope` (space-separated) and `scp` (array or space-separated). */
  readonly scopes: ReadonlySet<string>;
  /** `exp`, in milliseconds since the epoch. */
  readonly expiresAt: number;
  /** `cnf.jkt`: the thumbprint of the key a DPoP-bound token is bound to. */
  readonly confirmationThumbprint: string | undefined;
  /** `client_id` (RFC 9068), when present. */
  readonly clientId: string | undefined;
  /** Every claim, for resolvers that need more. */
  readonly claims: Readonly<JWTPayload>;
}

/** A request's user, once `@auth` accepted the token (and its DPoP proof, for `DPoP` tokens). */
export interface ProvenUser extends VerifiedAccessToken {
  /** How the token was presented: `Bearer`, or `DPoP` with a valid proof. */
  readonly scheme: 'Bearer' | 'DPoP';
}
