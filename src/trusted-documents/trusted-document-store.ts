/** One app version's manifest as a store holds it. */
export interface AppVersionRecord {
  readonly appVersion: string;
  /** How many documents it lists. */
  readonly documents: number;
  /** When it was imported, in milliseconds since the epoch. */
  readonly importedAt: number;
  /** When it was retired, or `null` while its documents are served. */
  readonly retiredAt: number | null;
}

/**
 * Where trusted documents live: each app version's manifest, until the version is retired. A
 * document is live while any app version that lists it is live, so an old app version keeps
 * working until its own manifest is retired.
 */
export interface TrustedDocumentStore {
  /** The text of the live document `id` (64 lower-case hex), or `undefined`. */
  find(id: string): string | undefined | Promise<string | undefined>;
  /** Records `appVersion`'s manifest (checked by `readManifest`); importing a version again replaces its list. */
  importManifest(appVersion: string, documents: ReadonlyMap<string, string>, at: number): void | Promise<void>;
  /** Every app version imported, newest first. */
  listVersions(): readonly AppVersionRecord[] | Promise<readonly AppVersionRecord[]>;
  /** Stops serving `appVersion`'s documents (those another live version lists stay live); `false` when unknown. */
  retire(appVersion: string, at: number): boolean | Promise<boolean>;
}

const appVersionPattern = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** Throws `TypeError` unless `appVersion` is 1 to 64 characters of A-Z a-z 0-9 . _ + - (not starting with a sign). */
export function assertAppVersion(appVersion: unknown): asserts appVersion is string {
  if (typeof appVersion !== 'string' || !appVersionPattern.test(appVersion)) {
    throw new TypeError('an app version is 1 to 64 characters of A-Z a-z 0-9 . _ + -, starting with a letter or digit');
  }
}
