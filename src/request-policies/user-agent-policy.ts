/** Options of {@link createUserAgentPolicy}. */
export interface UserAgentPolicyOptions {
  /** Patterns refused: a string matches case-insensitively anywhere, a RegExp as written. */
  readonly deny: readonly (string | RegExp)[];
  /**
   * Refuse requests without a User-Agent header.
   * @default false
   */
  readonly requireUserAgent?: boolean;
}

/**
 * One more cheap layer, and a weak one: refuses requests whose User-Agent matches a deny list
 * (a known scraping library, a blocked tool). Bots send a browser's User-Agent, and a blocked tool
 * is swapped for another in minutes (Postman for Insomnia), so this only stops the laziest
 * scripts; it never proves anything about a caller.
 */
export function createUserAgentPolicy(options: UserAgentPolicyOptions): { decide(userAgent: string | undefined): boolean } {
  const patterns = options.deny.map((pattern) =>
    typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : pattern,
  );
  return {
    decide(userAgent) {
      if (userAgent === undefined || userAgent.length === 0) return options.requireUserAgent !== true;
      const sample = userAgent.slice(0, 512);
      return !patterns.some((pattern) => pattern.test(sample));
    },
  };
}
