import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The source tree's layers, bottom to top. A module may import a lower layer, and its own module
// (the same folder); never a higher layer, never another module of its own layer (sideways), and
// never in a cycle. Directive folders never import each other: what they share lives one layer
// down. The CLI and the demo reach the library through its entries only, as another server would.
const sourceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const entries = ['index.ts', 'development.ts', 'trusted-documents.ts', 'envelop.ts', 'apollo.ts'];

/** The layer of a source file (relative to src/) and the module it belongs to within that layer. */
function placeOf(file: string): { readonly layer: number; readonly module: string } {
  const parts = file.split('/');
  const [top = '', second] = parts;
  if (parts.length === 1) {
    if (entries.includes(top)) return { layer: 6, module: top };
    if (top === 'directive-type-defs.ts') return { layer: 5, module: top }; // composes the directive folders
    return { layer: 0, module: top }; // errors.ts, duration.ts, protection-registry.ts, redis-hash-tag.ts, shape-checks.ts
  }
  switch (top) {
    case 'tokens':
    case 'replay':
    case 'api-keys':
    case 'rate-limit':
    case 'operation-limits':
    case 'operation-cost':
      return { layer: 1, module: top };
    case 'context':
      return { layer: 2, module: top };
    case 'request-policies':
      return { layer: 3, module: top };
    case 'trusted-documents':
      // A request-level capability beside the directives: it uses the shared layer, never a directive folder.
      return { layer: 4, module: top };
    case 'directives':
      // Shared mechanics are the folder's own files; each subfolder is one directive.
      return parts.length === 2 ? { layer: 3, module: 'directives' } : { layer: 4, module: `directives/${second ?? ''}` };
    case 'development':
    case 'adapters':
      return { layer: 5, module: top };
    case 'cli':
    case 'demo':
      return { layer: 7, module: top };
    default:
      throw new Error(`src/${file} is in no layer: place its folder in test/layers.test.ts`);
  }
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(sourceRoot, path).split('\\').join('/')] : [];
  });
}

/** Relative imports (static, dynamic and type-only) of a source file, as files relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(sourceRoot, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
    const specifier = match[1] ?? match[2] ?? '';
    found.push(
      relative(sourceRoot, resolve(dirname(join(sourceRoot, file)), specifier.replace(/\.js$/, '.ts')))
        .split('\\')
        .join('/'),
    );
  }
  return found;
}

const files = sourceFiles(sourceRoot);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** Every import that points up a layer, sideways to another module of the same layer, or around the entries. */
function forbiddenImports(): string[] {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = placeOf(file);
    for (const target of imports) {
      const to = placeOf(target);
      if (from.module === to.module) continue;
      const viaEntry = from.layer === 7 && to.layer === 6;
      if (from.layer === 7 ? !viaEntry : to.layer >= from.layer) wrong.push(`${file} -> ${target}`);
    }
  }
  return wrong;
}

/** Every import cycle, as the files on it (Tarjan's strongly connected components). */
function importCycles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      component.push(top);
      if (top === file) break;
    }
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

describe('the source layers', () => {
  it('places every source file in a layer', () => {
    expect(() => files.forEach(placeOf)).not.toThrow();
  });

  it('has no import pointing up a layer, sideways, or around the entries', () => {
    expect(forbiddenImports()).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles()).toEqual([]);
  });

  it('finds an upward import and a cycle when there is one (the checks can fail)', () => {
    graph.set('errors.ts', ['context/security-context.ts']);
    graph.set('context/security-context.ts', [...(graph.get('context/security-context.ts') ?? []), 'errors.ts']);
    try {
      expect(forbiddenImports()).toContain('errors.ts -> context/security-context.ts');
      expect(importCycles().some((cycle) => cycle.includes('errors.ts'))).toBe(true);
    } finally {
      graph.set('errors.ts', importsOf('errors.ts'));
      graph.set('context/security-context.ts', importsOf('context/security-context.ts'));
    }
  });
});
