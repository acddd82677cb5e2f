/**
 * graphql-rampart: protection directives for GraphQL APIs behind mobile and web apps.
 * This is the package's only entry; it exports the library and nothing of the demo.
 */

// Errors
export {
  ApiKeyInvalidError,
  ApiKeyRequiredError,
  AttestationInvalidError,
  AttestationRequiredError,
  CaptchaFailedError,
  CaptchaRequiredError,
  ForbiddenError,
  isRampartError,
  ProtectionUnavailableError,
  RampartError,
  rampartErrorCodes,
  RateLimitedError,
  UnauthenticatedError,
} from './errors.js';
export type { RampartErrorCode, RefusalReason } from './errors.js';

// The per-request security context
export {
  getSecurityContext,
  SecurityContext,
  securityContextFactory,
} from './context/security-context.js';
export type {
  IncomingRequestFacts,
  ProvenCredentials,
  SecurityContextOptions,
} from './context/security-context.js';
export { fromFetchRequest, fromNodeRequest } from './context/request-adapters.js';
export { compileProxyTrust, normaliseAddress, resolveClientIp } from './context/client-ip.js';
export type { ProxyTrust, TrustedProxyPreset } from './context/client-ip.js';
export { RequestMemo } from './context/request-memo.js';

// Composition and the shared directive mechanics
export {
  applyProtections,
  assertRootFieldsProtected,
  UnprotectedRootFieldsError,
} from './directives/apply-protections.js';
export type { ApplyProtectionsOptions } from './directives/apply-protections.js';
export { protectionRank } from './directives/protection.js';
export type {
  CheckOutcome,
  CredentialPreparer,
  FieldCheck,
  FieldProtection,
  ProtectionDirective,
} from './directives/protection.js';
export { getProtectedFieldState, protectFields } from './directives/protect-fields.js';
export type { ProtectedFieldState, ProtectionBuilder } from './directives/protect-fields.js';
export type { DirectiveUsage } from './directives/find-directive-usages.js';
export { rampartDirectiveTypeDefs } from './directives/directive-type-defs.js';

// @public
export { publicDirective, publicTypeDefs } from './directives/public-directive.js';
export type { PublicDirectiveOptions } from './directives/public-directive.js';

// @requiresApiKey and API keys
export {
  requiresApiKeyDirective,
  requiresApiKeyTypeDefs,
} from './directives/requires-api-key/directive.js';
export type { RequiresApiKeyOptions } from './directives/requires-api-key/options.js';
export {
  apiKeyPattern,
  apiKeyPrefix,
  generateApiKey,
  hashApiKey,
} from './api-keys/api-key-format.js';
export type { GeneratedApiKey } from './api-keys/api-key-format.js';
export type { ApiKeyRecord, MaybePromise, VerifiedApiKey } from './api-keys/api-key-record.js';
export type { ApiKeyStore } from './api-keys/api-key-store.js';
export { MemoryApiKeyStore } from './api-keys/memory-api-key-store.js';
export type { MemoryApiKeyStoreOptions } from './api-keys/memory-api-key-store.js';
export { SqliteApiKeyStore } from './api-keys/sqlite-api-key-store.js';
export type { SqliteDatabase, SqliteStatement } from './api-keys/sqlite-api-key-store.js';
export { PostgresApiKeyStore } from './api-keys/postgres-api-key-store.js';
export type { PostgresQueryable } from './api-keys/postgres-api-key-store.js';
export { issueApiKey } from './api-keys/issue-api-key.js';
export type { IssueApiKeyOptions, IssuedApiKey } from './api-keys/issue-api-key.js';

// @auth: OAuth 2.0 / OIDC access tokens, DPoP
export { authDirective, authTypeDefs } from './directives/auth/directive.js';
export type {
  AccessTokenIssuer,
  AuthOptions,
  DpopOptions,
  IssuerKeys,
} from './directives/auth/options.js';
export type { ProvenUser, VerifiedAccessToken } from './directives/auth/verified-access-token.js';
export { scopesOf } from './directives/auth/scopes.js';

// Tokens: key sets, discovery, verified-token cache
export { RemoteKeySet } from './tokens/remote-key-set.js';
export type { RemoteKeySetOptions } from './tokens/remote-key-set.js';
export { oidcJwksUriResolver } from './tokens/oidc-discovery.js';
export type { OidcDiscoveryOptions } from './tokens/oidc-discovery.js';
export { KeySetUnavailableError } from './tokens/key-set-unavailable-error.js';
export { tokenDigest, VerifiedTokenCache } from './tokens/verified-token-cache.js';
export type { VerifiedTokenCacheOptions } from './tokens/verified-token-cache.js';
export type { FetchFunction } from './tokens/fetch-json.js';

// Replay caches (single-use values)
export { ReplayCacheFullError } from './replay/replay-cache.js';
export type { ReplayCache } from './replay/replay-cache.js';
export { MemoryReplayCache } from './replay/memory-replay-cache.js';
export type { MemoryReplayCacheOptions } from './replay/memory-replay-cache.js';
export { RedisReplayCache } from './replay/redis-replay-cache.js';
export type { RedisReplayCacheOptions, RedisSetClient } from './replay/redis-replay-cache.js';

