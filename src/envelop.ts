/**
 * graphql-rampart/envelop: the protections on GraphQL Yoga and any envelop server, as one plugin.
 * `useRampart()` sets each operation's security context, adds the operation and token limits, and
 * sets `Retry-After`. Needs `@envelop/core` (GraphQL Yoga brings it) for its types only.
 */
export { useRampart, yogaRequestFacts } from './adapters/envelop-plugin.js';
export type { RampartContext, RampartPlugin, UseRampartOptions } from './adapters/envelop-plugin.js';
export type { RampartServerOptions } from './adapters/server-options.js';
