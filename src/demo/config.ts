import { readFileSync } from 'node:fs';
import { parseDuration } from '../development.js';
import { createIpPolicy, securityContextFactory, type OperationLimits, type ReportOnlySetting } from '../index.js';

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
   * `SHUTDOWN_GRACE_MS`: on SIGTERM or SIGINT, how long requests in flight may take to finish
   * before their connections are closed. @default 10000
   */
  readonly shutdownGraceMs: number;
  /**
   * `REQUEST_HEADERS_TIMEOUT_MS`: a request's headers must have arrived this long after its first
   * byte, else HTTP 408, the connection closed and a violation counted. @default 10000
   */
  readonly requestHeadersTimeoutMs: number;
  /**
   * `REQUEST_BODY_TIMEOUT_MS`: a request's body must have fully arrived this long after its
   * headers, else HTTP 408, the connection closed and a violation counted. @default 30000
   */
  readonly requestBodyTimeoutMs: number;
  /**
   * `MAX_CONNECTIONS_PER_CLIENT`: connections one address (IPv6: one /64) may hold at once; more
   * are closed at once. Behind a trusted proxy, requests in flight per forwarded client address
   * instead (429). `0`: no cap. @default 64
   */
  readonly maxConnectionsPerClient: number;
  /**
   * The identity provider whose access tokens `@auth` accepts (`OIDC_ISSUER`, `OIDC_AUDIENCE`,
   * `OIDC_JWKS_URI`, `OIDC_ALGORITHMS`, `OIDC_TOKEN_TYPE`). Absent outside production: the
   * development issuer, served by the demo itself.
   */
  readonly oidc: OidcConfig | undefined;
  /** `PUBLIC_ORIGIN`: the origin clients address (DPoP `htu`, the development issuer's id). */
  readonly publicOrigin: string | undefined;
  /**
   * `REDIS_URL`: shared state (rate limits, bans, replay caches). Absent: in-memory stores.
   */
  readonly redisUrl: string | undefined;
  /**
   * `REDIS_PREFIX`: the start of every key the demo writes in Redis, so that several deployments
   * (staging and production, or test runs) can share one Redis. @default 'rampart:'
   */
  readonly redisPrefix: string;
  /**
   * `REDIS_CLUSTER_NODES`: a Redis Cluster instead of one Redis, as a comma-separated list of some
   * of its masters, `host:port` or `redis://[user:password@]host:port` (`rediss://` for TLS); the
   * client finds the others. `REDIS_PASSWORD`: its password, when not in the URLs. Excludes
   * `REDIS_URL`. Absent: `REDIS_URL`, or in-memory stores.
   */
  readonly redisCluster: RedisClusterConfig | undefined;
  /**
   * `DATABASE_URL` (postgres://…): API keys and the catalog in PostgreSQL, shared by instances.
   * Absent: SQLite files in `DATA_DIR`.
   */
  readonly databaseUrl: string | undefined;
  /**
   * How app attestation is verified (`APPROOV_SECRET`, `APPCHECK_PROJECT_NUMBER`,
   * `APPCHECK_APP_IDS`, `APPCHECK_JWKS_URI`). Neither set outside production: the development
   * attester (Approov format, secret in `DATA_DIR`).
   */
  readonly attestation: AttestationConfig;
  /**
   * Query cost budgets (`@cost`, `@listSize`; anti-scraping): `COST_BUDGET_UNATTESTED` per API key
   * and address without attestation, `COST_BUDGET_ATTESTED` per attested app instance, each
   * `POINTS/DURATION` (a bucket of POINTS refilled over DURATION); `COST_MAX` and
   * `COST_MAX_LIST_SIZE` per operation.
   */
  readonly cost: CostConfig;
  /**
   * `TRUSTED_DOCUMENTS`: which documents the demo runs. `enforce`: only the genuine app's (by id,
   * from client/generated/persisted-documents.json and what `rampart documents import` added);
   * `report`: any, each unknown one reported; `off`: any, unreported. API keys with the scope
   * `documents:any` may send their own documents in every mode. `TRUSTED_DOCUMENTS_CACHE_MS`: how
   * long a lookup is remembered (a retired app version stops being served within it).
   * @default enforce in production, report otherwise; cache 10000
   */
  readonly trustedDocuments: { readonly mode: 'enforce' | 'report' | 'off'; readonly cacheMs: number };
  /** `IP_DENYLIST`: addresses and CIDR ranges refused outright. @default none */
  readonly ipDenylist: readonly string[];
  /** `USER_AGENT_DENYLIST`: User-Agent substrings refused (a weak layer). @default none */
  readonly userAgentDenylist: readonly string[];
  /**
   * The captcha provider (`CAPTCHA_PROVIDER`, `CAPTCHA_SECRET`, `CAPTCHA_SITEKEY`,
   * `CAPTCHA_HOSTNAMES`, `CAPTCHA_VERIFY_URL`, `CAPTCHA_MIN_SCORE`). Absent outside production:
   * the development provider.
   */
  readonly captcha: CaptchaConfig | undefined;
  /** `TLS_CERT_FILE` and `TLS_KEY_FILE` (PEM): serve HTTPS (TLS 1.2 minimum). */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /**
   * `REQUIRE_TLS=true`: refuse requests that did not arrive over HTTPS (directly, or per the
   * trusted proxy's `X-Forwarded-Proto`). @default true with TLS_CERT_FILE, else false
   */
  readonly requireTls: boolean;
  /** `HSTS_MAX_AGE`: seconds of `Strict-Transport-Security` on HTTPS responses. @default 31536000 */
  readonly hstsMaxAge: number;
  /** `REPORT_ONLY`: directives (or `directive:Type.field`) that only report. @default none */
  readonly reportOnly: Readonly<Record<string, ReportOnlySetting>>;
  /** `LIMIT_*`: operation limits checked before execution. */
  readonly limits: OperationLimits & { readonly maxTokens: number };
  /** `LOG_LEVEL`: pino's level. @default info */
  readonly logLevel: string;
}

