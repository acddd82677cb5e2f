import type { RegisteredDirective } from './protection-registry.js';
import { registeredDirectives } from './protection-registry.js';
import { authTypeDefs } from './directives/auth/directive.js';
import { captchaTypeDefs } from './directives/captcha/directive.js';
import { costTypeDefs } from './directives/cost/directive.js';
import { publicTypeDefs } from './directives/public/directive.js';
import { rateLimitTypeDefs } from './directives/rate-limit/directive.js';
import { requiresApiKeyTypeDefs } from './directives/requires-api-key/directive.js';
import { requiresAttestationTypeDefs } from './directives/requires-attestation/directive.js';

/** Each registered directive's SDL under its default name: the compiler asks for a new one's. */
const typeDefsOf: Readonly<Record<RegisteredDirective, () => string>> = {
  requiresApiKey: () => requiresApiKeyTypeDefs(),
  auth: () => authTypeDefs(),
  requiresAttestation: () => requiresAttestationTypeDefs(),
  cost: () => costTypeDefs(),
  rateLimit: () => rateLimitTypeDefs(),
  captcha: () => captchaTypeDefs(),
  public: () => publicTypeDefs(),
};

/**
 * The SDL of every graphql-rampart directive under its default name, with descriptions, in the
 * registry's order; the same text as `schema/directives.graphql` in the package.
 */
export const rampartDirectiveTypeDefs: string = registeredDirectives.map((name) => typeDefsOf[name]()).join('\n');
