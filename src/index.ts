/**
 * graphql-rampart: protection directives for GraphQL APIs behind mobile and web apps.
 *
 * The main entry: what a server author needs (directive factories and their options, stores,
 * errors, the security context). Every name here is on a reviewed list (test/package-entry.test.ts):
 * adding one is a decision. Development providers live in `graphql-rampart/development`; server
 * adapters in `graphql-rampart/envelop` and `graphql-rampart/apollo`. Mechanics stay internal.
 */

// Errors: one class per contract code
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
export type { RampartErrorCode } from './errors.js';

// The per-request security context and what it proved
export { getSecurityContext, SecurityContext, securityContextFactory } from './context/security-context.js';
export type { IncomingRequestFacts, SecurityContextOptions } from './context/security-context.js';
export { fromFetchRequest, fromNodeRequest } from './context/request-adapters.js';
export type { ProvenApiKey, ProvenAttestation, ProvenCredentials, ProvenUser } from './context/proven-credentials.js';
export type {
  DocumentDecisionEvent,
  ProtectionDecisionEvent,
  ProtectionObserver,
  VerificationEvent,
} from './context/protection-observer.js';

// Applying directives to a schema
export { applyProtections, UnprotectedRootFieldsError } from './directives/apply-protections.js';
export type { ApplyProtectionsOptions } from './directives/apply-protections.js';
export type { ProtectionDirective, ReportOnlySetting } from './directives/protection.js';
export type { BaseDirectiveOptions } from './directives/base-options.js';
export { rampartDirectiveTypeDefs } from './directive-type-defs.js';

// @public
export { publicDirective } from './directives/public/directive.js';
export type { PublicDirectiveOptions } from './directives/public/options.js';

// @requiresApiKey, and API keys
export { requiresApiKeyDirective } from './directives/requires-api-key/directive.js';
export type { RequiresApiKeyDirective } from './directives/requires-api-key/directive.js';
export type { RequiresApiKeyOptions } from './directives/requires-api-key/options.js';
export { apiKeyPattern } from './api-keys/api-key-format.js';
export type { ApiKeyRecord } from './api-keys/api-key-record.js';
export type { ApiKeyStore } from './api-keys/api-key-store.js';
export { MemoryApiKeyStore } from './api-keys/memory-api-key-store.js';
export { SqliteApiKeyStore } from './api-keys/sqlite-api-key-store.js';
export { PostgresApiKeyStore } from './api-keys/postgres-api-key-store.js';
export { issueApiKey } from './api-keys/issue-api-key.js';

// @auth: OAuth 2.0 / OIDC access tokens, DPoP
export { authDirective } from './directives/auth/directive.js';
export type { AuthDirective } from './directives/auth/directive.js';
export type { AccessTokenIssuer, AuthOptions, DpopOptions, IssuerKeys } from './directives/auth/options.js';

// @requiresAttestation: Approov and Firebase App Check
export { requiresAttestationDirective } from './directives/requires-attestation/directive.js';
export type { RequiresAttestationDirective } from './directives/requires-attestation/directive.js';
export type { RequiresAttestationOptions } from './directives/requires-attestation/options.js';
export type { AttestationWaiver } from './directives/attestation-interfaces.js';
export { AttestationRejectedError } from './directives/requires-attestation/attestation-verifier.js';
export type { AttestationVerifier, VerifiedAttestation } from './directives/requires-attestation/attestation-verifier.js';
export { approovVerifier } from './directives/requires-attestation/approov-verifier.js';
export { firebaseAppCheckVerifier } from './directives/requires-attestation/firebase-app-check-verifier.js';

// @rateLimit and its stores
export { rateLimitDirective } from './directives/rate-limit/directive.js';
export type { RateLimitEvent, RateLimitOptions } from './directives/rate-limit/options.js';
export type { RateLimitIdentity } from './directives/rate-limit-identity.js';
export type { RateLimitDecision, RateLimitStore } from './rate-limit/rate-limit-store.js';
export { MemoryRateLimitStore } from './rate-limit/memory-rate-limit-store.js';
export { RedisRateLimitStore } from './rate-limit/redis-rate-limit-store.js';
export { FallbackRateLimitStore } from './rate-limit/fallback-rate-limit-store.js';

// @cost and @listSize (IBM GraphQL Cost Directives), and cost budgets
export { costDirective } from './directives/cost/directive.js';
export type { CostOptions } from './directives/cost/options.js';
export type { CostBudgetStore } from './rate-limit/cost-budget-store.js';
export { MemoryCostBudgetStore } from './rate-limit/memory-cost-budget-store.js';
export { RedisCostBudgetStore } from './rate-limit/redis-cost-budget-store.js';

// @captcha: reCAPTCHA v3, hCaptcha, Turnstile
export { captchaDirective } from './directives/captcha/directive.js';
export type { CaptchaOptions } from './directives/captcha/options.js';
export { CaptchaProviderUnavailableError } from './directives/captcha/captcha-verifier.js';
export type { CaptchaVerdict, CaptchaVerifier } from './directives/captcha/captcha-verifier.js';
export { hcaptchaVerifier, recaptchaV3Verifier, turnstileVerifier } from './directives/captcha/providers.js';

// Single-use values (DPoP proofs, consumed attestations, captcha tokens)
export type { ReplayCache } from './replay/replay-cache.js';
export { MemoryReplayCache } from './replay/memory-replay-cache.js';
export { RedisReplayCache } from './replay/redis-replay-cache.js';

// Request policies (before any GraphQL work) and operation limits (before execution)
export { createIpPolicy } from './request-policies/ip-policy.js';
export { MemoryBanStore, RedisBanStore } from './rate-limit/ban-store.js';
export type { BanStore } from './rate-limit/ban-store.js';
export { createUserAgentPolicy } from './request-policies/user-agent-policy.js';
export { guardConnections, InFlightLimit } from './request-policies/connection-limits.js';
export { operationLimitRules } from './operation-limits/operation-limit-rules.js';
export type { OperationLimits } from './operation-limits/operation-limit-rules.js';
