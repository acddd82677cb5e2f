import { processOutput, type CliOutput } from './cli-output.js';
import { parseCommandArguments, closestWord, shown } from './arguments.js';
import { commands, type CommandSpec } from './commands.js';
import { commandHelp, groupHelp, overviewHelp } from './help.js';
import { MissingDriverError, type ModuleLoader } from './key-store.js';
import { packageVersion } from './version.js';

/** What tests may change in how the command runs. */
export interface CliOptions {
  /** Loads a database driver by name. @default import() */
  readonly load?: ModuleLoader;
}

const groups = [...new Set(commands.map((command) => command.name.split(' ')[0] ?? ''))];

/**
 * Runs the `rampart` command; returns the exit code: 0 done, 1 failed, 2 a usage mistake (an
 * unknown command or option, a missing or malformed argument), told in the tool's own words
 * with the help to read next.
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: CliOutput = processOutput(),
  options: CliOptions = {},
): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined) {
    out.print(overviewHelp(commands));
    return 2;
  }
  if (first === '--help' || first === '-h') {
    out.print(overviewHelp(commands));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    out.print(packageVersion());
    return 0;
  }
  if (first === 'help')
    return help(
      [second, ...rest].filter((word) => word !== undefined),
      out,
    );
  if (first.startsWith('-')) {
    return out.usage(`unknown option ${shown(first)}: options go after the command, as in npx rampart keys create --app NAME`);
  }
  if (!groups.includes(first)) {
    const closest = closestWord(first, groups);
    return out.usage(`unknown command ${shown(first)}${closest === undefined ? '' : `; did you mean ${closest}?`}`);
  }
  const members = commands.filter((command) => command.name.startsWith(`${first} `));
  const command = members.find((candidate) => candidate.name === `${first} ${second}`);
  if (command === undefined) {
    if (second === '--help' || second === '-h') {
      out.print(groupHelp(first, commands));
      return 0;
    }
    return out.usage(`${first} takes one of: ${members.map((member) => member.name.slice(first.length + 1)).join(', ')}`);
  }
  const commandOut = forCommand(out, command);
  const parsed = parseCommandArguments(command, rest);
  if ('usage' in parsed) return commandOut.usage(parsed.usage);
  if (parsed.help) {
    out.print(commandHelp(command));
    return 0;
  }
  if (first === 'token' && env['NODE_ENV'] === 'production') {
    out.error('rampart token: development providers only; NODE_ENV=production refuses them.');
    return 1;
  }
  try {
    return await command.run({
      values: parsed.values,
      positionals: parsed.positionals,
      env,
      out: commandOut,
      load: options.load ?? ((specifier) => import(specifier)),
    });
  } catch (error) {
    if (error instanceof MissingDriverError) {
      out.error(`rampart ${command.name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** `rampart help [COMMAND]`: the same as `--help` after it. */
function help(words: readonly string[], out: CliOutput): number {
  const name = words.join(' ');
  const command = commands.find((candidate) => candidate.name === name);
  if (command !== undefined) out.print(commandHelp(command));
  else if (groups.includes(name)) out.print(groupHelp(name, commands));
  else if (name === '') out.print(overviewHelp(commands));
  else return out.usage(`no help for ${shown(name)}: it is not a command`);
  return 0;
}

/** The output of one command: its usage mistakes point at its own help. */
function forCommand(out: CliOutput, command: CommandSpec): CliOutput {
  return {
    print: (line) => out.print(line),
    error: (line) => out.error(line),
    usage: (message) => out.usage(message, command.name),
  };
}
