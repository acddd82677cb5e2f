import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { createFileOnce } from './create-file-once.js';

/** What to put in a development attestation token. */
export interface DevelopmentAttestationOptions {
  /** Lifetime in seconds, 1 second to 1 hour. Approov tokens live about five minutes. */
  readonly ttlSeconds: number;
  /** The value of the header to bind to (the whole `Authorization` header value). */
  readonly bind?: string;
  /** The device id (`did`). @default random */
  readonly deviceId?: string;
  /** Now, in milliseconds. @default Date.now() */
  readonly now?: number;
}

/**
 * A development attester: an HS256 secret kept in a file (mode 0600), and Approov-format tokens
 * (`exp`, `did`, and `pay` when bound) signed with it, as the Approov cloud service would give
 * the genuine app. For local development and tests only: whoever reads the file can attest any
 * script, so production configurations must refuse it.
 */
export class DevelopmentAttester {
  /** The secret, base64, as `APPROOV_SECRET` takes it. */
  readonly secretBase64: string;

  private constructor(secretBase64: string) {
    this.secretBase64 = secretBase64;
  }

  /** Opens the attester kept in `path`, creating its secret on first use. */
  static open(path: string): DevelopmentAttester {
    if (!existsSync(path)) {
      const secret = randomBytes(32).toString('base64');
      if (createFileOnce(path, `${JSON.stringify({ secret }, null, 2)}\n`)) return new DevelopmentAttester(secret);
      // Another process created it first: use its secret.
    }
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { secret?: unknown };
    if (typeof parsed.secret !== 'string' || Buffer.from(parsed.secret, 'base64').length < 32) {
      throw new Error(`${path} is not a development attester file`);
    }
    return new DevelopmentAttester(parsed.secret);
  }

  /** Signs an Approov-format token, bound to `bind` when given. */
  async issueToken(options: DevelopmentAttestationOptions): Promise<string> {
    if (!(Number.isInteger(options.ttlSeconds) && options.ttlSeconds >= 1 && options.ttlSeconds <= 3600)) {
      throw new TypeError('ttlSeconds must be from 1 to 3600');
    }
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    return (
      new SignJWT({
        did: options.deviceId ?? randomBytes(16).toString('base64'),
        ...(options.bind === undefined ? {} : { pay: createHash('sha256').update(options.bind, 'utf8').digest('base64') }),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        // Two tokens fetched in the same second are still two tokens, as from the attestation service.
        .setJti(randomUUID())
        .setExpirationTime(now + options.ttlSeconds)
        .sign(Buffer.from(this.secretBase64, 'base64'))
    );
  }
}
