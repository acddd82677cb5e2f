import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../support/demo-process.js';
import { node24Binary } from '../support/node-24.js';
import { ifSetUp } from '../support/set-up.js';
import { temporaryDirectory } from '../support/temp-directory.js';

interface PackedPackage {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  scripts?: Record<string, string>;
  engines: { node: string };
}

let project: ReturnType<typeof temporaryDirectory>;
let packed: { files: string[]; packageJson: PackedPackage };
/** The Node lines the package runs on here: this machine's, and Node 24 from the npm registry. */
const nodeLines: Array<{ readonly major: string; readonly name: string; binary: () => string }> = [
  { major: process.versions.node.split('.')[0] ?? '', name: `Node ${process.versions.node}`, binary: () => process.execPath },
  { major: '24', name: 'Node 24', binary: node24Binary },
];
const results = new Map<string, Record<string, unknown>>();
const required = new Map<string, Record<string, unknown>>();
let typeCheck: { status: number | null; output: string };
/** The same compilation with every declaration file checked too (skipLibCheck off). */
let libraryCheck: string;

/** Links a package (and its scope folder) from the repository's node_modules, as an install would provide it. */
function provide(name: string): void {
  const target = join(project.path, 'node_modules', name);
  if (existsSync(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(repositoryRoot, 'node_modules', name), target, 'dir');
}

function runJson(binary: string, file: string): Record<string, unknown> {
  return JSON.parse(execFileSync(binary, [file], { cwd: project.path, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

beforeAll(() => {
  project = temporaryDirectory('rampart-reuse-');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', project.path], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [summary] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!summary) throw new Error('npm pack printed nothing');
  const installed = join(project.path, 'node_modules', 'graphql-rampart');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', join(project.path, summary.filename), '-C', installed, '--strip-components=1']);
  const packageJson = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as PackedPackage;
  packed = { files: summary.files.map((file) => file.path), packageJson };
  // What `npm install graphql-rampart` would bring: its dependencies and peers (the optional
  // native one left out); plus the servers and tools this project itself uses.
  for (const name of [
    ...Object.keys(packageJson.dependencies),
    ...Object.keys(packageJson.peerDependencies).filter((name) => name !== 'better-sqlite3'),
    '@graphql-tools/schema',
    'graphql-yoga',
    'graphql-http',
    '@apollo/server',
    'express',
    '@as-integrations/express5',
    'typescript',
    '@types/node',
    '@types/express',
  ]) {
    provide(name);
  }
  writeFileSync(join(project.path, 'package.json'), JSON.stringify({ name: 'reuse-check', private: true, type: 'module' }));
  for (const fixture of ['servers.mjs', 'require.cjs', 'consumer.ts']) {
    cpSync(new URL(`./fixtures/${fixture}`, import.meta.url), join(project.path, fixture));
  }
  const tsconfig = (skipLibCheck: boolean) =>
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        noEmit: true,
        skipLibCheck,
      },
      files: ['consumer.ts'],
    });
  writeFileSync(join(project.path, 'tsconfig.json'), tsconfig(true));
  writeFileSync(join(project.path, 'tsconfig.lib.json'), tsconfig(false));
  for (const line of nodeLines) {
    const binary = line.binary();
    results.set(line.name, runJson(binary, 'servers.mjs'));
    required.set(line.name, runJson(binary, 'require.cjs'));
  }
  const tsc = (config: string) =>
    spawnSync(process.execPath, [join(project.path, 'node_modules/typescript/bin/tsc'), '-p', config], {
      cwd: project.path,
      encoding: 'utf8',
    });
  const strict = tsc('tsconfig.json');
  typeCheck = { status: strict.status, output: `${strict.stdout}${strict.stderr}` };
  libraryCheck = tsc('tsconfig.lib.json').stdout;
}, 300_000);

afterAll(() => ifSetUp(project)?.remove());

const lines = nodeLines.map((line) => line.name);

describe('the published package', () => {
  it('holds the compiled library, its types, the SDL and the licence, and no source, test, demo code or source map', () => {
    expect(packed.files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/envelop.js',
        'dist/envelop.d.ts',
        'dist/apollo.js',
        'dist/apollo.d.ts',
        'schema/directives.graphql',
        'bin/rampart.js',
        'package.json',
        'README.md',
        'LICENSE',
      ]),
    );
    expect(
      packed.files.filter((file) => /^(src|test|bench)\//.test(file) || file.startsWith('dist/demo/') || file.endsWith('.map')),
    ).toEqual([]);
  });

  it('points no shipped file at a source map', () => {
    const installed = join(project.path, 'node_modules', 'graphql-rampart');
    const mapped = packed.files.filter(
      (file) => /\.(js|d\.ts)$/.test(file) && readFileSync(join(installed, file), 'utf8').includes('sourceMappingURL'),
    );
    expect(mapped).toEqual([]);
  });

  it('runs no script when installed (built by prepack, not prepare)', () => {
    const scripts = Object.keys(packed.packageJson.scripts ?? {});
    expect(scripts.filter((name) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(name))).toEqual([]);
    expect(scripts).toContain('prepack');
  });

  it('installs without Apollo Server, better-sqlite3 or any demo dependency', () => {
    expect(Object.keys(packed.packageJson.dependencies).sort()).toEqual(['jose', 'lru-cache', 'ms']);
    const installed = readdirSync(join(project.path, 'node_modules', 'graphql-rampart', 'dist'));
    expect(installed).not.toContain('demo');
  });

  it('declares the servers, the stores’ drivers and their types as optional peers', () => {
    const optional = Object.entries(packed.packageJson.peerDependenciesMeta)
      .filter(([, meta]) => meta.optional === true)
      .map(([name]) => name)
      .sort();
    expect(optional).toEqual(['@apollo/server', '@envelop/core', 'better-sqlite3', 'ioredis', 'pg']);
    expect(Object.keys(packed.packageJson.peerDependencies).sort()).toEqual([...optional, '@graphql-tools/utils', 'graphql'].sort());
  });

  it('names in engines exactly the Node lines the package is tested on here', () => {
    const engineLines = packed.packageJson.engines.node.split('||').map((range) => /\^(\d+)\./.exec(range.trim())?.[1]);
    expect(engineLines).toEqual([...new Set(nodeLines.map(({ major }) => major))].sort());
  });

  const expected = [
    { data: null, codes: [['products', 'API_KEY_REQUIRED']] },
    { data: { products: ['kettle'] }, codes: [] },
    { data: { me: null }, codes: [['me', 'UNAUTHENTICATED']] },
    { data: { me: 'alice', admin: null }, codes: [['admin', 'FORBIDDEN']] },
    { data: { a: 1, b: null }, codes: [['b', 'RATE_LIMITED']] },
  ];

  describe.each(['plain', 'yoga', 'graphqlHttp', 'apollo', 'yogaAdapter', 'apolloAdapter'])('on %s', (server) => {
    it.each(lines)('answers the same codes and partial results on %s', (line) => {
      expect(results.get(line)?.[server]).toEqual(expected);
    });
  });

  it.each(lines)('sets Retry-After through both adapters on %s, only where a field was rate limited', (line) => {
    const none = [null, null, null, null];
    expect(results.get(line)?.['yogaAdapterRetryAfter']).toEqual([...none, '60']);
    expect(results.get(line)?.['apolloAdapterRetryAfter']).toEqual([...none, '60']);
  });

  it.each(lines)('is required from a CommonJS module on %s, every entry', (line) => {
    expect(required.get(line)).toEqual({
      main: 'function',
      development: 'function',
      envelop: 'function',
      apollo: 'function',
      trustedDocuments: 'function',
      sdl: true,
    });
  });

  it('compiles a TypeScript user of every entry, on Yoga and Apollo Server, under tsc --strict', () => {
    expect(typeCheck.output).toBe('');
    expect(typeCheck.status).toBe(0);
  });

  it('ships declarations that compile themselves (no error in graphql-rampart’s .d.ts with skipLibCheck off)', () => {
    // Other packages' declarations (GraphQL Yoga's need the DOM's URLPattern) may report errors here.
    expect(libraryCheck.split('\n').filter((line) => line.includes('graphql-rampart/'))).toEqual([]);
  });

  it('exports the directives’ SDL', () => {
    expect([...results.values()].map((result) => result['sdlShipped'])).toEqual([true, true]);
  });
});