/** The directives whose names `REPORT_ONLY` accepts. */
export const reportableDirectives = ['requiresApiKey', 'auth', 'requiresAttestation', 'cost', 'rateLimit', 'captcha'] as const;

/** A cost budget: a bucket of `capacity` points restored at `restorePerSecond`. */
export interface CostBudgetConfig {
  readonly capacity: number;
  readonly restorePerSecond: number;
}

/** The cost limits and budgets. */
export interface CostConfig {
  /** `COST_BUDGET_UNATTESTED`, per API key and address. @default 250/1h (about 100 products an hour) */
  readonly unattested: CostBudgetConfig;
  /** `COST_BUDGET_ATTESTED`, per attested app instance. @default 10000/1h */
  readonly attested: CostBudgetConfig;
  /** `COST_MAX`: the most one operation may cost. @default 5000 */
  readonly maxCost: number;
  /** `COST_MAX_LIST_SIZE`: the longest list a slicing argument may ask for. @default 100 */
  readonly maxListSize: number;
}

/** A Redis Cluster to keep the shared state in. */
export interface RedisClusterConfig {
  /** Where the client starts: some masters of the cluster (IPv6 hosts without brackets). */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username: string | undefined;
  /** Never logged, never in an error message. */
  readonly password: string | undefined;
  /** `rediss://` nodes: TLS to every node. */
  readonly tls: boolean;
}

/** A real captcha provider. */
export interface CaptchaConfig {
  readonly provider: 'recaptcha' | 'hcaptcha' | 'turnstile';
  readonly secret: string;
  readonly sitekey: string | undefined;
  readonly hostnames: readonly string[];
  readonly verifyUrl: string | undefined;
  readonly minScore: number | undefined;
}

