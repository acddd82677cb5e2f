import { runCli } from '../../src/cli/main.js';
import { readDemoConfig } from '../../src/demo/config.js';
import { createDemoServer, type DemoServer, type DemoServerOptions } from '../../src/demo/server.js';
import { capturedOutput } from './captured-output.js';
import { temporaryDirectory } from './temp-directory.js';

/** A GraphQL answer as the demo sends it. */
export interface DemoResult {
  data?: any;
  errors?: Array<{ path?: string[]; message: string; extensions: Record<string, any> }>;
}

/** An HTTP answer of the demo: status, headers, the raw text and the parsed body. */
export interface DemoAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: any;
}

/** The demo running in this process on a free port, with its own data directory and an API key. */
export interface RunningDemo {
  readonly server: DemoServer;
  readonly endpoint: URL;
  /** The data directory (`DATA_DIR`). */
  readonly dataDir: string;
  /** An API key issued for this demo. */
  readonly apiKey: string;
  /** Every log line the demo wrote. */
  readonly logLines: string[];
  /** Runs `rampart …` against the demo's data directory; resolves with its stdout, trimmed (throws on a non-zero exit). */
  readonly cli: (...argv: string[]) => Promise<string>;
  /** Runs `rampart …` and resolves with its exit code and both outputs. */
  readonly runCli: (...argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  /** POSTs a GraphQL query with the API key (and `headers`), resolving with the parsed result. */
  readonly graphql: (query: string, headers?: Record<string, string>, variables?: Record<string, unknown>) => Promise<DemoResult>;
  /** POSTs any JSON body with the API key (and `headers`) to `url` (default: the endpoint). */
  readonly post: (body: unknown, headers?: Record<string, string>, url?: string) => Promise<DemoAnswer>;
  /** Stops the demo and removes its data directory. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts the demo in this process as `npm start` would configure it from `env` (port 0 on
 * 127.0.0.1, a fresh DATA_DIR unless given), and issues an API key for `app`.
 */
export async function startDemo(
  env: Record<string, string> = {},
  options: DemoServerOptions & { readonly app?: string } = {},
): Promise<RunningDemo> {
  const directory = env['DATA_DIR'] === undefined ? temporaryDirectory() : { path: env['DATA_DIR'], remove: () => undefined };
  const logLines: string[] = [];
  const server = createDemoServer(
    readDemoConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: directory.path, ...env }),
    (line) => logLines.push(line),
    options,
  );
  const endpoint = await server.start();
  const runCliHere = async (...argv: string[]) => {
    const out = capturedOutput();
    // The stores the demo reads: its data directory, and its PostgreSQL database when it has one.
    const code = await runCli(
      argv,
      { DATA_DIR: directory.path, ...(env['DATABASE_URL'] ? { DATABASE_URL: env['DATABASE_URL'] } : {}) },
      out,
    );
    return { code, stdout: out.stdout.join('\n').trim(), stderr: out.stderr.join('\n') };
  };
  // Issued where the demo reads keys: keys.db in DATA_DIR, or PostgreSQL with DATABASE_URL.
  const created = await runCliHere('keys', 'create', '--app', options.app ?? 'test-app', '--json');
  if (created.code !== 0) throw new Error(`could not issue the demo's API key: ${created.stderr}`);
  const apiKey = (JSON.parse(created.stdout) as { key: string }).key;
  const post = async (body: unknown, headers: Record<string, string> = {}, url: string = endpoint.href): Promise<DemoAnswer> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };
  return {
    server,
    endpoint,
    dataDir: directory.path,
    apiKey,
    logLines,
    runCli: runCliHere,
    async cli(...argv) {
      const { code, stdout, stderr } = await runCliHere(...argv);
      if (code !== 0) throw new Error(`rampart ${argv.join(' ')} exited ${code}: ${stderr}`);
      return stdout;
    },
    async graphql(query, headers = {}, variables) {
      return (await post(variables === undefined ? { query } : { query, variables }, headers)).body as DemoResult;
    },
    post,
    async stop() {
      await server.stop();
      directory.remove();
    },
  };
}

/** `[path, code]` of every error of a result, for exact assertions. */
export function pathCodes(result: DemoResult): Array<[string | undefined, unknown]> {
  return (result.errors ?? []).map((error) => [error.path?.join('.'), error.extensions['code']]);
}

/** The code of every error of a result, in order. */
export function errorCodesOf(result: DemoResult): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions['code']);
}
