#!/usr/bin/env node
// The rampart command. Runs the compiled CLI (npm install builds dist/ through "prepare").
import { runCli } from '../dist/cli/main.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`rampart: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
