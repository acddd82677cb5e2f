/** The `fetch` the token modules use; injectable for tests and custom agents. */
export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** The largest JSON document (discovery, JWKS) read from an identity provider. */
const maxJsonBytes = 512 * 1024;

/**
 * GETs a JSON document with a timeout, no redirects and a size limit. Throws on any failure;
 * callers turn that into "unavailable".
 */
export async function fetchJson(url: URL, timeoutMs: number, fetchImpl: FetchFunction): Promise<unknown> {
  const response = await fetchImpl(url, {
    method: 'GET',
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json, application/jwk-set+json' },
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`expected 200 from ${url.origin}${url.pathname}, got ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxJsonBytes) {
    await response.body?.cancel();
    throw new Error('document too large');
  }
  const text = await response.text();
  if (text.length > maxJsonBytes) throw new Error('document too large');
  return JSON.parse(text) as unknown;
}
