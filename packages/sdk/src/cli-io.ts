/** Where a command reads and writes; a program embedding the CLI may pass its own streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Print stacks of unexpected errors (BLAZEFLEET_DEBUG=1 or --verbose). */
  debug: boolean;
  /** Aborts a running training (the process entry wires it to SIGINT and SIGTERM). */
  signal?: AbortSignal;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    debug: process.env.BLAZEFLEET_DEBUG === '1',
  };
}
