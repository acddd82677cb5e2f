import { randomBytes } from 'node:crypto';
import { linkSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Creates `path` with `contents` (mode 0600) unless it exists, atomically: the file appears whole
 * or not at all, and when several processes race to create it exactly one wins. The others get
 * `false` and must read the winner's file, so that instances started together over one data
 * directory end up with the same key.
 *
 * @returns `true` when this call created the file, `false` when it already existed.
 */
export function createFileOnce(path: string, contents: string): boolean {
  // Random, not the pid: containers sharing a volume all run as pid 1.
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  writeFileSync(temporary, contents, { mode: 0o600, flag: 'wx' });
  try {
    // link(2) fails with EEXIST instead of replacing, unlike rename(2).
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}
