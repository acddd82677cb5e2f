import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './demo-process.js';

/**
 * A Node.js 24 binary for the tests that run the packed package on each Node line the package
 * supports: `NODE24_BIN` when set, else the npm package `node@24` (which brings the binary from
 * the npm registry), installed once into `node_modules/.cache/rampart-node24`.
 */
export function node24Binary(): string {
  const given = process.env['NODE24_BIN'];
  if (given !== undefined && given !== '') return given;
  const directory = join(repositoryRoot, 'node_modules', '.cache', 'rampart-node24');
  const binary = join(directory, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(binary)) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'package.json'), '{ "private": true }\n');
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', directory, 'node@24'], {
      cwd: directory,
      stdio: 'ignore',
    });
  }
  return binary;
}
