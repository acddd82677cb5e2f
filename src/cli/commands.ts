import { openDataDirectory } from '../development.js';
import type { CliOutput } from './cli-output.js';
import { importDocumentsCommand, listDocumentsCommand, retireDocumentsCommand } from './documents-command.js';
import { openDocumentStore, openKeyStore, type ModuleLoader, type OpenedDocumentStore, type OpenedKeyStore } from './key-store.js';
import { createKeyCommand, listKeysCommand, revokeKeyCommand } from './keys-command.js';
import { attestationTokenCommand, captchaTokenCommand, dpopProofCommand, userTokenCommand } from './token-command.js';

/** One option of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** What the value looks like in the help (`NAME`, `90d`); string options only. */
  readonly placeholder?: string;
  readonly description: string;
}

/** What a command's `run` receives once its arguments are parsed and checked. */
export interface CommandInput {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: CliOutput;
  readonly load: ModuleLoader;
}

/** A `rampart` command: what its help shows and what it runs. */
export interface CommandSpec {
  /** The words that name it: `keys create`. */
  readonly name: string;
  /** One line for `rampart --help`. */
  readonly summary: string;
  /** What follows the name in the usage line. */
  readonly synopsis: string;
  /** What it does, a few lines. */
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The positional arguments it takes (names for the help). */
  readonly positionals: readonly string[];
  readonly environment: readonly string[];
  readonly example: string;
  run(input: CommandInput): Promise<number>;
}

/** The environment variables the help explains, by name. */
export const environmentHelp: Readonly<Record<string, string>> = {
  DATA_DIR: "the demo's data directory, where keys and development keys live (default: .data in the working directory)",
  DATABASE_URL: "postgres://… : keys in PostgreSQL, as the demo's instances share them (needs npm install pg)",
  NODE_ENV: 'production refuses the token commands (development providers only)',
  PORT: "the demo's port, named in the issuer's address when no issuer exists yet (default: 4000)",
};

