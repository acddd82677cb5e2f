import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from './support/demo-process.js';
import { freeServerPort } from './support/free-port.js';
import { ifSetUp } from './support/set-up.js';
import { temporaryDirectory } from './support/temp-directory.js';

// Every ```ts block of the README is a file of a user's project, type-checked with `tsc --strict`
// against the package's own entries, so that the documentation cannot drift from the code. A
// block that cannot stand alone is preceded by `<!-- readme-test: skip (why) -->`; none is today.
const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');

interface Block {
  /** The README line of the opening fence. */
  readonly line: number;
  readonly code: string;
  /** Why it is not compiled, when it is not. */
  readonly skip: string | undefined;
}

function typeScriptBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (lines[index]?.trim() !== '```ts') continue;
    const end = lines.findIndex((line, at) => at > index && line.trim() === '```');
    if (end === -1) throw new Error(`README line ${index + 1}: a ts block is never closed`);
    const before =
      lines
        .slice(0, index)
        .reverse()
        .find((line) => line.trim() !== '') ?? '';
    const skip = /^<!-- readme-test: skip \((.+)\) -->$/.exec(before.trim())?.[1];
    blocks.push({ line: index + 1, code: lines.slice(index + 1, end).join('\n'), skip });
    index = end;
  }
  return blocks;
}

const blocks = typeScriptBlocks(readme);
const compiled = blocks.filter((block) => block.skip === undefined);
const entries = {
  '': 'index.ts',
  '/development': 'development.ts',
  '/envelop': 'envelop.ts',
  '/apollo': 'apollo.ts',
  '/trusted-documents': 'trusted-documents.ts',
};

let project: ReturnType<typeof temporaryDirectory>;
/** tsc's diagnostics by block file. */
const diagnostics = new Map<string, string[]>();

const fileOf = (block: Block) => `readme-line-${block.line}.ts`;

beforeAll(() => {
  project = temporaryDirectory('rampart-readme-');
  // The project's packages are the repository's; `graphql-rampart` is the package's entries.
  symlinkSync(join(repositoryRoot, 'node_modules'), join(project.path, 'node_modules'), 'dir');
  writeFileSync(join(project.path, 'package.json'), JSON.stringify({ name: 'readme-check', private: true, type: 'module' }));
  const paths = Object.fromEntries(
    Object.entries(entries).map(([subpath, file]) => [`graphql-rampart${subpath}`, [join(repositoryRoot, 'src', file)]]),
  );
  writeFileSync(
    join(project.path, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        noEmit: true,
        skipLibCheck: true,
        paths,
      },
      files: compiled.map(fileOf),
    }),
  );
  // Each block is a module of its own (`export {}` makes one of a block that imports nothing).
  for (const block of compiled) writeFileSync(join(project.path, fileOf(block)), `${block.code}\nexport {};\n`);
  const tsc = spawnSync(
    process.execPath,
    [join(repositoryRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'],
    {
      cwd: project.path,
      encoding: 'utf8',
    },
  );
  for (const line of `${tsc.stdout}${tsc.stderr}`.split('\n').filter(Boolean)) {
    const file = /^(readme-line-\d+\.ts)\(/.exec(line)?.[1] ?? 'elsewhere';
    diagnostics.set(file, [...(diagnostics.get(file) ?? []), line]);
  }
}, 120_000);

afterAll(() => ifSetUp(project)?.remove());

describe('the README', () => {
  it('has TypeScript blocks, and skips few of them, each for a stated reason', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.filter((block) => block.skip !== undefined).length).toBeLessThanOrEqual(2);
  });

  it.each(compiled.map((block) => [block.line, block] as const))('compiles the ts block at line %i under tsc --strict', (_line, block) => {
    expect(diagnostics.get(fileOf(block)) ?? []).toEqual([]);
  });

  it('leaves no compiler error outside the blocks', () => {
    expect(diagnostics.get('elsewhere') ?? []).toEqual([]);
  });

  it('starts with a quick start for library users in memory: no Redis, no SQLite, no PostgreSQL', () => {
    const [first] = compiled;
    expect(first?.code).toContain('MemoryApiKeyStore');
    expect(first?.code).not.toMatch(/ioredis|better-sqlite3|from 'pg'|Redis|Sqlite|Postgres/);
    expect(readme.indexOf('### In your own server, in memory')).toBeLessThan(readme.indexOf('### The demo catalog'));
  });

  it('uses no name the package no longer has', () => {
    for (const gone of ['VerifiedApiKey', 'onStoreError', '.enforce(', 'defaultMaxTokens', 'retryAfterHeaderPlugin']) {
      expect(readme).not.toContain(gone);
    }
  });

  it('names exactly the Node lines of the package’s engines', () => {
    const { engines } = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
    const named = engines.node.split('||').map((range) => {
      const [major, minor] = range.trim().replace(/^\^/, '').split('.');
      return minor === '0' ? `${major}` : `${major} (${major}.${minor} or later)`;
    });
    expect(readme).toContain(`Node.js ${named.join(' or ')}: the lines the tests run the packed package on.`);
  });
});

describe('the README’s quick start', () => {
  let server: ChildProcess | undefined;
  afterAll(() => {
    if (server?.exitCode === null) server.kill();
  });

  it('runs as written: prints a key, refuses products without it and serves them with it', async () => {
    const [first] = compiled;
    if (first === undefined) throw new Error('no ts block');
    const port = await freeServerPort();
    // tsx runs the file as `npx tsx server.ts` does, with graphql-rampart resolved by the project's paths.
    server = spawn(process.execPath, ['--import', 'tsx', fileOf(first)], {
      cwd: project.path,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const printed = await new Promise<string>((resolve, reject) => {
      server?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(output);
      });
      server?.once('exit', () => reject(new Error(`the quick start exited:\n${output}`)));
    });
    const [, url, key] = /^(http:\/\/localhost:\d+\/graphql)\s+X-API-Key: (rampart_\S+)/.exec(printed) ?? [];
    expect(url).toBe(`http://localhost:${port}/graphql`);
    const post = async (query: string, headers: Record<string, string> = {}) =>
      (
        await fetch(url ?? '', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query }),
        })
      ).json();
    const without = (await post('{ products health }')) as { data: unknown; errors: Array<{ extensions: { code: string } }> };
    expect(without.data).toEqual({ products: null, health: 'ok' });
    expect(without.errors.map((error) => error.extensions.code)).toEqual(['API_KEY_REQUIRED']);
    expect(await post('{ products }', { 'x-api-key': key ?? '' })).toEqual({ data: { products: ['kettle', 'teapot'] } });
  }, 60_000);
});
