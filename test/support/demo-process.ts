import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A demo server running in its own process, as `npm start` runs it. */
export interface DemoProcess {
  readonly child: ChildProcess;
  readonly endpoint: URL;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

/** Starts `src/demo/main.ts` (through tsx) on a free port and waits until it listens. */
export async function startDemoProcess(env: Record<string, string>): Promise<DemoProcess> {
  // As `npm start` runs it: without the NODE_ENV=test vitest sets, which changes Apollo Server's
  // defaults (it would not handle SIGTERM itself).
  const { NODE_ENV: _testEnvironment, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts'], {
    cwd: repositoryRoot,
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 30_000);
    const look = () => {
      const match = /listening on (http:\/\/\S+\/graphql)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(new URL(match[1]));
      }
    };
    child.stdout.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`demo exited before listening:\n${output}`));
    });
  });
  return { child, endpoint, output: () => output, exited };
}

/**
 * Resolves once the process has written `text` (stdout or stderr); rejects after `timeoutMs`, or
 * when the process exits first, with what it wrote.
 */
export function waitForOutput(demo: DemoProcess, text: string, timeoutMs = 10_000): Promise<void> {
  if (demo.output().includes(text)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (outcome: Error | undefined) => {
      clearTimeout(timer);
      demo.child.stdout?.off('data', look);
      demo.child.stderr?.off('data', look);
      if (outcome) reject(outcome);
      else resolve();
    };
    const look = () => {
      if (demo.output().includes(text)) done(undefined);
    };
    const timer = setTimeout(() => done(new Error(`no "${text}" within ${timeoutMs} ms:\n${demo.output()}`)), timeoutMs);
    demo.child.stdout?.on('data', look);
    demo.child.stderr?.on('data', look);
    void demo.exited.then(() => {
      if (!demo.output().includes(text)) done(new Error(`exited without writing "${text}":\n${demo.output()}`));
    });
  });
}
