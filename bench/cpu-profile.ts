import { readFileSync } from 'node:fs';

/** A V8 CPU profile as `node --cpu-prof` writes it. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time of one function (or one group of functions) in a profile. */
export interface ProfileRow {
  readonly name: string;
  /** Milliseconds sampled in the function itself. */
  readonly selfMs: number;
  /** Share of every sample in the profile (idle and GC included). */
  readonly share: number;
}

/** Where a function lives: this project's source, a dependency, Node itself, or V8's own entries. */
function placeOf(url: string): string {
  if (url === '') return 'V8 / native';
  if (url.includes('/node_modules/')) {
    const after = url.slice(url.lastIndexOf('/node_modules/') + '/node_modules/'.length);
    const parts = after.split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
  }
  if (url.startsWith('node:')) return 'node';
  const source = url.indexOf('/src/');
  if (source !== -1) return url.slice(source + 1);
  const bench = url.indexOf('/bench/');
  if (bench !== -1) return url.slice(bench + 1);
  return url;
}

/**
 * Reads a `.cpuprofile` and answers the functions with the most self time (`by: 'function'`), or
 * self time summed per file of this project and per package (`by: 'place'`).
 */
export function summariseCpuProfile(
  path: string,
  by: 'function' | 'place',
  top = 25,
): { readonly totalMs: number; readonly rows: readonly ProfileRow[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index + 1] ?? 0; // a sample's time is the gap to the next one
    const node = nodes.get(id);
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(url);
    const key =
      by === 'place'
        ? functionName === '(idle)' || functionName === '(garbage collector)' || functionName === '(program)'
          ? functionName
          : place
        : url === ''
          ? functionName
          : `${functionName || '(anonymous)'} ${place}:${lineNumber + 1}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    totalUs += delta;
  });
  const rows = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, rows };
}