/** Real attestation providers; both may be set. */
export interface AttestationConfig {
  /** The Approov account secret, base64. */
  readonly approovSecret: string | undefined;
  readonly appCheck:
    { readonly projectNumber: string; readonly appIds: readonly string[]; readonly jwksUri: string | undefined } | undefined;
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
  const shutdownGraceMs = integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000);
  const requestHeadersTimeoutMs = integer(env, 'REQUEST_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestBodyTimeoutMs = integer(env, 'REQUEST_BODY_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const maxConnectionsPerClient = integer(env, 'MAX_CONNECTIONS_PER_CLIENT', 64, 0, 1_000_000);
  const trustedProxies = (env['TRUST_PROXY'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  try {
    securityContextFactory({ trustedProxies });
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
  const attestation = readAttestation(env, production);
  const cost: CostConfig = {
    unattested: budget(env, 'COST_BUDGET_UNATTESTED', '250/1h'),
    attested: budget(env, 'COST_BUDGET_ATTESTED', '10000/1h'),
    maxCost: integer(env, 'COST_MAX', 5000, 1, 100_000_000),
    maxListSize: integer(env, 'COST_MAX_LIST_SIZE', 100, 1, 1_000_000),
  };
  const trustedDocumentsMode = optional(env, 'TRUSTED_DOCUMENTS') ?? (production ? 'enforce' : 'report');
  if (trustedDocumentsMode !== 'enforce' && trustedDocumentsMode !== 'report' && trustedDocumentsMode !== 'off') {
    throw new DemoConfigError('TRUSTED_DOCUMENTS must be enforce, report or off');
  }
  const trustedDocuments = {
    mode: trustedDocumentsMode,
    cacheMs: integer(env, 'TRUSTED_DOCUMENTS_CACHE_MS', 10_000, 1, 3_600_000),
  } as const;
  const ipDenylist = list(env, 'IP_DENYLIST');
  try {
    createIpPolicy({ deny: ipDenylist, bans: false });
  } catch (error) {
    throw new DemoConfigError(`IP_DENYLIST: ${(error as Error).message.replace(/^trustedProxies: /, '')}`);
  }
  const userAgentDenylist = list(env, 'USER_AGENT_DENYLIST');
  const captcha = readCaptcha(env, production);
  const tls = readTls(env);
  const requireTlsText = optional(env, 'REQUIRE_TLS');
  if (requireTlsText !== undefined && requireTlsText !== 'true' && requireTlsText !== 'false') {
    throw new DemoConfigError('REQUIRE_TLS must be true or false');
  }
  const requireTls = requireTlsText === undefined ? tls !== undefined : requireTlsText === 'true';
  const hstsMaxAge = integer(env, 'HSTS_MAX_AGE', 31_536_000, 0, 63_072_000);
  const reportOnly = readReportOnly(env);
  if (production && Object.keys(reportOnly).length > 0 && optional(env, 'ALLOW_REPORT_ONLY_IN_PRODUCTION') !== 'true') {
    throw new DemoConfigError(
      'REPORT_ONLY turns enforcement off for what it names: in production it also needs ALLOW_REPORT_ONLY_IN_PRODUCTION=true',
    );
  }
  if (production && publicOrigin === undefined) {
    throw new DemoConfigError(
      'NODE_ENV=production needs PUBLIC_ORIGIN (the origin clients address), so that DPoP proofs are checked against it, not against the Host header',
    );
  }
  const limits = {
    maxDepth: integer(env, 'LIMIT_DEPTH', 10, 1, 1000),
    maxAliases: integer(env, 'LIMIT_ALIASES', 50, 1, 10_000),
    maxRootFields: integer(env, 'LIMIT_ROOT_FIELDS', 20, 1, 1000),
    maxDirectives: integer(env, 'LIMIT_DIRECTIVES', 20, 1, 1000),
    maxCost: integer(env, 'LIMIT_COST', 20_000, 1, 100_000_000),
    maxTokens: integer(env, 'LIMIT_TOKENS', 2000, 100, 1_000_000),
  };
  const logLevel = optional(env, 'LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new DemoConfigError('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
  }
  const redisUrl = optional(env, 'REDIS_URL');
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new DemoConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new DemoConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  const redisCluster = readRedisCluster(env);
  if (redisCluster !== undefined && redisUrl !== undefined) {
    throw new DemoConfigError('REDIS_URL and REDIS_CLUSTER_NODES exclude each other: set one Redis, or one Redis Cluster');
  }
  const redisPrefix = optional(env, 'REDIS_PREFIX') ?? 'rampart:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(redisPrefix)) {
    throw new DemoConfigError('REDIS_PREFIX takes 1 to 64 letters, digits and : _ . -');
  }
  return {
    port,
    host: host === undefined || host === '' ? undefined : host,
    dataDir: env['DATA_DIR'],
    production,
    trustedProxies,
    maxBodyBytes,
    shutdownGraceMs,
    requestHeadersTimeoutMs,
    requestBodyTimeoutMs,
    maxConnectionsPerClient,
    oidc,
    publicOrigin: publicOrigin === undefined ? undefined : new URL(publicOrigin).origin,
    redisUrl,
    redisPrefix,
    redisCluster,
    databaseUrl,
    attestation,
    cost,
    trustedDocuments,
    ipDenylist,
    userAgentDenylist,
    captcha,
    tls,
    requireTls,
    hstsMaxAge,
    reportOnly,
    limits,
    logLevel,
  };
}

/** The most nodes `REDIS_CLUSTER_NODES` may list (a cluster needs only a few to start from). */
const maxClusterNodes = 64;

function readRedisCluster(env: Readonly<Record<string, string | undefined>>): RedisClusterConfig | undefined {
  const entries = list(env, 'REDIS_CLUSTER_NODES');
  const separatePassword = optional(env, 'REDIS_PASSWORD');
  if (entries.length === 0) {
    if (separatePassword !== undefined)
      throw new DemoConfigError('REDIS_PASSWORD goes with REDIS_CLUSTER_NODES (with REDIS_URL, put it in the URL)');
    return undefined;
  }
  if (entries.length > maxClusterNodes) throw new DemoConfigError(`REDIS_CLUSTER_NODES lists at most ${maxClusterNodes} nodes`);
  const nodes: Array<{ host: string; port: number }> = [];
  const schemes = new Set<string>();
  const usernames = new Set<string>();
  const passwords = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    // Messages name the entry by its place, never by its text (it may hold a password).
    const wrong = () =>
      new DemoConfigError(`REDIS_CLUSTER_NODES entry ${index + 1} must be host:port or redis://[user:password@]host:port (or rediss://)`);
    if (entry.length > 1024 || !/^[\x21-\x7e]+$/.test(entry)) throw wrong();
    let url: URL;
    let username: string;
    let password: string;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `redis://${entry}`);
      [username, password] = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
    } catch {
      throw wrong();
    }
    const port = url.port === '' ? 6379 : Number(url.port);
    if (
      (url.protocol !== 'redis:' && url.protocol !== 'rediss:') ||
      url.hostname === '' ||
      url.hostname.length > 253 ||
      !(port >= 1 && port <= 65_535)
    )
      throw wrong();
    if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') throw wrong();
    schemes.add(url.protocol);
    if (username !== '') usernames.add(username);
    if (password !== '') passwords.add(password);
    nodes.push({ host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port });
  }
  if (schemes.size > 1)
    throw new DemoConfigError('REDIS_CLUSTER_NODES mixes redis:// and rediss://: every node of a cluster speaks TLS or none does');
  if (usernames.size > 1 || passwords.size > 1) {
    throw new DemoConfigError('REDIS_CLUSTER_NODES names different users or passwords: a cluster has one (the same ACL on every node)');
  }
  if (separatePassword !== undefined && passwords.size > 0) {
    throw new DemoConfigError('REDIS_PASSWORD and a password in REDIS_CLUSTER_NODES: give the password once');
  }
  const [username] = usernames;
  const [password = separatePassword] = passwords;
  return { nodes, username, password, tls: schemes.has('rediss:') };
}

