import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as entry from '../src/index.js';

const sourceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every module src/index.ts reaches through static imports, and every bare package it imports. */
function reachableModules(): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    // Comments (TSDoc examples) are not imports.
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0] as string);
    }
  };
  visit(resolve(sourceRoot, 'index.ts'));
  return { files, packages };
}

describe('the package entry', () => {
  it('reaches no demo or CLI code', () => {
    const outside = [...reachableModules().files].filter((file) => /[/\\]src[/\\](demo|cli)[/\\]/.test(file));
    expect(outside).toEqual([]);
  });

  it('imports only its own dependencies and peers, never Apollo Server or better-sqlite3', () => {
    const { packages } = reachableModules();
    const allowed = new Set(['graphql', '@graphql-tools/utils', 'jose', 'lru-cache', 'ms']);
    expect([...packages].filter((name) => !name.startsWith('node:') && !allowed.has(name))).toEqual([]);
  });

  it('has named exports only', () => {
    expect(Object.keys(entry)).not.toContain('default');
  });
});
