import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { withCredentialPrewarm } from './credential-prewarm.js';
import { getProtectedFieldState } from './protect-fields.js';
import type { ProtectionDirective } from './protection.js';

/** Options of {@link applyProtections}. */
export interface ApplyProtectionsOptions {
  /**
   * Refuse to build a schema with a root field (Query, Mutation, Subscription) that no protection
   * reaches and that is not marked public. Turn off only while migrating an existing schema.
   * @default true
   */
  readonly secureByDefault?: boolean;
  /**
   * The name of the directive that marks a root field deliberately open.
   * @default the name of the `publicDirective()` among `directives`, else 'public'
   */
  readonly publicDirectiveName?: string;
}

/**
 * The schema has root fields that no protection reaches and that are not marked public. The
 * message lists every one of them as `Type.field`.
 */
export class UnprotectedRootFieldsError extends Error {
  /** The unprotected root fields, as `Type.field`. */
  readonly coordinates: readonly string[];
  constructor(coordinates: readonly string[], publicName: string) {
    super(
      `graphql-rampart is secure by default: ${coordinates.length === 1 ? 'this root field carries' : 'these root fields carry'} ` +
        `no protection directive and no @${publicName}: ${coordinates.join(', ')}. ` +
        `Protect each one, or mark it @${publicName} if it is meant to be open to everyone.`,
    );
    this.name = 'UnprotectedRootFieldsError';
    this.coordinates = coordinates;
  }
}

/**
 * Applies protection directives to a schema that already has its resolvers, in one call:
 * each directive's transformer, then credential prewarming on root fields, then the
 * secure-by-default check. The order of `directives` does not matter: on every field the checks run
 * in the registry's fixed order (API key, user token, attestation, rate limit,
 * captcha), the cheapest refusal first and the checks that consume something last.
 *
 * Attach resolvers before calling this; a resolver assigned to the returned schema afterwards would
 * replace a protected one.
 *
 * @throws {UnprotectedRootFieldsError} when a root field is neither protected nor public.
 * @example
 * ```ts
 * const apiKey = requiresApiKeyDirective({ store });
 * const open = publicDirective();
 * const schema = applyProtections(
 *   makeExecutableSchema({ typeDefs: [apiKey.typeDefs, open.typeDefs, sdl], resolvers }),
 *   [apiKey, open],
 * );
 * ```
 */
export function applyProtections(
  schema: GraphQLSchema,
  directives: readonly ProtectionDirective[],
  options: ApplyProtectionsOptions = {},
): GraphQLSchema {
  const publicName = options.publicDirectiveName ?? directives.find((directive) => directive.marksPublic === true)?.name ?? 'public';
  const transformed = directives.reduce((current, directive) => directive.transformer(current), schema);
  const prewarmed = mapSchema(transformed, {
    [MapperKind.ROOT_FIELD]: (fieldConfig) => ({
      ...fieldConfig,
      resolve: withCredentialPrewarm(
        (fieldConfig.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>,
      ),
    }),
  });
  if (options.secureByDefault !== false) assertRootFieldsProtected(prewarmed, publicName);
  return prewarmed;
}

/**
 * Throws {@link UnprotectedRootFieldsError} listing every root field that no protection reaches
 * and that does not carry `@<publicName>`.
 */
export function assertRootFieldsProtected(schema: GraphQLSchema, publicName = 'public'): void {
  const unprotected: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const protections = getProtectedFieldState(field)?.protections ?? [];
      if (protections.some((protection) => protection.meters !== true)) continue;
      if ((getDirective(schema, field, publicName) ?? []).length > 0) continue;
      unprotected.push(`${root.name}.${field.name}`);
    }
  }
  if (unprotected.length > 0) throw new UnprotectedRootFieldsError(unprotected, publicName);
}
