import { authTypeDefs } from './auth/directive.js';
import { captchaTypeDefs } from './captcha/directive.js';
import { publicTypeDefs } from './public-directive.js';
import { rateLimitTypeDefs } from './rate-limit/directive.js';
import { requiresApiKeyTypeDefs } from './requires-api-key/directive.js';
import { requiresAttestationTypeDefs } from './requires-attestation/directive.js';

/**
 * The SDL of every graphql-rampart directive under its default name, with descriptions; the same
 * text as `schema/directives.graphql` in the package.
 */
export const rampartDirectiveTypeDefs: string = [
  requiresApiKeyTypeDefs(),
  authTypeDefs(),
  requiresAttestationTypeDefs(),
  rateLimitTypeDefs(),
  captchaTypeDefs(),
  publicTypeDefs(),
].join('\n');
