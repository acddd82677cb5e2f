/**
 * The server-level deadlines: headers within `headersTimeoutMs` of a request's first byte, and,
 * as a backstop behind the handler's own body deadline, the whole request within headers + body
 * + 5 s; checked often enough for deadlines of a fraction of a second.
 */
export function serverTimeouts(headersTimeoutMs: number, bodyTimeoutMs: number) {
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout: headersTimeoutMs + bodyTimeoutMs + 5000,
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(Math.min(headersTimeoutMs, bodyTimeoutMs) / 4))),
  };
}
