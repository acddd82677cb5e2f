import { helpHint, type CliOutput } from '../../src/cli/cli-output.js';

/** A CLI output that keeps what was written, for assertions. */
export function capturedOutput(): CliOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    print: (line) => stdout.push(line),
    error: (line) => stderr.push(line),
    usage: (message, command) => {
      stderr.push(`rampart: ${message}`, helpHint(command));
      return 2;
    },
  };
}
