import { authTypeDefs } from './auth/directive.js';
import { publicTypeDefs } from './public-directive.js';
import { requiresApiKeyTypeDefs } from './requires-api-key/directive.js';

/**
 * The SDL of every graphql-rampart directive under its default name, with descriptions; the same
 * text as `schema/directives.graphql` in the package.
 */
export const rampartDirectiveTypeDefs: string = [
  requiresApiKeyTypeDefs(),
  authTypeDefs(),
  publicTypeDefs(),
].join('\n');
