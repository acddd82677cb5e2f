import { createDemoServer, DemoShutdownError } from './server.js';
import { DemoConfigError, readDemoConfig } from './config.js';
import { keyCreateCommand } from './key-hint.js';

/** `npm start`: the demo catalog API, until SIGTERM or SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = readDemoConfig(process.env);
  } catch (error) {
    if (error instanceof DemoConfigError) {
      process.stderr.write(`graphql-rampart demo: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const server = createDemoServer(config);
  let url: URL;
  try {
    url = await server.start();
  } catch (error) {
    // A store that cannot be reached at start (PostgreSQL down, a port taken): one clear line, no
    // stack, no credentials; the orchestrator restarts the instance.
    const { code, message } = error as { code?: unknown; message?: unknown };
    const reason = `${typeof code === 'string' ? `${code}: ` : ''}${String(message ?? error)}`.replace(/\/\/[^/@\s]*@/g, '//***@');
    process.stderr.write(`graphql-rampart demo: could not start: ${reason}\n`);
    await server.stop().catch(() => undefined);
    process.exit(1);
  }
  const origin = url.origin;
  process.stdout.write(
    [
      `graphql-rampart demo listening on ${url.href}  (health: ${origin}/healthz)`,
      '',
      'Create an API key (printed once, stored hashed):',
      `  ${keyCreateCommand(config)}`,
      'Then call the catalog with it:',
      `  curl -s ${url.href} -H 'content-type: application/json' -H 'X-API-Key: <key>' \\`,
      `    -d '{"query":"{ products(first: 3) { edges { node { name price } } } }"}'`,
      ...(config.production ? [] : [`Or open ${url.href} in a browser: GraphiQL, with the key in its Headers tab (development only).`]),
      '',
    ].join('\n'),
  );

  // One shutdown path (server.stop()), started by the first SIGTERM or SIGINT; a second signal
  // exits at once. A watchdog exits 1 should stop() itself ever hang, so shutdown is bounded.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now, without waiting for in-flight requests.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`${signal}: finishing in-flight requests, then exiting.\n`);
    const watchdogMs = config.shutdownGraceMs + 15_000;
    setTimeout(() => {
      process.stderr.write(`graphql-rampart demo: shutdown did not finish within ${watchdogMs / 1000} s: exiting.\n`);
      process.exit(1);
    }, watchdogMs).unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `graphql-rampart demo: shutdown incomplete: ${error instanceof DemoShutdownError ? error.message : 'unexpected error'}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

await main();
