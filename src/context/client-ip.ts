import { BlockList, isIP } from 'node:net';

/** Named address ranges accepted in {@link SecurityContextOptions.trustedProxies}. */
export type TrustedProxyPreset = 'loopback' | 'linklocal' | 'uniquelocal';

const presets: Record<TrustedProxyPreset, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

function isTrustedProxyPreset(entry: string): entry is TrustedProxyPreset {
  return Object.hasOwn(presets, entry);
}

/** At most this many X-Forwarded-For hops are read, from the right; the rest is never parsed. */
export const maxForwardedHops = 32;
/** A longer X-Forwarded-For value is cut to its last this many characters before parsing. */
const maxForwardedLength = 2048;

/**
 * Which peers may speak for the client through `X-Forwarded-For`. Built once from the configured
 * list of addresses, CIDR ranges and presets.
 */
export interface ProxyTrust {
  /** True when `address` (already normalised) is a configured proxy. */
  trusts(address: string): boolean;
  /** True when no proxy is trusted at all (the socket address is the client). */
  readonly none: boolean;
}

/**
 * Compiles a trusted-proxy list (`'10.0.0.0/8'`, `'2001:db8::1'`, `'loopback'`) into a matcher.
 * Throws `TypeError` naming the entry that is not an address, a range or a preset.
 */
export function compileProxyTrust(entries: readonly string[]): ProxyTrust {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    const ranges = isTrustedProxyPreset(entry) ? presets[entry] : [entry];
    for (const range of ranges) addRange(list, range, raw);
  }
  const none = entries.length === 0;
  return {
    none,
    trusts(address: string): boolean {
      if (none) return false;
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

function addRange(list: BlockList, range: string, original: string): void {
  const slash = range.indexOf('/');
  const address = normaliseAddress(slash === -1 ? range : range.slice(0, slash));
  const family = address === undefined ? 0 : isIP(address);
  if (address === undefined || family === 0) {
    throw new TypeError(`trustedProxies: "${original}" is not an IP address, a CIDR range or one of ${Object.keys(presets).join(', ')}`);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) {
    list.addAddress(address, type);
    return;
  }
  const prefixText = range.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) {
    throw new TypeError(`trustedProxies: "${original}" has an invalid prefix length`);
  }
  list.addSubnet(address, prefix, type);
}

/**
 * Normalises an address as peers report it: strips `[...]` brackets and a port, a zone index,
 * and maps IPv4-mapped IPv6 (`::ffff:203.0.113.9`) to plain IPv4. Returns `undefined` when what is
 * left is not an IP address.
 */
export function normaliseAddress(raw: string): string | undefined {
  let text = raw.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1) return undefined;
    text = text.slice(1, end);
  } else if (text.indexOf(':') !== -1 && text.indexOf(':') === text.lastIndexOf(':')) {
    // IPv4 with a port, "203.0.113.9:4711"
    text = text.slice(0, text.indexOf(':'));
  }
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const family = isIP(text);
  if (family === 0) return undefined;
  if (family === 6) {
    const lower = text.toLowerCase();
    if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7);
    return lower;
  }
  return text;
}

/**
 * The client's address. The socket peer is the client unless it is a trusted proxy; then
 * `X-Forwarded-For` is walked from the right, each hop vouched for by the one after it, and the
 * first address that is not a trusted proxy is the client. An entry that is not an address stops
 * the walk at the last hop that could be vouched for. A client cannot choose its address by
 * sending its own `X-Forwarded-For`: only what trusted proxies appended is ever read.
 *
 * @param remoteAddress The socket peer's address.
 * @param forwardedFor Every `X-Forwarded-For` header value, in the order received.
 * @returns The address, or `'unknown'` when the socket address is missing or unparseable.
 */
export function resolveClientIp(remoteAddress: string | undefined, forwardedFor: readonly string[], trust: ProxyTrust): string {
  let client = remoteAddress === undefined ? undefined : normaliseAddress(remoteAddress);
  if (client === undefined) return 'unknown';
  if (trust.none || forwardedFor.length === 0 || !trust.trusts(client)) return client;
  let joined = forwardedFor.join(',');
  if (joined.length > maxForwardedLength) joined = joined.slice(joined.length - maxForwardedLength);
  const hops = joined.split(',');
  const stop = Math.max(0, hops.length - maxForwardedHops);
  for (let i = hops.length - 1; i >= stop; i--) {
    const hop = normaliseAddress(hops[i] as string);
    if (hop === undefined) return client;
    client = hop;
    if (!trust.trusts(hop)) return hop;
  }
  return client;
}

/** An IPv4 address as is; an IPv6 address as its /64 prefix. */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return groups.map((group) => (group.includes('.') ? group : group.replace(/^0+(?=.)/, '')));
}
