// The schema both adapters' tests serve: a key-protected field, two rate limits, the security
// context's view, and fields that register settlements (at once, on the same tick, later).
import type { GraphQLSchema } from 'graphql';
import {
  getSecurityContext,
  issueApiKey,
  MemoryApiKeyStore,
  MemoryRateLimitStore,
  publicDirective,
  rateLimitDirective,
  requiresApiKeyDirective,
} from '../../src/index.js';
import { protectedSchema } from '../support/harness.js';

const sdl = `
  type Query {
    products: [String!] @requiresApiKey
    perMinute: Int @rateLimit(window: "1m", max: 1, by: [IP])
    perHour: Int @rateLimit(window: "1h", max: 1, by: [IP])
    whoAmI: String @public
    requestId: String @public
    settled: String @public
    settledNow: String @public
    settledLater: String @public
    health: String @public
  }
`;

export interface AdapterSchema {
  /** A key the schema's store accepts. */
  readonly key: string;
  /** A fresh schema (fresh rate-limit counters) on the same key store. */
  readonly schema: () => GraphQLSchema;
  /** The `data` each settlement saw, in order; empty it between tests. */
  readonly settledResults: unknown[];
}

/**
 * `settled` adds `extensions.cost` at once and updates it when settled; `settledNow` only when
 * settled, synchronously; `settledLater` when settled, a tick later. `whoAmI` and `requestId` are
 * the security context's `clientIp` and `requestId`.
 */
export async function adapterSchema(app: string): Promise<AdapterSchema> {
  const keys = new MemoryApiKeyStore();
  const { key } = await issueApiKey(keys, { app });
  const clock = () => 1_000_000;
  const settledResults: unknown[] = [];
  const schema = (): GraphQLSchema =>
    protectedSchema(
      sdl,
      [requiresApiKeyDirective({ store: keys }), rateLimitDirective({ store: new MemoryRateLimitStore(), clock }), publicDirective()],
      {
        Query: {
          products: () => ['kettle'],
          perMinute: () => 1,
          perHour: () => 1,
          whoAmI: (_: unknown, __: unknown, context: unknown) => getSecurityContext(context)?.clientIp ?? 'none',
          requestId: (_: unknown, __: unknown, context: unknown) => getSecurityContext(context)?.requestId ?? 'none',
          settled: (_: unknown, __: unknown, context: unknown) => {
            const security = getSecurityContext(context);
            security?.setResponseExtension('cost', { requested: 3 });
            security?.afterExecution((result) => {
              settledResults.push(result.data);
              security.setResponseExtension('cost', { requested: 3, actual: 1 });
            });
            return 'ok';
          },
          settledNow: (_: unknown, __: unknown, context: unknown) => {
            const security = getSecurityContext(context);
            security?.afterExecution((result) => {
              settledResults.push(result.data);
              security.setResponseExtension('cost', { requested: 3, actual: 3 });
            });
            return 'ok';
          },
          settledLater: (_: unknown, __: unknown, context: unknown) => {
            const security = getSecurityContext(context);
            security?.afterExecution(async (result) => {
              await new Promise((resolve) => setImmediate(resolve));
              settledResults.push(result.data);
              security.setResponseExtension('cost', { requested: 3, actual: 2 });
            });
            return 'ok';
          },
          health: () => 'ok',
        },
      },
    );
  return { key, schema, settledResults };
}
