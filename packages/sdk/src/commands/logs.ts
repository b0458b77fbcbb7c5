import { booleanOption, parseArguments, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, jobNameArgument, withClient } from '../fleet-options.js';

const OPTIONS: OptionSpecs = {
  follow: { type: 'boolean', short: 'f', description: 'Keep printing new lines until the job ends.' },
  ...FLEET_OPTIONS,
  ...COMMON_OPTIONS,
};

async function logs(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: true });
  const name = jobNameArgument(args, 'logs');
  return withClient(args, async (client) => {
    if (booleanOption(args, 'follow')) {
      await client.followLogs(name, (line) => io.stdout.write(`${line}\n`), io.signal === undefined ? {} : { signal: io.signal });
    } else {
      for (const entry of await client.logs(name)) io.stdout.write(`${entry.line}\n`);
    }
    return 0;
  });
}

export const logsCommand: Command = {
  name: 'logs',
  summary: "Print a training job's log (the last lines kept in Redis; the whole log is uploaded with its artifacts).",
  usage: 'logs NAME [--follow]',
  options: OPTIONS,
  run: logs,
};