const json: OptionSpec = { type: 'boolean', description: 'print JSON instead of text' };
const string = (placeholder: string, description: string): OptionSpec => ({ type: 'string', placeholder, description });
const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** Runs `work` on the key store of `env`, closing it afterwards. */
async function withKeyStore(input: CommandInput, work: (opened: OpenedKeyStore) => Promise<number>): Promise<number> {
  const opened = await openKeyStore(input.env, input.load);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

/** Runs `work` on the trusted-document store of `env`, closing it afterwards. */
async function withDocumentStore(input: CommandInput, work: (opened: OpenedDocumentStore) => Promise<number>): Promise<number> {
  const opened = await openDocumentStore(input.env, input.load);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

/** Every command, in the order `rampart --help` lists them. */
export const commands: readonly CommandSpec[] = [
  {
    name: 'keys create',
    summary: 'Issue an API key. It is printed once and stored only as a hash.',
    synopsis: '--app NAME [--scopes a,b] [--expires-in 90d] [--json]',
    description:
      'Issue an API key for an app and print it once; only its hash is stored, in keys.db in DATA_DIR\n' +
      '(or in PostgreSQL with DATABASE_URL), where a demo started with the same setting reads it.',
    options: {
      app: string('NAME', 'the app the key is issued to (required)'),
      scopes: string('a,b', 'comma-separated scopes the key carries (default: none)'),
      'expires-in': string('90d', 'the key expires after this long (default: never)'),
      json: json,
    },
    positionals: [],
    environment: ['DATA_DIR', 'DATABASE_URL'],
    example: 'npx rampart keys create --app ios --scopes catalog:read --expires-in 90d',
    run: (input) =>
      withKeyStore(input, ({ store, location, setting }) =>
        createKeyCommand(
          store,
          {
            app: text(input.values['app']),
            scopes: text(input.values['scopes']),
            expiresIn: text(input.values['expires-in']),
            json: input.values['json'] === true,
            storedIn: { location, setting },
          },
          input.out,
        ),
      ),
  },
  {
    name: 'keys list',
    summary: 'List keys: id, app, scopes, status, times. Never the keys themselves.',
    synopsis: '[--json]',
    description: 'List the API keys of DATA_DIR (or DATABASE_URL): id, app, scopes, status and times, never a key.',
    options: { json },
    positionals: [],
    environment: ['DATA_DIR', 'DATABASE_URL'],
    example: 'npx rampart keys list --json',
    run: (input) => withKeyStore(input, ({ store }) => listKeysCommand(store, { json: input.values['json'] === true }, input.out)),
  },
  {
    name: 'keys revoke',
    summary: 'Revoke a key by id. Servers sharing its store refuse it from their next request.',
    synopsis: 'ID',
    description:
      'Revoke an API key by its id (the 16 hex characters keys list shows). Every server reading the\n' +
      'same DATA_DIR (or DATABASE_URL) refuses it from its next request.',
    options: {},
    positionals: ['ID'],
    environment: ['DATA_DIR', 'DATABASE_URL'],
    example: 'npx rampart keys revoke 0123456789abcdef',
    run: (input) => withKeyStore(input, ({ store }) => revokeKeyCommand(store, input.positionals[0], input.out)),
  },
  {
    name: 'documents import',
    summary: "Import the genuine app's manifest of trusted documents for one app version.",
    synopsis: 'FILE --app-version V [--json]',
    description:
      "Import a manifest of trusted documents (GraphQL Code Generator's persisted-documents.json, or an\n" +
      'Apollo persisted query manifest) as the operations of one app build. Every id must be the\n' +
      'SHA-256 of its document: one mismatch and nothing is imported. Stored in documents.db in DATA_DIR\n' +
      '(or in PostgreSQL with DATABASE_URL); importing a version again replaces its list.',
    options: {
      'app-version': string('V', 'the app build the manifest comes from, e.g. 2.4.0 (required)'),
      json: json,
    },
    positionals: ['FILE'],
    environment: ['DATA_DIR', 'DATABASE_URL'],
    example: 'npx rampart documents import client/persisted-documents.json --app-version 2.4.0',
    run: (input) =>
      withDocumentStore(input, ({ store, location, setting }) =>
        importDocumentsCommand(
          store,
          {
            file: input.positionals[0],
            appVersion: text(input.values['app-version']),
            json: input.values['json'] === true,
            storedIn: { location, setting },
          },
          input.out,
        ),
      ),
  },
  {
    name: 'documents list',
    summary: 'List app versions of trusted documents: how many, when imported, live or retired.',
    synopsis: '[--json]',
    description: 'List the app versions whose trusted documents DATA_DIR (or DATABASE_URL) holds: documents, import time, live or retired.',
    options: { json },
    positionals: [],
    environment: ['DATA_DIR', 'DATABASE_URL'],
    example: 'npx rampart documents list',
    run: (input) =>
      withDocumentStore(input, ({ store }) => listDocumentsCommand(store, { json: input.values['json'] === true }, input.out)),
  },
  {
    name: 'documents retire',
    summary: 'Retire an app version: its documents are refused unless a live version lists them.',
    synopsis: 'V',
    description:
      'Retire an app version once no installed app sends its operations any more: its documents are\n' +
      'refused (PERSISTED_QUERY_NOT_FOUND) unless a live version lists them too, by every server\n' +
      "sharing the store, within the servers' cache lifetime (10 s by default).",
    options: {},
    positionals: ['V'],
    environment: ['DATA_DIR', 'DATABASE_URL'],
    example: 'npx rampart documents retire 2.3.1',
    run: (input) => withDocumentStore(input, ({ store }) => retireDocumentsCommand(store, input.positionals[0], input.out)),
  },
  {
    name: 'token user',
    summary: 'Development issuer only: print an access token the running demo accepts.',
    synopsis: '--sub ID [--scope "a b"] [--ttl 15m] [--dpop-key FILE]',
    description:
      'Development issuer only: print an access token the running demo accepts, for the user id\n' +
      'signUp returned. With --dpop-key, the token is bound to that key pair (created when FILE does\n' +
      'not exist); send it as Authorization: DPoP TOKEN with a proof from token dpop-proof.',
    options: {
      sub: string('ID', 'the user id (required)'),
      scope: string(
        '"a b"',
        'space-separated scopes among orders:read orders:write reviews:write catalog:admin (default: the first three)',
      ),
      ttl: string('15m', 'how long the token lives, 1s to 24h (default: 15m)'),
      'dpop-key': string('FILE', 'bind the token to the DPoP key pair in FILE'),
    },
    positionals: [],
    environment: ['DATA_DIR', 'NODE_ENV', 'PORT'],
    example: 'npx rampart token user --sub u_123 --scope "orders:read catalog:admin"',
    run: ({ values, env, out }) =>
      userTokenCommand(
        openDataDirectory(env['DATA_DIR']),
        {
          sub: text(values['sub']),
          scope: text(values['scope']),
          ttl: text(values['ttl']),
          dpopKey: text(values['dpop-key']),
          port: env['PORT'],
        },
        out,
      ),
  },
  {
    name: 'token attestation',
    summary: 'Development attester only: print an attestation token (send it as Approov-Token).',
    synopsis: '[--bind "AUTHORIZATION HEADER VALUE"] [--ttl 5m]',
    description:
      'Development attester only: print an Approov-format attestation token the running demo accepts,\n' +
      'as the genuine app would hold it (send it as Approov-Token).',
    options: {
      bind: string('"AUTHORIZATION HEADER VALUE"', 'tie the token to that exact Authorization header value'),
      ttl: string('5m', 'how long the token lives, 1s to 1h (default: 5m)'),
    },
    positionals: [],
    environment: ['DATA_DIR', 'NODE_ENV'],
    example: 'npx rampart token attestation --bind "Bearer eyJ…"',
    run: ({ values, env, out }) =>
      attestationTokenCommand(openDataDirectory(env['DATA_DIR']), { bind: text(values['bind']), ttl: text(values['ttl']) }, out),
  },
  {
    name: 'token captcha',
    summary: 'Development captcha provider only: print a single-use token (send it as X-Captcha-Token).',
    synopsis: '--action NAME [--score 0.9]',
    description:
      'Development captcha provider only: print a single-use token the running demo accepts for that\n' +
      'action, as if a human solved the challenge (send it as X-Captcha-Token).',
    options: {
      action: string('NAME', "the directive's action, e.g. signup or review (required)"),
      score: string('0.9', 'the score the provider reports, 0 to 1 (default: 0.9)'),
    },
    positionals: [],
    environment: ['DATA_DIR', 'NODE_ENV'],
    example: 'npx rampart token captcha --action signup',
    run: ({ values, env, out }) =>
      captchaTokenCommand(openDataDirectory(env['DATA_DIR']), { action: text(values['action']), score: text(values['score']) }, out),
  },
  {
    name: 'token dpop-proof',
    summary: 'Print a DPoP proof for one request (send it in the DPoP header).',
    synopsis: '--dpop-key FILE --url URL --token TOKEN [--method POST]',
    description:
      'Print a DPoP proof for one request, signed with the key pair token user --dpop-key created.\n' +
      'Send it in the DPoP header and the token as Authorization: DPoP TOKEN. One proof per request.',
    options: {
      'dpop-key': string('FILE', 'the key pair file (required)'),
      url: string('URL', 'the request URL (required)'),
      token: string('TOKEN', 'the access token the proof accompanies (required)'),
      method: string('POST', 'the request method (default: POST)'),
    },
    positionals: [],
    environment: ['NODE_ENV'],
    example: 'npx rampart token dpop-proof --dpop-key client.jwk --url http://localhost:4000/graphql --token eyJ…',
    run: ({ values, out }) =>
      dpopProofCommand(
        { dpopKey: text(values['dpop-key']), url: text(values['url']), token: text(values['token']), method: text(values['method']) },
        out,
      ),
  },
];
