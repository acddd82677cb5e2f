import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataDirectory, preparePrivateDatabaseFile } from '../../src/development/data-directory.js';
import { temporaryDirectory } from '../support/temp-directory.js';

let parent: ReturnType<typeof temporaryDirectory>;
beforeEach(() => {
  parent = temporaryDirectory();
});
afterEach(() => parent.remove());

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('openDataDirectory', () => {
  it('creates a missing directory, and its missing parents, readable by the owner only (0700)', () => {
    const root = join(parent.path, 'srv', 'rampart');
    openDataDirectory(root);
    expect(modeOf(root)).toBe(0o700);
  });

  it('narrows an existing directory that others can read (0755) to 0700', () => {
    const root = join(parent.path, 'data');
    mkdirSync(root, { mode: 0o755 });
    expect(modeOf(root)).toBe(0o755);
    openDataDirectory(root);
    expect(modeOf(root)).toBe(0o700);
  });
});

describe('preparePrivateDatabaseFile', () => {
  it('creates the database file 0600, so that SQLite gives its -wal and -shm files the same mode', () => {
    const path = join(parent.path, 'keys.db');
    preparePrivateDatabaseFile(path);
    const database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.exec('CREATE TABLE t (x)');
    expect(readdirSync(parent.path).sort()).toEqual(['keys.db', 'keys.db-shm', 'keys.db-wal']);
    for (const file of readdirSync(parent.path)) expect([file, modeOf(join(parent.path, file))]).toEqual([file, 0o600]);
    database.close();
  });

  it('narrows a database and companions left 0644 by an earlier version to 0600', () => {
    const path = join(parent.path, 'catalog.db');
    for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) writeFileSync(file, '', { mode: 0o644 });
    preparePrivateDatabaseFile(path);
    for (const file of readdirSync(parent.path)) expect([file, modeOf(join(parent.path, file))]).toEqual([file, 0o600]);
  });
});
