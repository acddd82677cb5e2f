import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileOnce } from '../../src/development/create-file-once.js';
import { repositoryRoot } from '../support/demo-process.js';
import { temporaryDirectory } from '../support/temp-directory.js';

const run = promisify(execFile);
let directory: ReturnType<typeof temporaryDirectory>;
beforeEach(() => {
  directory = temporaryDirectory();
});
afterEach(() => directory.remove());

describe('createFileOnce', () => {
  it('creates the file, readable by its owner only, and leaves no temporary file', () => {
    const path = join(directory.path, 'secret.json');
    expect(createFileOnce(path, '{"secret":"a"}\n')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('{"secret":"a"}\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(directory.path)).toEqual(['secret.json']);
  });

  it('leaves an existing file as it is and says so', () => {
    const path = join(directory.path, 'secret.json');
    writeFileSync(path, 'first');
    expect(createFileOnce(path, 'second')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(readdirSync(directory.path)).toEqual(['secret.json']);
  });
});

describe('development providers opened by processes starting together', () => {
  it.each([
    ['DevelopmentIssuer', '(await DevelopmentIssuer.open(path)).jwks().keys[0].kid'],
    ['DevelopmentAttester', 'DevelopmentAttester.open(path).secretBase64'],
  ])(
    '%s: eight processes racing over one empty data directory end up with one key',
    async (_name, expression) => {
      const path = join(directory.path, 'provider.json');
      const script = `import { DevelopmentAttester, DevelopmentIssuer } from './src/development.ts';
const path = ${JSON.stringify(path)};
const start = ${Date.now() + 1500};
while (Date.now() < start) {}
console.log(${expression});`;
      const outputs = await Promise.all(
        Array.from({ length: 8 }, () =>
          run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repositoryRoot }),
        ),
      );
      const keys = new Set(outputs.map((output) => output.stdout.trim()));
      expect(keys.size).toBe(1);
      expect([...keys][0]).not.toBe('');
      expect(readdirSync(directory.path)).toEqual(['provider.json']);
    },
    30_000,
  );
});
