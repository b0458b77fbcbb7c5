import { parseTuningJobSpecText, UsageError } from '@blazefleet/core';
import { booleanOption, parseArguments, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, JSON_OPTION, readSpecFile, withTuningClient } from '../fleet-options.js';
import { analyticsTable, describeTuningText } from './tuning-text.js';

const OPTIONS: OptionSpecs = {
  wait: { type: 'boolean', description: 'Follow the job: the table of trials as they run and finish, until it ends.' },
  ...JSON_OPTION,
  ...FLEET_OPTIONS,
  ...COMMON_OPTIONS,
};

async function tune(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: true });
  const [path, ...rest] = args.positionals;
  if (path === undefined) throw new UsageError('tune needs the tuning job spec: blazefleet tune spec.json (JSON or YAML)');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const spec = parseTuningJobSpecText(await readSpecFile(path, io, 'tuning job spec'), path === '-' ? 'stdin' : path);
  return withTuningClient(args, async (client) => {
    const created = await client.create(spec);
    if (!booleanOption(args, 'wait')) {
      io.stdout.write(booleanOption(args, 'json') ? `${JSON.stringify(created, null, 2)}\n` : `Created tuning job ${created.name}; a running \`blazefleet scheduler\` drives it\n`);
      return 0;
    }
    io.stdout.write(`Created tuning job ${created.name}\n`);
    const done = await client.waitFor(created.name, {
      onUpdate: (job, rows) => io.stdout.write(`\n${new Date().toISOString()} ${job.name} ${job.status}\n${analyticsTable(rows)}`),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
    io.stdout.write(booleanOption(args, 'json') ? `${JSON.stringify(done, null, 2)}\n` : `\n${describeTuningText(done)}`);
    return done.status === 'Completed' ? 0 : 1;
  });
}

export const tuneCommand: Command = {
  name: 'tune',
  summary: 'Create a hyperparameter tuning job (SageMaker CreateHyperParameterTuningJob spec, JSON or YAML).',
  usage: 'tune spec.json|spec.yaml|- [--wait] [--json]',
  options: OPTIONS,
  details: () => 'The spec\'s fields are described in packages/core/TUNING-JOB.md. A running `blazefleet scheduler` and workers run the trials.',
  run: tune,
};
