import { describe, expect, it } from 'vitest';
import { keyCreateCommand, shellQuoted } from '../../src/demo/key-hint.js';

describe("keyCreateCommand (the demo's start hint)", () => {
  const cwd = '/home/dev/shop';

  it.each([
    [undefined, 'npx rampart keys create --app demo'],
    ['', 'npx rampart keys create --app demo'],
    ['.data', 'npx rampart keys create --app demo'],
    ['./.data/', 'npx rampart keys create --app demo'],
    ['/home/dev/shop/.data', 'npx rampart keys create --app demo'],
    ['/var/lib/rampart', 'DATA_DIR=/var/lib/rampart npx rampart keys create --app demo'],
    ['data', 'DATA_DIR=/home/dev/shop/data npx rampart keys create --app demo'],
    ["/tmp/it's here", "DATA_DIR='/tmp/it'\\''s here' npx rampart keys create --app demo"],
  ])('with DATA_DIR=%j: %s', (dataDir, expected) => {
    expect(keyCreateCommand({ dataDir, databaseUrl: undefined }, cwd)).toBe(expected);
  });

  it('names DATABASE_URL when the keys are in PostgreSQL, without printing its credentials', () => {
    const hint = keyCreateCommand({ dataDir: undefined, databaseUrl: 'postgres://shop:hunter2@db:5432/shop' }, cwd);
    expect(hint).toBe("DATABASE_URL=<the demo's DATABASE_URL> npx rampart keys create --app demo");
  });
});

describe('shellQuoted', () => {
  it.each([
    ['/plain/path-1.2', '/plain/path-1.2'],
    ['with space', "'with space'"],
    ['$(rm -rf ~)', "'$(rm -rf ~)'"],
    ["a'b", "'a'\\''b'"],
    ['', "''"],
  ])('%j → %s', (text, quoted) => {
    expect(shellQuoted(text)).toBe(quoted);
  });
});