// Development providers (never in production)
export { DevelopmentIssuer } from './development/development-issuer.js';
export type { DevelopmentAccessTokenOptions } from './development/development-issuer.js';
export { generateDpopKeyPair, signDpopProof } from './development/dpop-client.js';
export type { DpopKeyPair, DpopProofRequest } from './development/dpop-client.js';

// @requiresAttestation: Approov and Firebase App Check
export {
  requiresAttestationDirective,
  requiresAttestationTypeDefs,
} from './directives/requires-attestation/directive.js';
export type {
  ProvenAttestation,
  RequiresAttestationOptions,
} from './directives/requires-attestation/directive.js';
export type { AttestationWaiver } from './directives/attestation-waiver.js';
export { AttestationRejectedError } from './directives/requires-attestation/attestation-verifier.js';
export type {
  AttestationVerifier,
  VerifiedAttestation,
} from './directives/requires-attestation/attestation-verifier.js';
export { approovVerifier } from './directives/requires-attestation/approov-verifier.js';
export type { ApproovVerifierOptions } from './directives/requires-attestation/approov-verifier.js';
export {
  firebaseAppCheckJwksUri,
  firebaseAppCheckVerifier,
} from './directives/requires-attestation/firebase-app-check-verifier.js';
export type { FirebaseAppCheckVerifierOptions } from './directives/requires-attestation/firebase-app-check-verifier.js';
export { bindingHashOf } from './directives/requires-attestation/token-binding.js';
export { DevelopmentAttester } from './development/development-attester.js';
export type { DevelopmentAttestationOptions } from './development/development-attester.js';

// @rateLimit, IP and user-agent policies
export { rateLimitDirective, rateLimitTypeDefs } from './directives/rate-limit/directive.js';
export type { RateLimitEvent, RateLimitOptions } from './directives/rate-limit/directive.js';
export { RateLimitStoreFullError } from './rate-limit/rate-limit-store.js';
export type { RateLimitDecision, RateLimitStore } from './rate-limit/rate-limit-store.js';
export { MemoryRateLimitStore } from './rate-limit/memory-rate-limit-store.js';
export type { MemoryRateLimitStoreOptions } from './rate-limit/memory-rate-limit-store.js';
export { RedisRateLimitStore } from './rate-limit/redis-rate-limit-store.js';
export type { RedisRateLimitStoreOptions, RedisScriptClient } from './rate-limit/redis-rate-limit-store.js';
export { FallbackRateLimitStore } from './rate-limit/fallback-rate-limit-store.js';
export { addressKey, rateLimitIdentities, rateLimitIdentityOf } from './rate-limit/rate-limit-identity.js';
export type { RateLimitIdentity } from './rate-limit/rate-limit-identity.js';
export { createIpPolicy } from './rate-limit/ip-policy.js';
export type { IpDecision, IpPolicy, IpPolicyOptions } from './rate-limit/ip-policy.js';
export { MemoryBanStore, RedisBanStore } from './rate-limit/ban-store.js';
export type { BanStore, RedisBanClient, RedisBanStoreOptions } from './rate-limit/ban-store.js';
export { createUserAgentPolicy } from './rate-limit/user-agent-policy.js';
export type { UserAgentPolicyOptions } from './rate-limit/user-agent-policy.js';

// @captcha: reCAPTCHA v3, hCaptcha, Turnstile
export { captchaDirective, captchaTypeDefs } from './directives/captcha/directive.js';
export type { CaptchaOptions } from './directives/captcha/directive.js';
export { CaptchaProviderUnavailableError } from './directives/captcha/captcha-verifier.js';
export type { CaptchaFieldsReported, CaptchaVerdict, CaptchaVerifier } from './directives/captcha/captcha-verifier.js';
export { hcaptchaVerifier, recaptchaV3Verifier, turnstileVerifier } from './directives/captcha/providers.js';
export type { HcaptchaVerifierOptions } from './directives/captcha/providers.js';
export type { SiteverifyOptions } from './directives/captcha/siteverify.js';
export { DevelopmentCaptcha } from './development/development-captcha.js';

// Operation limits (before execution)
export { defaultMaxTokens, operationLimitRules } from './operation-limits/operation-limit-rules.js';
export type { OperationLimits } from './operation-limits/operation-limit-rules.js';
export { measureOperation } from './operation-limits/operation-shape.js';
export type { OperationShape, ShapeOptions } from './operation-limits/operation-shape.js';

// Observing the protections: security events, metrics, report-only rollout
export type {
  ProtectionDecisionEvent,
  ProtectionObserver,
  VerificationEvent,
} from './context/protection-observer.js';
export { isReportOnly } from './directives/protection.js';
export type { ReportOnlySetting } from './directives/protection.js';
