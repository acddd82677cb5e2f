import { environmentHelp, type CommandSpec } from './commands.js';

/** `rampart --help`: every command with its usage line and one line of what it does. */
export function overviewHelp(commands: readonly CommandSpec[]): string {
  return [
    'rampart: manage graphql-rampart credentials for the demo server',
    '',
    'Usage: npx rampart COMMAND [options]',
    '',
    'Commands:',
    ...commands.flatMap((command) => [`  npx rampart ${command.name} ${command.synopsis}`.trimEnd(), `      ${command.summary}`]),
    '',
    'Options:',
    "  -h, --help      help; after a command, that command's options and an example",
    '  -v, --version   print the version',
    '',
    environmentSection(['DATA_DIR', 'DATABASE_URL', 'NODE_ENV']),
    '',
    'Run npx rampart COMMAND --help for one command, e.g. npx rampart keys create --help',
  ].join('\n');
}

/** `rampart keys --help`: the commands of one group. */
export function groupHelp(group: string, commands: readonly CommandSpec[]): string {
  const members = commands.filter((command) => command.name.startsWith(`${group} `));
  return [
    `Usage: npx rampart ${group} ${members.map((command) => command.name.slice(group.length + 1)).join('|')} [options]`,
    '',
    ...members.flatMap((command) => [`  npx rampart ${command.name} ${command.synopsis}`.trimEnd(), `      ${command.summary}`]),
    '',
    `Run npx rampart ${group} COMMAND --help for one command, e.g. npx rampart ${members[0]?.name ?? group} --help`,
  ].join('\n');
}

/** `rampart keys create --help`: usage, what it does, its options, environment and an example. */
export function commandHelp(command: CommandSpec): string {
  const rows: Array<[string, string]> = Object.entries(command.options).map(([name, option]) => [
    option.type === 'string' ? `--${name} ${option.placeholder ?? 'VALUE'}` : `--${name}`,
    option.description,
  ]);
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `Usage: npx rampart ${command.name} ${command.synopsis}`.trimEnd(),
    '',
    command.description,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    environmentSection(command.environment),
    '',
    'Example:',
    `  ${command.example}`,
  ].join('\n');
}

function environmentSection(names: readonly string[]): string {
  const width = Math.max(...names.map((name) => name.length));
  return ['Environment:', ...names.map((name) => `  ${name.padEnd(width)}  ${environmentHelp[name] ?? ''}`)].join('\n');
}
