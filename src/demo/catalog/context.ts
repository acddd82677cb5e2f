import type { CatalogDatabase } from './database.js';
import { unauthenticated } from './errors.js';
import { createCatalogLoaders } from './loaders.js';
import type { CatalogLoaders } from './loaders.js';
import type { UserRow } from './models.js';

/** The message of a user-only operation called without a signed-in user. */
export const SIGN_IN_REQUIRED = 'Sign in: this operation needs a user access token.';

/** The message of a user-only operation called with a token whose user has no account here. */
export const ACCOUNT_REQUIRED = 'Sign up first: this access token names no account in this shop.';

/** A signed-in user, as the protection layer proved them. */
export interface Viewer {
  /** The user's id: the access token's subject, a `User.id`. */
  readonly userId: string;
}

/** The GraphQL context of the demo's catalog schema, one per request. */
export interface DemoContext {
  readonly db: CatalogDatabase;
  readonly loaders: CatalogLoaders;
  /**
   * The signed-in user proven by the protection layer, or undefined. A function, not a value: the
   * protection layer proves the user while the operation runs, after the context was built (and
   * Apollo Server copies the context's own properties per operation).
   */
  readonly viewer: () => Viewer | undefined;
}

/**
 * The context of one request: the shared database, fresh loaders, and the viewer.
 *
 * @example
 * ```ts
 * await execute({ schema, document, contextValue: createDemoContext(db, { userId }) });
 * ```
 */
export function createDemoContext(db: CatalogDatabase, viewer: Viewer | undefined | (() => Viewer | undefined)): DemoContext {
  return { db, loaders: createCatalogLoaders(db), viewer: typeof viewer === 'function' ? viewer : () => viewer };
}

/**
 * The signed-in user, for the resolvers of user-only operations.
 *
 * @throws GraphQLError `UNAUTHENTICATED` {@link SIGN_IN_REQUIRED} when the request proves none.
 *
 * @example
 * ```ts
 * const { userId } = requireViewer(context);
 * ```
 */
export function requireViewer(context: DemoContext): Viewer {
  const viewer = context.viewer();
  if (viewer === undefined) throw unauthenticated(SIGN_IN_REQUIRED);
  return viewer;
}

/**
 * The signed-in user's account (one batched statement, cached for the request).
 *
 * @throws GraphQLError `UNAUTHENTICATED`: {@link SIGN_IN_REQUIRED} without a viewer,
 * {@link ACCOUNT_REQUIRED} when the token's subject has no account.
 *
 * @example
 * ```ts
 * const user = await requireAccount(context);
 * ```
 */
export async function requireAccount(context: DemoContext): Promise<UserRow> {
  const { userId } = requireViewer(context);
  const user = await context.loaders.userById.load(userId);
  if (user === null) throw unauthenticated(ACCOUNT_REQUIRED);
  return user;
}
