import { compileProxyTrust } from '../index.js';

/** The demo's configuration, read once at start-up from the environment. */
export interface DemoConfig {
  /** `PORT`: the HTTP port. @default 4000 */
  readonly port: number;
  /** `HOST`: the address to listen on. @default all interfaces */
  readonly host: string | undefined;
  /** `DATA_DIR`: where keys and the catalog live. @default .data */
  readonly dataDir: string | undefined;
  /** `NODE_ENV=production`: introspection off, development providers refused. */
  readonly production: boolean;
  /** `TRUST_PROXY`: comma-separated addresses, CIDR ranges or presets of trusted proxies. @default none */
  readonly trustedProxies: readonly string[];
  /** `MAX_BODY_BYTES`: the largest request body accepted. @default 102400 */
  readonly maxBodyBytes: number;
}

/** A configuration value is missing or wrong; the message names the variable. */
export class DemoConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoConfigError';
  }
}

/** Reads and checks the environment. Throws {@link DemoConfigError} naming what is wrong. */
export function readDemoConfig(env: Readonly<Record<string, string | undefined>>): DemoConfig {
  const port = integer(env, 'PORT', 4000, 0, 65_535);
  const maxBodyBytes = integer(env, 'MAX_BODY_BYTES', 102_400, 1_024, 10_485_760);
  const trustedProxies = (env['TRUST_PROXY'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  try {
    compileProxyTrust(trustedProxies);
  } catch (error) {
    throw new DemoConfigError(`TRUST_PROXY: ${(error as Error).message.replace(/^trustedProxies: /, '')}`);
  }
  const host = env['HOST']?.trim();
  return {
    port,
    host: host === undefined || host === '' ? undefined : host,
    dataDir: env['DATA_DIR'],
    production: env['NODE_ENV'] === 'production',
    trustedProxies,
    maxBodyBytes,
  };
}

function integer(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new DemoConfigError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