function readTls(env: Readonly<Record<string, string | undefined>>): DemoConfig['tls'] {
  const certFile = optional(env, 'TLS_CERT_FILE');
  const keyFile = optional(env, 'TLS_KEY_FILE');
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new DemoConfigError('TLS_CERT_FILE and TLS_KEY_FILE go together');
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch {
    throw new DemoConfigError('TLS_CERT_FILE or TLS_KEY_FILE cannot be read');
  }
}

function readReportOnly(env: Readonly<Record<string, string | undefined>>): Record<string, ReportOnlySetting> {
  const settings: Record<string, ReportOnlySetting> = {};
  for (const entry of list(env, 'REPORT_ONLY')) {
    const [directive, coordinate, extra] = entry.split(':');
    if (directive === undefined || !(reportableDirectives as readonly string[]).includes(directive) || extra !== undefined) {
      throw new DemoConfigError(`REPORT_ONLY entries are a directive (${reportableDirectives.join(', ')}) or directive:Type.field`);
    }
    if (coordinate === undefined) {
      settings[directive] = true;
      continue;
    }
    if (!/^[_A-Za-z]\w*\.[_A-Za-z]\w*$/.test(coordinate)) throw new DemoConfigError(`REPORT_ONLY: ${coordinate} is not Type.field`);
    const current = settings[directive];
    if (current !== true) settings[directive] = [...(typeof current === 'object' ? current : []), coordinate];
  }
  return settings;
}

