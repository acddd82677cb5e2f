import { makeExecutableSchema } from '@graphql-tools/schema';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import {
  approovVerifier,
  authDirective,
  type ProtectionDirective,
  requiresAttestationDirective,
  type SecurityContext,
  securityContextFactory,
} from '../src/index.js';
import { getProtectedFieldState } from '../src/directives/protect-fields.js';
import { median } from './statistics.js';

/**
 * Cost of verifying an access token on first sight (signature check) and on a repeat (the
 * verified-token cache: one SHA-256 and a map lookup), for ES256 and RS256, through the
 * directive's own per-request verification (one security context per call, as per request).
 */
export async function measureTokenVerification(rounds: number, iterations: number) {
  const rows: Array<{ alg: string; firstSight: number; cached: number; hits: number; misses: number }> = [];
  const contexts = securityContextFactory();
  for (const alg of ['ES256', 'RS256'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k', alg };
    const sign = (n: number) =>
      new SignJWT({ scope: 'orders:read', n })
        .setProtectedHeader({ alg, kid: 'k', typ: 'at+jwt' })
        .setIssuer('https://issuer.test/')
        .setAudience('https://api.test')
        .setSubject('user-1')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
    const firstSight: number[] = [];
    const cached: number[] = [];
    let stats = { hits: 0, misses: 0 };
    for (let round = 0; round < rounds; round++) {
      const tokens = await Promise.all(Array.from({ length: iterations }, (_, i) => sign(round * iterations + i)));
      // A fresh directive each round: an empty cache, so the first pass sees every token first.
      const auth = authDirective({
        issuers: [{ issuer: 'https://issuer.test/', audience: 'https://api.test', keys: { jwks: { keys: [jwk] } }, algorithms: [alg] }],
        tokenCache: { maxEntries: iterations * 2 },
      });
      const verify = verificationOf(auth, 'auth');
      const pass = async () => {
        const start = process.hrtime.bigint();
        for (const token of tokens) {
          const outcome = await verify(contexts({ headers: { authorization: [`Bearer ${token}`] }, remoteAddress: '127.0.0.1' }));
          if (!(outcome as { ok: boolean }).ok) throw new Error('token refused');
        }
        return iterations / (Number(process.hrtime.bigint() - start) / 1e9);
      };
      firstSight.push(await pass());
      cached.push(await pass());
      stats = auth.tokenCacheStats() ?? stats;
    }
    rows.push({ alg: `${alg} access token`, firstSight: median(firstSight), cached: median(cached), ...stats });
  }
  rows.push(await measureAttestation(rounds, iterations));
  return rows;
}

/** The same for Approov-format attestation tokens (HS256), through @requiresAttestation. */
async function measureAttestation(rounds: number, iterations: number) {
  const secret = randomBytes(32);
  const contexts = securityContextFactory();
  const firstSight: number[] = [];
  const cached: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const tokens = await Promise.all(
      Array.from({ length: iterations }, (_, i) =>
        new SignJWT({ did: `device-${round}-${i}` }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(secret),
      ),
    );
    const attestation = requiresAttestationDirective({
      verifiers: [approovVerifier({ secret })],
      tokenCache: { maxEntries: iterations * 2 },
    });
    const verify = verificationOf(attestation, 'requiresAttestation');
    const pass = async () => {
      const start = process.hrtime.bigint();
      for (const token of tokens) {
        const outcome = await verify(contexts({ headers: { 'approov-token': [token] }, remoteAddress: '127.0.0.1' }));
        if (!(outcome as { ok: boolean }).ok) throw new Error('attestation refused');
      }
      return iterations / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    firstSight.push(await pass());
    cached.push(await pass());
  }
  return { alg: 'HS256 Approov attestation', firstSight: median(firstSight), cached: median(cached), hits: iterations, misses: iterations };
}

/** The directive's per-request verification, as applyProtections prewarms it. */
function verificationOf(directive: ProtectionDirective, name: string): (security: SecurityContext) => unknown {
  const schema = directive.transformer(makeExecutableSchema({ typeDefs: [directive.typeDefs, `type Query { x: String @${name} }`] }));
  const field = schema.getQueryType()?.getFields()['x'];
  const prepare = field && getProtectedFieldState(field)?.protections[0]?.prepare;
  if (prepare === undefined) throw new Error(`@${name} exposes no verification`);
  return prepare;
}
