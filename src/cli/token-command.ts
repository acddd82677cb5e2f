import { existsSync } from 'node:fs';
import {
  DevelopmentAttester,
  DevelopmentCaptcha,
  DevelopmentIssuer,
  openDpopKeyPair,
  parseDuration,
  signDpopProof,
  type DataDirectory,
  type DpopKeyPair,
} from '../development.js';
import type { CliOutput } from './cli-output.js';

/** Scopes a development user token can carry (the contract's list). */
export const developmentScopes: readonly string[] = ['orders:read', 'orders:write', 'reviews:write', 'catalog:admin'];
/** What a user token carries without `--scope`. */
export const defaultUserScopes = 'orders:read orders:write reviews:write';

const maxTtlMs = 86_400_000;

/**
 * `rampart token user --sub ID [--scope "a b"] [--ttl 15m] [--dpop-key FILE]`: prints an access
 * token from the development issuer in `DATA_DIR`, which the running demo accepts. With
 * `--dpop-key`, the token is bound to that key (created when the file does not exist).
 */
export async function userTokenCommand(
  directory: DataDirectory,
  options: {
    sub?: string | undefined;
    scope?: string | undefined;
    ttl?: string | undefined;
    dpopKey?: string | undefined;
    port?: string | undefined;
  },
  out: CliOutput,
): Promise<number> {
  const subject = options.sub?.trim();
  if (!subject || subject.length > 255 || /[\s\p{Cc}]/u.test(subject)) {
    return out.usage('token user needs --sub ID (the user id signUp returned)');
  }
  const scopes = (options.scope ?? defaultUserScopes).split(/\s+/).filter((scope) => scope.length > 0);
  const unknown = scopes.find((scope) => !developmentScopes.includes(scope));
  if (unknown !== undefined) {
    return out.usage(`--scope takes scopes among: ${developmentScopes.join(', ')}`);
  }
  const ttlMs = parseTtl(options.ttl ?? '15m');
  if (ttlMs === undefined) return out.usage('--ttl takes a duration from 1s to 24h, such as 15m');
  const issuer = await openIssuer(directory, options.port, out);
  let keyPair: DpopKeyPair | undefined;
  if (options.dpopKey !== undefined) keyPair = await loadOrCreateKeyPair(options.dpopKey, out);
  const token = await issuer.issueAccessToken({
    subject,
    scopes,
    ttlSeconds: Math.round(ttlMs / 1000),
    ...(keyPair ? { dpopThumbprint: keyPair.thumbprint } : {}),
  });
  out.print(token);
  return 0;
}

/**
 * `rampart token dpop-proof --dpop-key FILE --url URL --token TOKEN [--method POST]`: prints a DPoP
 * proof for one request, as a client signs before each call.
 */
export async function dpopProofCommand(
  options: { dpopKey?: string | undefined; url?: string | undefined; token?: string | undefined; method?: string | undefined },
  out: CliOutput,
): Promise<number> {
  if (options.dpopKey === undefined || !existsSync(options.dpopKey)) {
    return out.usage('token dpop-proof needs --dpop-key FILE (the file token user --dpop-key created)');
  }
  if (options.url === undefined || !URL.canParse(options.url)) return out.usage('token dpop-proof needs --url, the request URL');
  if (options.token === undefined) return out.usage('token dpop-proof needs --token, the access token it accompanies');
  const method = (options.method ?? 'POST').toUpperCase();
  const url = new URL(options.url);
  const { keyPair } = await openDpopKeyPair(options.dpopKey);
  out.print(await signDpopProof(keyPair, { method, url: `${url.origin}${url.pathname}`, accessToken: options.token }));
  return 0;
}

/**
 * `rampart token attestation [--bind "AUTHORIZATION HEADER VALUE"] [--ttl 5m]`: prints an
 * Approov-format attestation token from the development attester in `DATA_DIR`, as the genuine
 * app would hold it; with `--bind`, bound to that Authorization header value (`pay`).
 */
export async function attestationTokenCommand(
  directory: DataDirectory,
  options: { bind?: string | undefined; ttl?: string | undefined },
  out: CliOutput,
): Promise<number> {
  const ttlMs = parseTtl(options.ttl ?? '5m');
  if (ttlMs === undefined || ttlMs > 3_600_000) return out.usage('--ttl takes a duration from 1s to 1h, such as 5m');
  if (options.bind !== undefined && options.bind.trim().length === 0) {
    return out.usage('--bind takes the whole Authorization header value, e.g. "Bearer eyJ..."');
  }
  const attester = DevelopmentAttester.open(directory.developmentAttester);
  out.print(
    await attester.issueToken({
      ttlSeconds: Math.round(ttlMs / 1000),
      ...(options.bind === undefined ? {} : { bind: options.bind }),
    }),
  );
  return 0;
}

/**
 * `rampart token captcha --action NAME [--score 0.9]`: prints a single-use token from the
 * development captcha provider, as if a human solved the challenge for that action on localhost.
 */
export async function captchaTokenCommand(
  directory: DataDirectory,
  options: { action?: string | undefined; score?: string | undefined },
  out: CliOutput,
): Promise<number> {
  if (options.action === undefined || !/^[A-Za-z0-9_/]{1,100}$/.test(options.action)) {
    return out.usage("token captcha needs --action NAME (the directive's action, e.g. signup)");
  }
  const score = options.score === undefined ? 0.9 : Number(options.score);
  if (!(score >= 0 && score <= 1)) return out.usage('--score takes a number from 0 to 1');
  out.print(await DevelopmentCaptcha.open(directory.developmentCaptcha).solve({ action: options.action, score }));
  return 0;
}

async function openIssuer(directory: DataDirectory, port: string | undefined, out: CliOutput): Promise<DevelopmentIssuer> {
  if (!existsSync(directory.developmentIssuer)) {
    out.error('No development issuer yet: creating one. Start the demo (npm start) so that tokens name its address.');
    return DevelopmentIssuer.open(directory.developmentIssuer, { issuer: `http://localhost:${port ?? '4000'}` });
  }
  return DevelopmentIssuer.open(directory.developmentIssuer);
}

async function loadOrCreateKeyPair(path: string, out: CliOutput): Promise<DpopKeyPair> {
  const { keyPair, created } = await openDpopKeyPair(path);
  if (created) out.error(`Created a DPoP key pair in ${path} (keep it private).`);
  return keyPair;
}

function parseTtl(text: string): number | undefined {
  const value = parseDuration(text);
  return value !== undefined && value >= 1000 && value <= maxTtlMs ? value : undefined;
}
