import type { ProvenApiKey } from '../context/proven-credentials.js';
import type { SecurityContext } from '../context/security-context.js';

/**
 * The request's API key as `@requiresApiKey` proves it, for a decision taken outside a field (a
 * trusted-documents policy that lets partners' keys send their own documents). Verifies once per
 * request (the same memo as the directive), spends nothing, never throws.
 */
export interface ApiKeyProbe {
  /** The proven key, or `undefined` when the request carries no valid key (or the store cannot answer). */
  key(security: SecurityContext): ProvenApiKey | undefined | Promise<ProvenApiKey | undefined>;
}
