import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version in graphql-rampart's package.json: the nearest one above this module named
 * graphql-rampart (src/cli/ in the repository, dist/cli/ in the installed package).
 */
export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  let directory = dirname(from);
  for (;;) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'graphql-rampart' && typeof manifest.version === 'string') return manifest.version;
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error('the package.json of graphql-rampart was not found');
    directory = parent;
  }
}
