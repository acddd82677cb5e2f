import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../support/demo-process.js';
import { temporaryDirectory } from '../support/temp-directory.js';

let project: ReturnType<typeof temporaryDirectory>;
let packed: { files: string[]; packageJson: { dependencies: Record<string, string>; peerDependencies: Record<string, string> } };
let results: Record<string, unknown>;

/** Links a package (and its scope folder) from the repository's node_modules, as an install would provide it. */
function provide(name: string): void {
  const target = join(project.path, 'node_modules', name);
  if (existsSync(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(repositoryRoot, 'node_modules', name), target, 'dir');
}

beforeAll(() => {
  project = temporaryDirectory('rampart-reuse-');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', project.path], { cwd: repositoryRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [summary] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!summary) throw new Error('npm pack printed nothing');
  const installed = join(project.path, 'node_modules', 'graphql-rampart');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', join(project.path, summary.filename), '-C', installed, '--strip-components=1']);
  const packageJson = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  packed = { files: summary.files.map((file) => file.path), packageJson };
  // What `npm install graphql-rampart` would bring: its dependencies and peers; plus the servers
  // this project itself runs the schema on.
  for (const name of [
    ...Object.keys(packageJson.dependencies ?? {}),
    ...Object.keys(packageJson.peerDependencies ?? {}).filter((name) => name !== 'better-sqlite3'),
    '@graphql-tools/schema',
    'graphql-yoga',
    'graphql-http',
    '@apollo/server',
  ]) {
    provide(name);
  }
  writeFileSync(join(project.path, 'package.json'), JSON.stringify({ name: 'reuse-check', private: true, type: 'module' }));
  cpSync(new URL('./fixtures/servers.mjs', import.meta.url), join(project.path, 'servers.mjs'));
  results = JSON.parse(execFileSync(process.execPath, ['servers.mjs'], { cwd: project.path, encoding: 'utf8' }));
}, 180_000);

afterAll(() => project?.remove());

describe('the published package', () => {
  it('holds the compiled library, its types and the SDL, and no source, test or demo code', () => {
    expect(packed.files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'schema/directives.graphql', 'bin/rampart.js', 'package.json', 'README.md']));
    expect(packed.files.filter((file) => /^(src|test|bench)\//.test(file) || file.startsWith('dist/demo/'))).toEqual([]);
  });

  it('installs without Apollo Server, better-sqlite3 or any demo dependency', () => {
    expect(Object.keys(packed.packageJson.dependencies).sort()).toEqual(['jose', 'lru-cache', 'ms']);
    const installed = readdirSync(join(project.path, 'node_modules', 'graphql-rampart', 'dist'));
    expect(installed).not.toContain('demo');
  });

  const expected = [
    { data: null, codes: [['products', 'API_KEY_REQUIRED']] },
    { data: { products: ['kettle'] }, codes: [] },
    { data: { me: null }, codes: [['me', 'UNAUTHENTICATED']] },
    { data: { me: 'alice', admin: null }, codes: [['admin', 'FORBIDDEN']] },
    { data: { a: 1, b: null }, codes: [['b', 'RATE_LIMITED']] },
  ];

  it.each(['plain', 'yoga', 'graphqlHttp', 'apollo'])('answers the same codes and partial results on %s', (server) => {
    expect(results[server]).toEqual(expected);
  });

  it('exports the directives’ SDL', () => {
    expect(results['sdlShipped']).toBe(true);
  });
});
