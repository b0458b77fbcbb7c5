import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BlazefleetError, UsageError } from '@blazefleet/core';
import { processIo, type CliIo } from './cli-io.js';
import type { Command } from './command.js';
import { demoCommand } from './commands/demo.js';
import { jobsCommand } from './commands/jobs.js';
import { logsCommand } from './commands/logs.js';
import { metricsCommand } from './commands/metrics.js';
import { predictCommand } from './commands/predict.js';
import { schedulerCommand } from './commands/scheduler.js';
import { serveCommand } from './commands/serve.js';
import { similarCommand } from './commands/similar.js';
import { stopCommand } from './commands/stop.js';
import { submitCommand } from './commands/submit.js';
import { testCommand } from './commands/test.js';
import { trainCommand } from './commands/train.js';
import { transformCommand } from './commands/transform.js';
import { tuneCommand } from './commands/tune.js';
import { tuningCommand } from './commands/tuning.js';
import { uploadCommand } from './commands/upload.js';
import { vectorsCommand } from './commands/vectors.js';
import { workerCommand } from './commands/worker.js';
import { commandHelp, mainHelp } from './help.js';

const COMMANDS: readonly Command[] = [
  trainCommand, vectorsCommand, similarCommand, predictCommand, testCommand, serveCommand,
  submitCommand, transformCommand, jobsCommand, logsCommand, metricsCommand, stopCommand, workerCommand,
  tuneCommand, tuningCommand, schedulerCommand, uploadCommand, demoCommand,
];

/** Exit status after SIGINT, as shells report it. */
const INTERRUPTED_EXIT_CODE = 130;

function version(): string {
  // Resolved by name: the CLI runs from dist/ or from its bundle.
  const path = createRequire(import.meta.url).resolve('@blazefleet/sdk/package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}, help)`);
  return command;
}

/** Arguments before a `--` terminator, where help and verbose flags count. */
function flagsOf(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

function reportError(error: unknown, io: CliIo, verbose: boolean): number {
  if (io.signal?.aborted) {
    io.stderr.write('error: interrupted\n');
    return INTERRUPTED_EXIT_CODE;
  }
  if (error instanceof BlazefleetError) {
    io.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('(run with --verbose or BLAZEFLEET_DEBUG=1 for the stack trace)\n');
  return 1;
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(mainHelp(COMMANDS));
    return 2;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(mainHelp(COMMANDS));
    return 0;
  }
  if (first === '--version') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === 'help') {
    io.stdout.write(rest[0] === undefined ? mainHelp(COMMANDS) : commandHelp(findCommand(rest[0])));
    return 0;
  }
  const command = findCommand(first);
  const flags = flagsOf(rest);
  if (flags.includes('--help') || flags.includes('-h')) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  return command.run(rest, io);
}

/**
 * Runs the `blazefleet` command line and resolves to its exit status; never calls process.exit.
 * Errors are printed as `error: <message>`: BlazefleetErrors exit with their exitCode (2 for bad input), others with 1.
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const fullIo: CliIo = { ...processIo(), ...io };
  try {
    return await dispatch(argv, fullIo);
  } catch (error) {
    return reportError(error, fullIo, fullIo.debug || flagsOf(argv).includes('--verbose'));
  }
}
