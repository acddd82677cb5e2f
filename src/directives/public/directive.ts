import type { GraphQLSchema } from 'graphql';
import type { ProtectionDirective } from '../protection.js';
import { resolvePublicOptions, type PublicDirectiveOptions } from './options.js';

/** The SDL of `@public` under the given name. */
export function publicTypeDefs(name = 'public'): string {
  return `"""
This root field is deliberately open to every caller. Without it, a root field that carries no
protection directive makes the schema fail to build (secure by default). It never removes a
protection that a type or interface applies.
"""
directive @${name} on FIELD_DEFINITION
`;
}

/**
 * `@public`: marks a root field as deliberately unprotected, so that the secure-by-default check of
 * {@link applyProtections} lets the schema build. It only records intent; it never cancels a
 * protection that reaches the field from its type or an interface.
 *
 * @example
 * ```graphql
 * type Query { health: String! @public }
 * ```
 */
export function publicDirective(options: PublicDirectiveOptions = {}): ProtectionDirective {
  const { name } = resolvePublicOptions(options);
  return {
    name,
    typeDefs: publicTypeDefs(name),
    transformer: (schema: GraphQLSchema) => schema,
    marksPublic: true,
  };
}
