import type { GraphQLResolveInfo } from 'graphql';
import {
  getSecurityContext,
  ProtectionUnavailableError,
  type RampartError,
  type requiresAttestationDirective,
  type SecurityContext,
} from '../index.js';
import { decodeProductCursor } from './catalog/cursor.js';
import type { DemoContext } from './catalog/context.js';

type AttestationDirective = ReturnType<typeof requiresAttestationDirective>;
type Resolver<TSource, TArgs, TResult> = (source: TSource, args: TArgs, context: DemoContext, info: GraphQLResolveInfo) => TResult;

/**
 * Anti-scraping for the catalog listing: the first `freeItems` products are open to any caller
 * with an API key (the genuine app's first screens), and paging deeper needs an app attestation
 * token, so a scraper holding only a stolen key gets the first pages and no more. Depth is the
 * `after` cursor's position among all products, computed on the server (a cursor is the
 * client's to forge). A deep page spends the attestation through the directive's waiver (one
 * page per attestation, as strict as `@requiresAttestation`: a token bound to another request's
 * `Authorization` or already consumed anywhere is refused). Every refusal goes to the observer
 * and to `onRefused` (bans), as a directive's would.
 */
export function guardDeepListing<TSource, TArgs extends { readonly after?: string | null | undefined }, TResult>(
  resolve: Resolver<TSource, TArgs, TResult>,
  attestation: AttestationDirective,
  freeItems: number,
  onRefused: (security: SecurityContext) => void = () => undefined,
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
          const refusal = attestation.waiver === undefined
            ? new ProtectionUnavailableError(undefined, 'attestation_replay_cache_missing')
            : await attestation.waiver.waive(security);
          if (refusal !== undefined) {
            report(security, info, attestation.name, refusal);
            onRefused(security);
            throw refusal;
          }
        }
      }
    }
    return resolve(source, args, context, info);
  };
}

function report(security: SecurityContext, info: GraphQLResolveInfo, directive: string, refusal: RampartError): void {
  const listener = security.observer?.onDecision;
  if (listener === undefined) return;
  const { proven } = security;
  try {
    listener({
      time: Date.now(),
      outcome: 'refused',
      directives: [directive],
      code: refusal.code,
      reason: `deep_listing_${refusal.reason}`,
      coordinate: `${info.parentType.name}.${info.fieldName}`,
      requestId: security.requestId,
      clientIp: security.clientIp,
      apiKeyId: proven.apiKey?.id,
      userSubject: proven.user?.subject,
      appId: proven.attestation?.appId,
      deviceId: proven.attestation?.deviceId,
    });
  } catch {
    // A listener that throws changes nothing.
  }
}
