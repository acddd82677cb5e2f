import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { createFileOnce } from './create-file-once.js';

/** What a development issuer keeps in its file (mode 0600). */
interface IssuerFile {
  readonly issuer: string;
  readonly audience: string;
  readonly privateJwk: JWK;
}

/** What to put in a development access token. */
export interface DevelopmentAccessTokenOptions {
  /** `sub`: the user. */
  readonly subject: string;
  /** Granted scopes. */
  readonly scopes: readonly string[];
  /** Lifetime in seconds, 1 second to 1 day. */
  readonly ttlSeconds: number;
  /** Binds the token to a DPoP key (`cnf.jkt`, its RFC 7638 thumbprint). */
  readonly dpopThumbprint?: string;
  /** The clock, in milliseconds. @default Date.now */
  readonly now?: number;
}

/**
 * A development OAuth 2.0 issuer: one ES256 key pair kept in a file, the discovery document and
 * JWKS to serve, and access tokens (RFC 9068 shape, `typ: at+jwt`) minted on demand. For local
 * development and tests only: whoever can read the file can mint any token, so production
 * configurations must refuse it.
 */
export class DevelopmentIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly #privateJwk: JWK;
  readonly #publicJwk: JWK;

  private constructor(file: IssuerFile) {
    this.issuer = file.issuer;
    this.audience = file.audience;
    this.#privateJwk = file.privateJwk;
    const { d: _d, ...publicJwk } = file.privateJwk;
    this.#publicJwk = { ...publicJwk, use: 'sig', alg: 'ES256' };
  }

  /**
   * Opens the issuer kept in `path`, creating its key pair on first use. When `settings` differ
   * from what the file holds, the file is updated (the key stays).
   */
  static async open(path: string, settings: { readonly issuer?: string; readonly audience?: string } = {}): Promise<DevelopmentIssuer> {
    if (!existsSync(path)) {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const privateJwk = await exportJWK(privateKey);
      privateJwk.kid = await calculateJwkThumbprint(privateJwk, 'sha256');
      const created: IssuerFile = {
        issuer: settings.issuer ?? 'http://localhost:4000',
        audience: settings.audience ?? 'graphql-rampart-demo',
        privateJwk,
      };
      if (createFileOnce(path, serialize(created))) return new DevelopmentIssuer(created);
      // Another process created it first: use its key.
    }
    // Read back from disk, so checked: a file left by something else must not pass for a key.
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<IssuerFile> | null;
    if (typeof stored?.issuer !== 'string' || typeof stored.privateJwk?.d !== 'string') {
      throw new Error(`${path} is not a development issuer file`);
    }
    let file = stored as IssuerFile;
    if (
      (settings.issuer !== undefined && settings.issuer !== file.issuer) ||
      (settings.audience !== undefined && settings.audience !== file.audience)
    ) {
      file = { ...file, issuer: settings.issuer ?? file.issuer, audience: settings.audience ?? file.audience };
      write(path, file);
    }
    return new DevelopmentIssuer(file);
  }

  /** The public key set, for `/.well-known/jwks.json` and for verifying in process. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.#publicJwk }] };
  }

  /** The OpenID Provider metadata to serve at `/.well-known/openid-configuration`. */
  openidConfiguration(): Record<string, unknown> {
    const base = this.issuer.replace(/\/$/, '');
    return {
      issuer: this.issuer,
      jwks_uri: `${base}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      dpop_signing_alg_values_supported: ['ES256', 'PS256', 'RS256', 'EdDSA'],
    };
  }

  /** Mints an access token the configured `@auth` accepts. */
  async issueAccessToken(options: DevelopmentAccessTokenOptions): Promise<string> {
    if (!(Number.isInteger(options.ttlSeconds) && options.ttlSeconds >= 1 && options.ttlSeconds <= 86_400)) {
      throw new TypeError('ttlSeconds must be from 1 to 86400');
    }
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    const key = await importJWK(this.#privateJwk, 'ES256');
    return new SignJWT({
      scope: options.scopes.join(' '),
      client_id: 'rampart-development',
      ...(options.dpopThumbprint ? { cnf: { jkt: options.dpopThumbprint } } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: this.#publicJwk.kid as string })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(options.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + options.ttlSeconds)
      .setJti(randomUUID())
      .sign(key);
  }
}

function serialize(file: IssuerFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Replaces the file atomically (same key, new settings). */
function write(path: string, file: IssuerFile): void {
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  writeFileSync(temporary, serialize(file), { mode: 0o600 });
  renameSync(temporary, path);
}
