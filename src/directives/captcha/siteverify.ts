import type { FetchFunction } from '../../tokens/fetch-json.js';
import { isLoopbackHttp } from '../../tokens/oidc-discovery.js';
import { CaptchaProviderUnavailableError, type CaptchaVerdict } from './captcha-verifier.js';

/** Options shared by the siteverify providers. */
export interface SiteverifyOptions {
  /** The provider's secret key. */
  readonly secret: string;
  /** The siteverify endpoint (tests point it at a local server). */
  readonly endpoint?: string;
  /**
   * How long one verification may take, in milliseconds.
   * @default 3000
   */
  readonly timeoutMs?: number;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: FetchFunction;
}

const maxVerdictBytes = 16 * 1024;

/**
 * POSTs a siteverify form (`secret`, `response`, `remoteip` and provider extras) as every provider
 * documents it, with a timeout and no redirects, and normalises the JSON verdict. Rejects with
 * {@link CaptchaProviderUnavailableError} on a network failure, a timeout, a status other than
 * 200, or a body that is not a JSON verdict. The secret never appears in an error.
 */
export async function postSiteverify(
  endpoint: string,
  form: Record<string, string | undefined>,
  options: { readonly timeoutMs: number; readonly fetch: FetchFunction },
): Promise<CaptchaVerdict> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) if (value !== undefined) body.set(name, value);
  let response: Response;
  try {
    response = await options.fetch(endpoint, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    });
  } catch (cause) {
    throw new CaptchaProviderUnavailableError('network', 'the captcha provider could not be reached', { cause: nameOnly(cause) });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new CaptchaProviderUnavailableError('answer', `the captcha provider answered ${response.status}`);
  }
  let parsed: unknown;
  try {
    const text = await response.text();
    if (text.length > maxVerdictBytes) throw new Error('too large');
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CaptchaProviderUnavailableError('answer', 'the captcha provider answered something that is not a JSON verdict', {
      cause: nameOnly(cause),
    });
  }
  if (parsed === null || typeof parsed !== 'object' || typeof (parsed as { success?: unknown }).success !== 'boolean') {
    throw new CaptchaProviderUnavailableError('answer', 'the captcha provider answered without a success field');
  }
  const verdict = parsed as Record<string, unknown>;
  const challenge = typeof verdict['challenge_ts'] === 'string' ? Date.parse(verdict['challenge_ts']) : Number.NaN;
  const errorCodes = verdict['error-codes'];
  return {
    success: verdict['success'] === true,
    score: typeof verdict['score'] === 'number' && Number.isFinite(verdict['score']) ? verdict['score'] : undefined,
    action: typeof verdict['action'] === 'string' ? verdict['action'] : undefined,
    hostname: typeof verdict['hostname'] === 'string' ? verdict['hostname'] : undefined,
    challengeAt: Number.isFinite(challenge) ? challenge : undefined,
    errorCodes: Array.isArray(errorCodes) ? errorCodes.filter((code): code is string => typeof code === 'string') : [],
  };
}

/** Keeps only an error's name: a fetch error may echo the request, which holds the secret. */
function nameOnly(error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const safe = new Error(name);
  safe.name = name;
  return safe;
}

/** Resolves the shared options with defaults. */
export function resolveSiteverify(given: SiteverifyOptions, factory: string, defaultEndpoint: string) {
  // Checked as a plain-JavaScript caller may give it: no options at all, or no secret.
  const options = given as Partial<SiteverifyOptions> | undefined;
  if (typeof options?.secret !== 'string' || options.secret.length === 0) throw new TypeError(`${factory}: secret is required`);
  const endpoint = options.endpoint ?? defaultEndpoint;
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw new TypeError(`${factory}: endpoint must be https (plain http only on loopback)`);
  }
  const timeoutMs = options.timeoutMs ?? 3000;
  if (!(timeoutMs > 0 && timeoutMs <= 30_000)) throw new TypeError(`${factory}: timeoutMs must be from 1 to 30000`);
  const fetchImpl: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return { secret: options.secret, endpoint, timeoutMs, fetch: fetchImpl };
}
