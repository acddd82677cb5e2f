/**
 * graphql-rampart/apollo: the protections on Apollo Server 5. `rampartApollo()` gives the plugin,
 * the validation rules, the parse options and the context function. Needs `@apollo/server` for its
 * types only.
 */
export { rampartApollo } from './adapters/apollo-plugin.js';
export type { RampartApollo } from './adapters/apollo-plugin.js';
export type { RampartServerOptions } from './adapters/server-options.js';
