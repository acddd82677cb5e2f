import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { jwtVerify, SignJWT } from 'jose';
import type { CaptchaVerdict, CaptchaVerifier } from '../directives/captcha/captcha-verifier.js';
import { createFileOnce } from './create-file-once.js';

/**
 * A development captcha provider, offline: tokens are HS256 JWTs (action, score, hostname, solved
 * at) signed with a secret kept in a file (mode 0600), and its verifier answers what reCAPTCHA v3
 * would. Tokens pass once through the directive's replay cache, as real ones do. For local
 * development and tests only: whoever reads the file can "solve" any captcha.
 */
export class DevelopmentCaptcha {
  readonly #secret: Uint8Array;

  private constructor(secret: Uint8Array) {
    this.#secret = secret;
  }

  /** Opens the provider kept in `path`, creating its secret on first use. */
  static open(path: string): DevelopmentCaptcha {
    if (!existsSync(path)) {
      const secret = randomBytes(32);
      if (createFileOnce(path, `${JSON.stringify({ secret: secret.toString('base64') }, null, 2)}\n`))
        return new DevelopmentCaptcha(secret);
      // Another process created it first: use its secret.
    }
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { secret?: unknown };
    if (typeof parsed.secret !== 'string') throw new Error(`${path} is not a development captcha file`);
    return new DevelopmentCaptcha(Buffer.from(parsed.secret, 'base64'));
  }

  /** A token as if a human solved the challenge for `action` on `hostname` just now. */
  solve(options: { readonly action: string; readonly score?: number; readonly hostname?: string; readonly now?: number }): Promise<string> {
    const score = options.score ?? 0.9;
    if (!(score >= 0 && score <= 1)) throw new TypeError('score must be from 0 to 1');
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    return new SignJWT({
      action: options.action,
      score,
      hostname: options.hostname ?? 'localhost',
      nonce: randomBytes(8).toString('base64url'),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(this.#secret);
  }

  /** The verifier the demo uses in development, answering like reCAPTCHA v3's siteverify. */
  verifier(clock: () => number = Date.now): CaptchaVerifier {
    return {
      name: 'development',
      reports: { score: true, action: true },
      verify: async (token): Promise<CaptchaVerdict> => {
        try {
          const { payload } = await jwtVerify(token, this.#secret, { algorithms: ['HS256'], currentDate: new Date(clock()) });
          return {
            success: true,
            score: typeof payload['score'] === 'number' ? payload['score'] : undefined,
            action: typeof payload['action'] === 'string' ? payload['action'] : undefined,
            hostname: typeof payload['hostname'] === 'string' ? payload['hostname'] : undefined,
            challengeAt: typeof payload.iat === 'number' ? payload.iat * 1000 : undefined,
            errorCodes: [],
          };
        } catch {
          return {
            success: false,
            score: undefined,
            action: undefined,
            hostname: undefined,
            challengeAt: undefined,
            errorCodes: ['invalid-input-response'],
          };
        }
      },
    };
  }
}
