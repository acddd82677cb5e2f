// Several demo instances as separate processes, sharing one PostgreSQL database, one Redis
// database and one data directory (for the development issuer, attester and captcha keys), behind
// a trusted reverse proxy (TRUST_PROXY=127.0.0.1, clients named by X-Forwarded-For).
import { runCli } from '../../src/cli/main.js';
import { capturedOutput } from '../support/captured-output.js';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';

export type GraphqlResult = {
  data?: any;
  errors?: Array<{ message: string; path?: string[]; extensions: { code: string } }>;
};

/** The public address every instance names in tokens and DPoP proofs, as behind one proxy. */
export const publicOrigin = 'http://shop.test';

/**
 * Starts `count` demo processes at the same moment, as a deployment does: over an empty database
 * and data directory they must agree on one schema, one seed and one key per development provider.
 */
export async function startInstances(
  count: number,
  env: { DATA_DIR: string; DATABASE_URL: string; REDIS_URL: string; REDIS_PREFIX?: string },
): Promise<DemoProcess[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      startDemoProcess({ ...env, PUBLIC_ORIGIN: publicOrigin, TRUST_PROXY: '127.0.0.1', LOG_LEVEL: 'warn' }),
    ),
  );
}

export function stopInstances(instances: readonly DemoProcess[]): void {
  for (const instance of instances) instance.child.kill('SIGKILL');
}

/** One POST /graphql to one instance, as the reverse proxy forwards it for `clientIp`. */
export async function graphqlOn(
  instance: DemoProcess,
  query: string,
  headers: Record<string, string>,
  clientIp = '203.0.113.1',
): Promise<GraphqlResult> {
  const response = await fetch(instance.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp, ...headers },
    body: JSON.stringify({ query }),
    // A request that hangs fails the test (as an abort) instead of timing the whole test out.
    signal: AbortSignal.timeout(20_000),
  });
  return (await response.json()) as GraphqlResult;
}

/** The error codes of a result, one per error. */
export function errorCodesOf(result: GraphqlResult): string[] {
  return (result.errors ?? []).map((error) => error.extensions.code);
}

/** Runs `rampart …` in process against the shared data directory (and DATABASE_URL); its stdout. */
export async function rampart(env: Record<string, string>, ...argv: string[]): Promise<string> {
  const out = capturedOutput();
  const code = await runCli(argv, env, out);
  if (code !== 0) throw new Error(`rampart ${argv[0]} ${argv[1]} failed: ${out.stderr.join('\n')}`);
  return out.stdout.join('\n').trim();
}

/** How many of each outcome: 'ok' for a result without errors, else its first error code. */
export function tally(results: readonly GraphqlResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const outcome = result.errors === undefined ? 'ok' : (result.errors[0]?.extensions.code ?? 'no code');
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}