function readCaptcha(env: Readonly<Record<string, string | undefined>>, production: boolean): CaptchaConfig | undefined {
  const provider = optional(env, 'CAPTCHA_PROVIDER');
  if (provider === undefined) {
    if (production) {
      throw new DemoConfigError(
        'NODE_ENV=production refuses the development captcha provider: set CAPTCHA_PROVIDER, CAPTCHA_SECRET and CAPTCHA_HOSTNAMES',
      );
    }
    return undefined;
  }
  if (provider !== 'recaptcha' && provider !== 'hcaptcha' && provider !== 'turnstile') {
    throw new DemoConfigError('CAPTCHA_PROVIDER must be recaptcha, hcaptcha or turnstile');
  }
  const secret = optional(env, 'CAPTCHA_SECRET');
  if (secret === undefined) throw new DemoConfigError('CAPTCHA_SECRET is required with CAPTCHA_PROVIDER');
  const hostnames = list(env, 'CAPTCHA_HOSTNAMES');
  if (hostnames.length === 0) throw new DemoConfigError('CAPTCHA_HOSTNAMES must list the site hostnames (or app package names)');
  const minScoreText = optional(env, 'CAPTCHA_MIN_SCORE');
  const minScore = minScoreText === undefined ? undefined : Number(minScoreText);
  if (minScore !== undefined && !(minScore >= 0 && minScore <= 1)) throw new DemoConfigError('CAPTCHA_MIN_SCORE must be from 0 to 1');
  return {
    provider,
    secret,
    sitekey: optional(env, 'CAPTCHA_SITEKEY'),
    hostnames,
    verifyUrl: optional(env, 'CAPTCHA_VERIFY_URL'),
    minScore,
  };
}

function list(env: Readonly<Record<string, string | undefined>>, name: string): readonly string[] {
  return (env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

function readAttestation(env: Readonly<Record<string, string | undefined>>, production: boolean): AttestationConfig {
  const approovSecret = optional(env, 'APPROOV_SECRET');
  if (approovSecret !== undefined) {
    const valid =
      /^[A-Za-z0-9+/_-]+={0,2}$/.test(approovSecret) &&
      Buffer.from(approovSecret.replace(/-/g, '+').replace(/_/g, '/'), 'base64').length >= 16;
    // The message never repeats the value.
    if (!valid) throw new DemoConfigError('APPROOV_SECRET must be the Approov account secret, base64 (16 bytes or more)');
  }
  const projectNumber = optional(env, 'APPCHECK_PROJECT_NUMBER');
  const appIds = (optional(env, 'APPCHECK_APP_IDS') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  let appCheck: AttestationConfig['appCheck'];
  if (projectNumber !== undefined || appIds.length > 0) {
    if (projectNumber === undefined || !/^\d+$/.test(projectNumber)) {
      throw new DemoConfigError('APPCHECK_PROJECT_NUMBER must be the Firebase project number (digits)');
    }
    if (appIds.length === 0) throw new DemoConfigError('APPCHECK_APP_IDS must list the allowed app ids, comma-separated');
    appCheck = { projectNumber, appIds, jwksUri: optional(env, 'APPCHECK_JWKS_URI') };
  }
  if (production && approovSecret === undefined && appCheck === undefined) {
    throw new DemoConfigError(
      'NODE_ENV=production refuses the development attester: set APPROOV_SECRET, or APPCHECK_PROJECT_NUMBER and APPCHECK_APP_IDS',
    );
  }
  return { approovSecret, appCheck };
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
  const algorithms = optional(env, 'OIDC_ALGORITHMS')
    ?.split(',')
    .map((algorithm) => algorithm.trim());
  return {
    issuer,
    audience,
    jwksUri: optional(env, 'OIDC_JWKS_URI'),
    algorithms,
    tokenType: optional(env, 'OIDC_TOKEN_TYPE'),
  };
}

/** `POINTS/DURATION`: a bucket of POINTS points refilled over DURATION (ms format: 1h, 30m, 1d). */
function budget(env: Readonly<Record<string, string | undefined>>, name: string, fallback: string): CostBudgetConfig {
  const text = optional(env, name) ?? fallback;
  const match = /^(\d{1,12})\/(\S+)$/.exec(text);
  const capacity = match ? Number(match[1]) : Number.NaN;
  const windowMs = match ? parseDuration(match[2] as string) : undefined;
  if (!(capacity >= 1) || windowMs === undefined || windowMs < 1000 || windowMs > 366 * 86_400_000) {
    throw new DemoConfigError(`${name} must be POINTS/DURATION, such as 250/1h (at least 1 point, over 1s to 1y)`);
  }
  return { capacity, restorePerSecond: capacity / (windowMs / 1000) };
}

function integer(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new DemoConfigError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
