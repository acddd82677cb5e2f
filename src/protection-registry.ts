/**
 * The one place a protection directive is registered: its default name, its position in the fixed
 * check order, and what it verifies once per request. The check order, the observer's kinds, the
 * combined SDL and its drift test all read this table, so a new directive is its folder plus one
 * line here.
 *
 * Order: the cheapest refusal first; checks that spend something (a rate-limit unit, a single-use
 * attestation, a captcha token) last, so that a call refused early never spends them.
 */
export const protectionRegistry = Object.freeze({
  requiresApiKey: { rank: 10, verifies: 'api_key' },
  auth: { rank: 20, verifies: 'access_token' },
  requiresAttestation: { rank: 30, verifies: 'attestation', spendsAt: 45 },
  cost: { rank: 35, verifies: undefined },
  rateLimit: { rank: 40, verifies: undefined },
  captcha: { rank: 50, verifies: 'captcha' },
  public: { rank: 0, verifies: undefined },
} as const);

/** The default name of a registered directive. */
export type RegisteredDirective = keyof typeof protectionRegistry;

/** What a directive verifies once per request, as security events name it. */
export type VerificationKind = NonNullable<(typeof protectionRegistry)[RegisteredDirective]['verifies']>;

/** The registered directives, in check order (`public`, which checks nothing, last). */
export const registeredDirectives: readonly RegisteredDirective[] = Object.freeze(Object.keys(protectionRegistry) as RegisteredDirective[]);
