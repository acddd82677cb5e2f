/** Where the `rampart` command writes. Injected so that tests read what a user would see. */
export interface CliOutput {
  /** A line on standard output. */
  print(line: string): void;
  /** A line on standard error. */
  error(line: string): void;
  /**
   * Reports a usage mistake on standard error, with the help to read next (the command's, when
   * `command` names one), and returns exit code 2.
   */
  usage(message: string, command?: string): number;
}

/** The line after a usage mistake: which help to read. */
export function helpHint(command: string | undefined): string {
  return command === undefined
    ? 'Run npx rampart --help for the commands.'
    : `Run npx rampart ${command} --help for its options and an example.`;
}

/** Output to the process's own streams. */
export function processOutput(): CliOutput {
  return {
    print: (line) => process.stdout.write(`${line}\n`),
    error: (line) => process.stderr.write(`${line}\n`),
    usage(message, command) {
      process.stderr.write(`rampart: ${message}\n${helpHint(command)}\n`);
      return 2;
    },
  };
}
