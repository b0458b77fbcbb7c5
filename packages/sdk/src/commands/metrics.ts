import { booleanOption, parseArguments, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, jobNameArgument, JSON_OPTION, withClient } from '../fleet-options.js';
import { textTable } from '../text-table.js';

const OPTIONS: OptionSpecs = { ...JSON_OPTION, ...FLEET_OPTIONS, ...COMMON_OPTIONS };

async function metrics(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: true });
  const name = jobNameArgument(args, 'metrics');
  return withClient(args, async (client) => {
    await client.describe(name);
    const series = await client.metrics(name);
    if (booleanOption(args, 'json')) io.stdout.write(`${JSON.stringify(series, null, 2)}\n`);
    else {
      io.stdout.write(
        textTable(
          ['TIME', 'METRIC', 'VALUE', 'EPOCH'],
          series.map((m) => [new Date(m.timestamp).toISOString(), m.name, String(m.value), m.epoch === undefined ? '' : String(m.epoch)]),
        ),
      );
    }
    return 0;
  });
}

export const metricsCommand: Command = {
  name: 'metrics',
  summary: "Print a training job's metric events (per epoch, and the final values).",
  usage: 'metrics NAME [--json]',
  options: OPTIONS,
  run: metrics,
};
