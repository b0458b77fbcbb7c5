import { UsageError } from '@blazefleet/core';
import { booleanOption, parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, JSON_OPTION, withTuningClient } from '../fleet-options.js';
import { dollars, textTable } from '../text-table.js';
import { analyticsCsv, analyticsTable, describeTuningText } from './tuning-text.js';

const OPTIONS: OptionSpecs = {
  format: { type: 'string', valueName: 'table|csv|json', description: 'analytics: the output format (default table).' },
  ...JSON_OPTION,
  ...FLEET_OPTIONS,
  ...COMMON_OPTIONS,
};

async function tuning(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: true });
  const [action, name, ...rest] = args.positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const json = booleanOption(args, 'json');
  const needName = () => {
    if (name === undefined) throw new UsageError(`tuning ${action} needs a tuning job name: blazefleet tuning ${action} NAME`);
    return name;
  };
  switch (action) {
    case 'list':
      return withTuningClient(args, async (client) => {
        const jobs = await client.list();
        io.stdout.write(
          json
            ? `${JSON.stringify(jobs, null, 2)}\n`
            : textTable(
                ['NAME', 'STATUS', 'STRATEGY', 'OBJECTIVE', 'BEST', 'TRIALS', 'CREATED', 'COST'],
                jobs.map((j) => [
                  j.name, j.status, j.strategy, `${j.objective.type} ${j.objective.metricName}`, j.bestTrainingJob?.finalObjectiveValue?.toPrecision(6) ?? '',
                  String(Object.values(j.trainingJobStatusCounters).reduce((a, b) => a + b, 0)), j.creationTime, dollars(j.cost),
                ]),
              ),
        );
        return 0;
      });
    case 'describe':
      return withTuningClient(args, async (client) => {
        const job = await client.describe(needName());
        io.stdout.write(json ? `${JSON.stringify(job, null, 2)}\n` : describeTuningText(job));
        return 0;
      });
    case 'analytics': {
      const format = stringOption(args, 'format') ?? (json ? 'json' : 'table');
      if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`--format: expected table, csv or json, got ${JSON.stringify(format)}`);
      return withTuningClient(args, async (client) => {
        const rows = await client.analytics(needName());
        io.stdout.write(format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : format === 'csv' ? analyticsCsv(rows) : analyticsTable(rows));
        return 0;
      });
    }
    case 'stop':
      return withTuningClient(args, async (client) => {
        const job = await client.stop(needName());
        io.stdout.write(json ? `${JSON.stringify(job, null, 2)}\n` : `${job.name}: ${job.status}\n`);
        return 0;
      });
    default:
      throw new UsageError(`tuning: expected list, describe, analytics or stop, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
  }
}

export const tuningCommand: Command = {
  name: 'tuning',
  summary: 'List, describe, analyze (one row per trial, best first, with cost) or stop hyperparameter tuning jobs.',
  usage: 'tuning list | describe NAME | analytics NAME [--format table|csv|json] | stop NAME   [--json]',
  options: OPTIONS,
  run: tuning,
};
