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

/** What a request's API key was proven to be: its public identity, never the key. */
export interface ProvenApiKey {
  readonly id: string;
  readonly app: string;
  readonly scopes: ReadonlySet<string>;
}

/** What a request's attestation proved, as resolvers and rate limits see it. */
export interface ProvenAttestation {
  readonly provider: string;
  readonly appId: string | undefined;
  /** The app instance (Approov `did`), a rate-limit identity. */
  readonly deviceId: string | undefined;
  readonly expiresAt: number;
}

/**
 * What a request's credentials were proven to be. Each protection fills in its part when its
 * verification succeeds; resolvers read it (`context.rampart.proven.apiKey?.app`).
 */
export interface ProvenCredentials {
  /** The API key's public identity, once `@requiresApiKey` accepted it. */
  apiKey?: ProvenApiKey;
  /** The user, once `@auth` accepted their access token. */
  user?: ProvenUser;
  /** The app instance, once `@requiresAttestation` accepted its token. */
  attestation?: ProvenAttestation;
}
