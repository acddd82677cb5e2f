import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import { fetchJson, type FetchFunction } from './fetch-json.js';
import { KeySetUnavailableError } from './key-set-unavailable-error.js';

/** Options of {@link RemoteKeySet}. */
export interface RemoteKeySetOptions {
  /**
   * How long one fetch of the JWKS may take, in milliseconds.
   * @default 5000
   */
  readonly timeoutMs?: number;
  /**
   * After a fetch, how long a token with an unknown `kid` waits before it may trigger another
   * fetch (keys rotate rarely; this bounds what a stream of made-up `kid`s can cost).
   * @default 30000
   */
  readonly cooldownMs?: number;
  /**
   * How long fetched keys are used before they are refreshed.
   * @default 600000 (ten minutes)
   */
  readonly maxAgeMs?: number;
  /**
   * When a refresh fails, how long past `maxAgeMs` keys already fetched are still used
   * (stale-if-error). After that, tokens are refused with `PROTECTION_UNAVAILABLE`.
   * @default 3600000 (one hour)
   */
  readonly staleIfErrorMs?: number;
  /**
   * After a failed fetch, how long before another is tried; meanwhile calls fail fast.
   * @default 5000
   */
  readonly retryAfterErrorMs?: number;
  /** The clock, in milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: FetchFunction;
  /** Told after every fetch attempt, for metrics and logs. */
  readonly onFetch?: (outcome: { readonly ok: boolean; readonly error?: unknown }) => void;
}

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * A JSON Web Key Set fetched from a URL, kept fresh, and resilient: one fetch at a time, a
 * timeout, a cooldown on unknown `kid`s, a refresh on rotation, and a bounded stale-if-error
 * window. Key selection is jose's (`createLocalJWKSet`); this class only decides when to fetch.
 * Pass {@link RemoteKeySet.getKey} to jose's `jwtVerify`.
 */
export class RemoteKeySet {
  readonly #resolveUrl: () => Promise<URL>;
  readonly #timeoutMs: number;
  readonly #cooldownMs: number;
  readonly #maxAgeMs: number;
  readonly #staleIfErrorMs: number;
  readonly #retryAfterErrorMs: number;
  readonly #clock: () => number;
  readonly #fetch: FetchFunction;
  readonly #onFetch: RemoteKeySetOptions['onFetch'];
  #local: LocalKeySet | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #failedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | undefined;

  /**
   * @param url The JWKS URL, or a function resolving it (OIDC discovery).
   */
  constructor(url: URL | (() => Promise<URL>), options: RemoteKeySetOptions = {}) {
    this.#resolveUrl = url instanceof URL ? () => Promise.resolve(url) : url;
    this.#timeoutMs = positive(options.timeoutMs ?? 5000, 'timeoutMs');
    this.#cooldownMs = nonNegative(options.cooldownMs ?? 30_000, 'cooldownMs');
    this.#maxAgeMs = positive(options.maxAgeMs ?? 600_000, 'maxAgeMs');
    this.#staleIfErrorMs = nonNegative(options.staleIfErrorMs ?? 3_600_000, 'staleIfErrorMs');
    this.#retryAfterErrorMs = nonNegative(options.retryAfterErrorMs ?? 5000, 'retryAfterErrorMs');
    this.#clock = options.clock ?? Date.now;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#onFetch = options.onFetch;
  }

  /** The key for a token's protected header, in the shape jose's `jwtVerify` takes. */
  readonly getKey = async (protectedHeader: JWSHeaderParameters, token: FlattenedJWSInput): ReturnType<LocalKeySet> => {
    const now = this.#clock();
    if (this.#local === undefined) {
      await this.#refresh(now);
    } else if (now - this.#fetchedAt >= this.#maxAgeMs) {
      try {
        await this.#refresh(now);
      } catch (error) {
        if (now - this.#fetchedAt >= this.#maxAgeMs + this.#staleIfErrorMs) throw error;
        // stale-if-error: keys fetched earlier stay usable within the window
      }
    }
    const local = this.#local as LocalKeySet;
    try {
      return await local(protectedHeader, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || now - this.#attemptedAt < this.#cooldownMs) throw error;
      // An unknown kid after the cooldown: the issuer may have rotated its keys.
      await this.#refresh(now);
      return (this.#local as LocalKeySet)(protectedHeader, token);
    }
  };

  /** The keys currently held (public members only), or undefined before the first fetch. */
  jwks(): JSONWebKeySet | undefined {
    return this.#local?.jwks();
  }

  #refresh(now: number): Promise<void> {
    if (this.#pending) return this.#pending;
    if (now - this.#failedAt < this.#retryAfterErrorMs) {
      return Promise.reject(new KeySetUnavailableError('the key set could not be fetched recently; not retrying yet'));
    }
    this.#attemptedAt = now;
    const pending = (async () => {
      try {
        const url = await this.#resolveUrl();
        const json = await fetchJson(url, this.#timeoutMs, this.#fetch);
        this.#local = createLocalJWKSet(json as JSONWebKeySet);
        this.#fetchedAt = this.#clock();
        this.#onFetch?.({ ok: true });
      } catch (cause) {
        this.#failedAt = this.#clock();
        this.#onFetch?.({ ok: false, error: cause });
        throw cause instanceof KeySetUnavailableError ? cause : new KeySetUnavailableError('the key set could not be fetched', { cause });
      } finally {
        this.#pending = undefined;
      }
    })();
    this.#pending = pending;
    return pending;
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new TypeError(`RemoteKeySet: ${name} must be > 0`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new TypeError(`RemoteKeySet: ${name} must be >= 0`);
  return value;
}
