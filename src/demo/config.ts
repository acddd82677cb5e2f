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
  /**
   * The identity provider whose access tokens `@auth` accepts (`OIDC_ISSUER`, `OIDC_AUDIENCE`,
   * `OIDC_JWKS_URI`, `OIDC_ALGORITHMS`, `OIDC_TOKEN_TYPE`). Absent outside production: the
   * development issuer, served by the demo itself.
   */
  readonly oidc: OidcConfig | undefined;
  /** `PUBLIC_ORIGIN`: the origin clients address (DPoP `htu`, the development issuer's id). */
  readonly publicOrigin: string | undefined;
  /** `REDIS_URL`: shared state (replay caches). Absent: in-memory stores. */
  readonly redisUrl: string | undefined;
}

/** A real identity provider. */
export interface OidcConfig {
  readonly issuer: string;
  readonly audience: string;
  /** Absent: OpenID Connect discovery from the issuer. */
  readonly jwksUri: string | undefined;
  readonly algorithms: readonly string[] | undefined;
  readonly tokenType: string | undefined;
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
  const production = env['NODE_ENV'] === 'production';
  const oidc = readOidc(env, production);
  const publicOrigin = optional(env, 'PUBLIC_ORIGIN');
  if (publicOrigin !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(publicOrigin);
    } catch {
      url = undefined;
    }
    if (url === undefined || url.origin === 'null' || url.pathname !== '/' || url.search !== '') {
      throw new DemoConfigError('PUBLIC_ORIGIN must be an origin such as https://api.example.com');
    }
  }
  const redisUrl = optional(env, 'REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new DemoConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  return {
    port,
    host: host === undefined || host === '' ? undefined : host,
    dataDir: env['DATA_DIR'],
    production,
    trustedProxies,
    maxBodyBytes,
    oidc,
    publicOrigin: publicOrigin === undefined ? undefined : new URL(publicOrigin).origin,
    redisUrl,
  };
}

function optional(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function readOidc(env: Readonly<Record<string, string | undefined>>, production: boolean): OidcConfig | undefined {
  const issuer = optional(env, 'OIDC_ISSUER');
  const audience = optional(env, 'OIDC_AUDIENCE');
  if (issuer === undefined) {
    if (production) {
      throw new DemoConfigError(
        'NODE_ENV=production refuses the development issuer: set OIDC_ISSUER and OIDC_AUDIENCE to your identity provider',
      );
    }
    return undefined;
  }
  if (audience === undefined) throw new DemoConfigError('OIDC_AUDIENCE is required with OIDC_ISSUER');
  const algorithms = optional(env, 'OIDC_ALGORITHMS')?.split(',').map((algorithm) => algorithm.trim());
  return {
    issuer,
    audience,
    jwksUri: optional(env, 'OIDC_JWKS_URI'),
    algorithms,
    tokenType: optional(env, 'OIDC_TOKEN_TYPE'),
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
