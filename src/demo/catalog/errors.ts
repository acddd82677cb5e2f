import { GraphQLError } from 'graphql';

/**
 * The caller sent a value the catalog refuses (out of range, unknown, malformed). The message says
 * what to change and never whether an account or a secret exists.
 *
 * @example
 * ```ts
 * throw badUserInput('Ask for 1 to 100 products per page.');
 * ```
 */
export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/**
 * The operation needs a signed-in user and the request proves none.
 *
 * @example
 * ```ts
 * throw unauthenticated('Sign in: this operation needs a user access token.');
 * ```
 */
export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}
