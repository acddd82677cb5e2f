import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import {
  applyProtections,
  authDirective,
  captchaDirective,
  costDirective,
  publicDirective,
  rateLimitDirective,
  requiresApiKeyDirective,
  requiresAttestationDirective,
  type AccessTokenIssuer,
  type ApiKeyStore,
  type AttestationVerifier,
  type CaptchaVerifier,
  type CostBudgetStore,
  type RateLimitEvent,
  type RateLimitStore,
  type ReplayCache,
  type ReportOnlySetting,
  type RequiresApiKeyDirective,
} from '../index.js';
import { canonicalGiftCardCode } from './catalog/gift-card-code.js';
import { catalogResolvers } from './catalog/resolvers.js';
import type { CostConfig } from './config.js';

/** schema/catalog.graphql, the demo's SDL (its directives are the library's). */
export const catalogSdl: string = readFileSync(new URL('../../schema/catalog.graphql', import.meta.url), 'utf8');

/** What the demo's protections need. */
export interface DemoProtections {
  readonly apiKeyStore: ApiKeyStore;
  /** The identity provider whose access tokens `@auth` accepts. */
  readonly tokenIssuer: AccessTokenIssuer;
  /**
   * Remember single-use values (Redis when several instances run), one cache per use so that a
   * flood of one kind cannot crowd out another.
   */
  readonly replayCaches: { readonly dpop: ReplayCache; readonly attestation: ReplayCache; readonly captcha: ReplayCache };
  /** The attestation formats accepted. */
  readonly attestationVerifiers: readonly AttestationVerifier[];
  /** Rate-limit counters (Redis when several instances run). */
  readonly rateLimitStore: RateLimitStore;
  /** Cost budgets (Redis when several instances run), and their limits. */
  readonly cost: CostConfig & { readonly store: CostBudgetStore };
  /** Told of every rate-limited call and every request over its cost budget (the IP policy counts them towards bans). */
  readonly onLimited?: (event: Pick<RateLimitEvent, 'clientIp'>) => void;
  /** The captcha provider, the hostnames its tokens may come from, the default lowest score. */
  readonly captcha: { readonly verifier: CaptchaVerifier; readonly hostnames: readonly string[]; readonly minScore?: number | undefined };
  /** The origin clients address, for DPoP `htu`; absent: rebuilt from the request. */
  readonly publicOrigin?: string | undefined;
  /** Told when a dependency of a check fails (the error only, never a credential). */
  readonly onDependencyError?: (error: unknown) => void;
  /** The protections' clock, in milliseconds (tests move it). @default Date.now */
  readonly clock?: () => number;
  /** Directives (by name) that only report, for every field or the listed ones. */
  readonly reportOnly?: Readonly<Record<string, ReportOnlySetting>>;
  /** The catalog SDL. @default schema/catalog.graphql (benchmarks raise its rate limits) */
  readonly sdl?: string;
}

/**
 * The demo catalog schema with its protections applied, as any server using the library would
 * build it: the directives' SDL plus the catalog's, the resolvers, then `applyProtections`.
 */
export function buildDemoSchema(protections: DemoProtections): DemoSchema {
  const report = protections.onDependencyError ?? (() => undefined);
  const clock = protections.clock ?? Date.now;
  const reportOnly = (directive: string) => {
    const setting = protections.reportOnly?.[directive];
    return setting === undefined ? {} : { reportOnly: setting };
  };
  const apiKey = requiresApiKeyDirective({
    store: protections.apiKeyStore,
    onDependencyError: report,
    clock,
    ...reportOnly('requiresApiKey'),
  });
  const auth = authDirective({
    clock,
    ...reportOnly('auth'),
    issuers: [protections.tokenIssuer],
    dpop: {
      replayCache: protections.replayCaches.dpop,
      ...(protections.publicOrigin ? { publicOrigin: protections.publicOrigin } : {}),
    },
    onDependencyError: report,
  });
  const attestation = requiresAttestationDirective({
    verifiers: protections.attestationVerifiers,
    replayCache: protections.replayCaches.attestation,
    clock,
    onDependencyError: report,
    ...reportOnly('requiresAttestation'),
  });
  const rateLimit = rateLimitDirective({
    store: protections.rateLimitStore,
    // The limit on a code counts the code the catalog looks up.
    canonicalArguments: { 'Mutation.redeemGiftCard.code': canonicalGiftCardCode },
    clock,
    onDependencyError: report,
    ...reportOnly('rateLimit'),
    ...(protections.onLimited ? { onLimited: protections.onLimited } : {}),
  });
  const captcha = captchaDirective({
    verifier: protections.captcha.verifier,
    hostnames: protections.captcha.hostnames,
    ...(protections.captcha.minScore === undefined ? {} : { minScore: protections.captcha.minScore }),
    replayCache: protections.replayCaches.captcha,
    attestation,
    clock,
    onDependencyError: report,
    ...reportOnly('captcha'),
  });
  // Anti-scraping: what a caller reads, whatever the query's shape, against a budget per key and
  // address without attestation, and a larger one per attested app instance.
  const { unattested, attested } = protections.cost;
  const cost = costDirective({
    store: protections.cost.store,
    attestation,
    budgets: [
      { name: 'unattested', tier: 'unattested', by: ['API_KEY', 'IP'], ...unattested },
      { name: 'attested', tier: 'attested', by: ['APP_INSTANCE'], ...attested },
    ],
    maxCost: protections.cost.maxCost,
    maxListSize: protections.cost.maxListSize,
    clock,
    onDependencyError: report,
    ...reportOnly('cost'),
    ...(protections.onLimited ? { onLimited: protections.onLimited } : {}),
  });
  const open = publicDirective();
  const directives = [apiKey, auth, attestation, cost, rateLimit, captcha, open];
  const schema = makeExecutableSchema({
    typeDefs: [...directives.map((directive) => directive.typeDefs), protections.sdl ?? catalogSdl],
    resolvers: catalogResolvers,
  });
  return { schema: applyProtections(schema, directives), apiKey };
}

/** The protected schema, and the API key directive (whose probe the trusted documents use). */
export interface DemoSchema {
  readonly schema: GraphQLSchema;
  readonly apiKey: RequiresApiKeyDirective;
}
