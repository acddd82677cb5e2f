import type { ProvenUser, VerifiedAccessToken } from '../../context/proven-credentials.js';
import { isPromiseLike } from '../../context/request-memo.js';
import { foldParameterName } from '../../context/query-parameters.js';
import type { SecurityContext } from '../../context/security-context.js';
import { ProtectionUnavailableError, UnauthenticatedError, type RampartError } from '../../errors.js';
import { notifyListener } from '../notify-listener.js';
import { AccessTokenRejectedError, type AccessTokenVerifier } from './access-token-verifier.js';
import { readAuthorization } from './authorization-header.js';
import { DpopProofRejectedError, spendDpopProof, verifyDpopProof } from './dpop-proof.js';
import type { ResolvedAuthOptions } from './options.js';

/**
 * The outcome of verifying a request's access token once. A DPoP proof's `jti` is not spent by
 * the verification (which prewarming runs before any field's cheaper checks): `spendProof` spends
 * it, once per request, when a field's own check reaches it.
 */
export type UserVerification =
  | {
      readonly ok: true;
      readonly user: ProvenUser;
      readonly spendProof?: (() => UserVerification | Promise<UserVerification>) | undefined;
    }
  | { readonly ok: false; readonly error: RampartError };

/**
 * A JWT (a JOSE header and a JSON payload, both base64url of `{"…`) anywhere in a text: a token
 * sent in the URL under any name.
 */
const jwtInText = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\./;

/**
 * Query parameters that carry a user's token, folded (`foldParameterName`). RFC 6750 §2.3 lets a
 * client send `access_token` in the URL but tells resource servers not to rely on it, as URLs are
 * logged and leak through Referer; a token found there is refused, even with a valid header, so
 * that the client is fixed and the token treated as leaked.
 */
const tokenQueryParameters: ReadonlySet<string> = new Set(
  ['access_token', 'token', 'id_token', 'refresh_token', 'auth_token', 'bearer', 'bearer_token', 'authorization', 'jwt'].map(
    foldParameterName,
  ),
);

/**
 * Verifies the access token a request carries, once: reads `Authorization` (Bearer or DPoP),
 * verifies the token with the issuer it names, and for DPoP verifies the proof without spending
 * it. Never throws: keys that cannot be obtained are an `unavailable` outcome.
 */
export function createUserVerification(
  options: ResolvedAuthOptions,
  verifier: AccessTokenVerifier,
): (security: SecurityContext) => UserVerification | Promise<UserVerification> {
  const spentProofKey = {};
  const refuse = (message: string, reason: string): UserVerification => ({
    ok: false,
    error: new UnauthenticatedError(message, reason),
  });
  const invalid = (reason: string) =>
    refuse('The access token is not valid (malformed, expired or not from a trusted issuer). Sign in again.', reason);
  const badProof = (reason: string) =>
    refuse('The DPoP proof is not valid for this request. Sign a new proof for this exact request.', `dpop_${reason}`);
  const unavailable = (error: unknown): UserVerification => {
    notifyListener(options.onDependencyError, error);
    return { ok: false, error: new ProtectionUnavailableError(undefined, 'auth_dependency_unavailable') };
  };
  const failed = (error: unknown): UserVerification => {
    if (error instanceof AccessTokenRejectedError) return invalid(error.reason);
    if (error instanceof DpopProofRejectedError) return badProof(error.reason);
    return unavailable(error);
  };

  const accept = (
    security: SecurityContext,
    scheme: 'Bearer' | 'DPoP',
    token: string,
    verified: VerifiedAccessToken,
  ): UserVerification | Promise<UserVerification> => {
    const bound = verified.confirmationThumbprint;
    if (scheme === 'Bearer') {
      // RFC 9449 §7.1: a DPoP-bound token presented as a bearer token is refused.
      if (bound !== undefined) return invalid('dpop_bound_token_as_bearer');
      return proven(security, verified, 'Bearer');
    }
    const dpop = options.dpop;
    if (dpop === undefined) return invalid('dpop_not_enabled');
    if (bound === undefined) return invalid('dpop_scheme_unbound_token');
    const origin = dpop.publicOrigin ?? (security.host ? `${security.protocol}://${security.host}` : undefined);
    if (origin === undefined) return badProof('no_request_origin');
    const path = security.url.split(/[?#]/, 1)[0] as string;
    return verifyDpopProof(
      {
        proofs: security.headerValues('dpop'),
        accessToken: token,
        boundThumbprint: bound,
        method: security.method,
        url: `${origin}${path.startsWith('/') ? path : `/${path}`}`,
        now: options.clock(),
      },
      dpop,
    ).then((use): UserVerification => {
      const spend = (): UserVerification | Promise<UserVerification> => {
        const first = (isFirst: boolean) => (isFirst ? proven(security, verified, 'DPoP') : badProof('replayed_jti'));
        let answer: boolean | Promise<boolean>;
        try {
          answer = spendDpopProof(use, dpop);
        } catch (error) {
          return unavailable(error);
        }
        return isPromiseLike(answer) ? Promise.resolve(answer).then(first, unavailable) : first(answer);
      };
      // The user is proven once the proof is spent: a replayed proof proves no one.
      const user: ProvenUser = Object.freeze({ ...verified, scheme: 'DPoP' });
      return { ok: true, user, spendProof: () => security.memo.get(spentProofKey, spend, undefined) };
    }, failed);
  };

  return (security) => {
    for (const name of security.queryParameterNames) {
      if (tokenQueryParameters.has(foldParameterName(name)) || security.queryForms.some((form) => jwtInText.test(form))) {
        return refuse(
          'Access tokens are accepted only in the Authorization header, never in the URL: URLs are logged. Treat that token as leaked and sign in again.',
          'token_in_url',
        );
      }
    }
    const credential = readAuthorization(security.headerValues('authorization'), options.maxTokenLength);
    if (credential.kind === 'absent') {
      return refuse('This field requires a user access token: send Authorization: Bearer <token>.', 'missing');
    }
    if (credential.kind === 'malformed') return invalid(credential.reason);
    const { scheme, token } = credential;
    let verified: VerifiedAccessToken | Promise<VerifiedAccessToken>;
    try {
      verified = verifier.verify(token);
    } catch (error) {
      return failed(error);
    }
    if (!isPromiseLike(verified)) return accept(security, scheme, token, verified);
    return verified.then((value) => accept(security, scheme, token, value), failed);
  };
}

/**
 * A bearer token's verification, made once per verified token: a token answered from the
 * verified-token cache is the same object on every request, and so is what it proves (frozen).
 */
const bearerVerifications = new WeakMap<VerifiedAccessToken, UserVerification & { readonly ok: true }>();

function proven(security: SecurityContext, token: VerifiedAccessToken, scheme: 'Bearer' | 'DPoP'): UserVerification {
  let verification = scheme === 'Bearer' ? bearerVerifications.get(token) : undefined;
  if (verification === undefined) {
    verification = { ok: true, user: Object.freeze({ ...token, scheme }) };
    if (scheme === 'Bearer') bearerVerifications.set(token, verification);
  }
  security.proven.user = verification.user;
  return verification;
}
