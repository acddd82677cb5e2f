#!/usr/bin/env node
// The rampart command. Runs the compiled CLI: the package ships it in dist/; in a clone of the
// repository, `npm start` or `npm run build` compiles it.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('rampart: the compiled command is missing (dist/). In a clone of graphql-rampart, run npm run build first.\n');
  process.exit(1);
}
const { runCli } = await import(compiled.href);

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`rampart: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
