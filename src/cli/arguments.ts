import { parseArgs } from 'node:util';
import type { CommandSpec } from './commands.js';

/** A command's arguments, parsed and checked against its spec. */
export interface ParsedArguments {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
  /** `--help` or `-h` was given: show the command's help and nothing else. */
  readonly help: boolean;
}

/**
 * Parses `argv` (what follows the command's name) against the command's options. Returns the
 * values, or a usage message in the tool's own words (never Node's parseArgs message): an unknown
 * option (with the closest known one), an option without its value or with one it does not take,
 * an option given twice, an argument too many.
 */
export function parseCommandArguments(spec: CommandSpec, argv: readonly string[]): ParsedArguments | { usage: string } {
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, option]) => [name, { type: option.type }]));
  // Not strict: every token comes back, and each is checked below against the spec.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  // --help wins over anything else given: the help is shown, nothing runs.
  const isHelp = (token: (typeof tokens)[number]) => token.kind === 'option' && (token.name === 'help' || token.rawName === '-h');
  if (tokens.some(isHelp)) return { values, positionals, help: true };
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const option = spec.options[token.name];
    if (option === undefined || token.rawName !== `--${token.name}`) {
      return { usage: unknownOption(spec, token.rawName) };
    }
    if (values[token.name] !== undefined) return { usage: `${token.rawName} is given twice; give it once` };
    if (option.type === 'boolean') {
      if (token.value !== undefined) return { usage: `${token.rawName} takes no value` };
      values[token.name] = true;
      continue;
    }
    // A separate value that looks like an option is taken for a missing value (as in
    // `--app --json`); such a value goes as --app=-x.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      return { usage: `${token.rawName} needs a value, as in ${token.rawName} ${option.placeholder ?? 'VALUE'}` };
    }
    values[token.name] = token.value;
  }
  if (positionals.length > spec.positionals.length) {
    const extra = positionals[spec.positionals.length] ?? '';
    return {
      usage:
        spec.positionals.length === 0
          ? `${spec.name} takes no arguments, only options: unexpected ${shown(extra)}`
          : `${spec.name} takes ${spec.positionals.join(' ')} only: unexpected ${shown(extra)}`,
    };
  }
  return { values, positionals, help: false };
}

function unknownOption(spec: CommandSpec, rawName: string): string {
  const known = Object.keys(spec.options).map((name) => `--${name}`);
  if (known.length === 0) return `${spec.name} takes no options: unexpected ${shown(rawName)}`;
  const closest = closestWord(rawName, known);
  return `${spec.name} has no option ${shown(rawName)}${closest === undefined ? '' : `; did you mean ${closest}?`} (its options: ${known.join(', ')})`;
}

/** The word of `candidates` within two edits of `word` (or starting with it), if any. */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 3 ? 0 : editDistance(word, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  // Bounded: words longer than this are never "close".
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}

/** A word from the command line, quoted for a message: control characters escaped, at most 40 characters. */
export function shown(word: string): string {
  const clipped = word.length > 40 ? `${word.slice(0, 40)}…` : word;
  return JSON.stringify(clipped);
}
