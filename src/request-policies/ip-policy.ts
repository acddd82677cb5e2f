import { addressKey, compileProxyTrust, type ProxyTrust } from '../context/client-ip.js';
import { MemoryBanStore, type BanStore } from '../rate-limit/ban-store.js';
import { MemoryRateLimitStore } from '../rate-limit/memory-rate-limit-store.js';
import type { RateLimitStore } from '../rate-limit/rate-limit-store.js';

/** Options of {@link createIpPolicy}. */
export interface IpPolicyOptions {
  /** Addresses, CIDR ranges (IPv4 and IPv6) or presets always refused. @default [] */
  readonly deny?: readonly string[];
  /** When not empty, only these addresses and ranges may call at all. @default [] (everyone) */
  readonly allow?: readonly string[];
  /**
   * Temporary bans for addresses that keep hitting rate limits: `violations` refusals within
   * `withinMs` ban the address for the next of `durationsMs` (escalating while bans keep coming
   * within `memoryMs`). `false` turns bans off.
   * @default { violations: 10, withinMs: 600000, durationsMs: [60000, 600000, 3600000, 86400000], memoryMs: 86400000 }
   */
  readonly bans?:
    | false
    | {
        readonly violations?: number;
        readonly withinMs?: number;
        readonly durationsMs?: readonly number[];
        readonly memoryMs?: number;
        /** Where bans live. @default MemoryBanStore */
        readonly store?: BanStore;
        /** Where violations are counted. @default MemoryRateLimitStore */
        readonly violationStore?: RateLimitStore;
      };
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/** An IP policy's answer for one request. */
export type IpDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'denied' | 'not_allowed' }
  | { readonly allowed: false; readonly reason: 'banned'; readonly retryAfterSeconds: number };

/** Deny and allow lists and temporary bans, checked before anything else about a request. */
export interface IpPolicy {
  /** Whether a request from `clientIp` may proceed at all. Rejects when the ban store is down. */
  decide(clientIp: string): IpDecision | Promise<IpDecision>;
  /** Records that `clientIp` hit a rate limit (feed it `@rateLimit`'s `onLimited`). */
  recordViolation(clientIp: string): Promise<void>;
}

/**
 * The cheapest refusal of all, before any credential is looked at: addresses on the deny list,
 * addresses outside a configured allow list, and addresses temporarily banned after repeated
 * rate-limit violations (escalating). Addresses come from the security context (trusted proxies
 * only); IPv6 bans cover the /64. Bans are counted and kept in stores shared through Redis when
 * several instances run.
 */
export function createIpPolicy(options: IpPolicyOptions = {}): IpPolicy {
  const deny: ProxyTrust = compileProxyTrust(options.deny ?? []);
  const allow: ProxyTrust = compileProxyTrust(options.allow ?? []);
  const clock = options.clock ?? Date.now;
  const bans =
    options.bans === false
      ? undefined
      : {
          violations: options.bans?.violations ?? 10,
          withinMs: options.bans?.withinMs ?? 600_000,
          durationsMs: options.bans?.durationsMs ?? [60_000, 600_000, 3_600_000, 86_400_000],
          memoryMs: options.bans?.memoryMs ?? 86_400_000,
          store: options.bans?.store ?? new MemoryBanStore(),
          violationStore: options.bans?.violationStore ?? new MemoryRateLimitStore({ maxKeys: 100_000 }),
        };
  if (
    bans &&
    (!Number.isInteger(bans.violations) || bans.violations < 1 || bans.durationsMs.length === 0 || bans.durationsMs.some((d) => !(d > 0)))
  ) {
    throw new TypeError('createIpPolicy: bans need violations >= 1 and positive durations');
  }
  return {
    decide(clientIp) {
      if (deny.trusts(clientIp)) return { allowed: false, reason: 'denied' };
      if (!allow.none && !allow.trusts(clientIp)) return { allowed: false, reason: 'not_allowed' };
      if (bans === undefined) return { allowed: true };
      const now = clock();
      const until = bans.store.bannedUntil(addressKey(clientIp), now);
      const judge = (bannedUntil: number): IpDecision =>
        bannedUntil > now
          ? { allowed: false, reason: 'banned', retryAfterSeconds: Math.max(1, Math.ceil((bannedUntil - now) / 1000)) }
          : { allowed: true };
      return typeof until === 'number' ? judge(until) : until.then(judge);
    },
    async recordViolation(clientIp) {
      if (bans === undefined) return;
      const address = addressKey(clientIp);
      const now = clock();
      const decision = await bans.violationStore.consume(`violations:${address}`, 1, bans.violations - 1, bans.withinMs, now);
      if (!decision.allowed) await bans.store.ban(address, now, bans.durationsMs, bans.memoryMs);
    },
  };
}
