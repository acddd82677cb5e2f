/** Where the `rampart` command writes. Injected so that tests read what a user would see. */
export interface CliOutput {
  /** A line on standard output. */
  print(line: string): void;
  /** A line on standard error. */
  error(line: string): void;
  /** Reports a usage mistake on standard error and returns exit code 2. */
  usage(message: string): number;
}

/** Output to the process's own streams. */
export function processOutput(): CliOutput {
  return {
    print: (line) => process.stdout.write(`${line}\n`),
    error: (line) => process.stderr.write(`${line}\n`),
    usage(message) {
      process.stderr.write(`rampart: ${message}\nRun npx rampart --help for the commands.\n`);
      return 2;
    },
  };
}
