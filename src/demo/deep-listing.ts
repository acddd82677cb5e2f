import type { GraphQLResolveInfo } from 'graphql';
import { getSecurityContext, ProtectionUnavailableError, type requiresAttestationDirective } from '../index.js';
import { decodeProductCursor } from './catalog/cursor.js';
import type { DemoContext } from './catalog/context.js';

type AttestationDirective = ReturnType<typeof requiresAttestationDirective>;
type Resolver<TSource, TArgs, TResult> = (source: TSource, args: TArgs, context: DemoContext, info: GraphQLResolveInfo) => TResult;

/**
 * Anti-scraping for the catalog listing: the first `freeItems` products are open to any caller
 * with an API key (the genuine app's first screens), and paging deeper needs an app attestation
 * token, so a scraper holding only a stolen key gets the first pages and no more. Depth is the
 * `after` cursor's position among all products, computed on the server (a cursor is the
 * client's to forge).
 */
export function guardDeepListing<TSource, TArgs extends { readonly after?: string | null | undefined }, TResult>(
  resolve: Resolver<TSource, TArgs, TResult>,
  attestation: AttestationDirective,
  freeItems: number,
): Resolver<TSource, TArgs, Promise<TResult>> {
  return async (source, args, context, info) => {
    if (typeof args.after === 'string') {
      let afterId: number | undefined;
      try {
        afterId = decodeProductCursor(args.after);
      } catch {
        afterId = undefined; // the listing itself answers a bad cursor
      }
      if (afterId !== undefined) {
        const row = await context.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM products WHERE id <= ?', afterId);
        const depth = row?.n ?? 0;
        if (depth >= freeItems) {
          const security = getSecurityContext(context);
          if (security === undefined) throw new ProtectionUnavailableError(undefined, 'security_context_missing');
          const refusal = await attestation.enforce(security);
          if (refusal !== undefined) throw refusal;
        }
      }
    }
    return resolve(source, args, context, info);
  };
}
