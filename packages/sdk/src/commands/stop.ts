import { booleanOption, parseArguments, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, jobNameArgument, JSON_OPTION, withClient } from '../fleet-options.js';

const OPTIONS: OptionSpecs = { ...JSON_OPTION, ...FLEET_OPTIONS, ...COMMON_OPTIONS };

async function stop(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: true });
  const name = jobNameArgument(args, 'stop');
  return withClient(args, async (client) => {
    const job = await client.stop(name);
    io.stdout.write(booleanOption(args, 'json') ? `${JSON.stringify(job, null, 2)}\n` : `${job.name}: ${job.status}\n`);
    return 0;
  });
}

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop a training job: a queued one at once, a running one by SIGTERM to its trial (SIGKILL after the grace period).',
  usage: 'stop NAME [--json]',
  options: OPTIONS,
  run: stop,
};
