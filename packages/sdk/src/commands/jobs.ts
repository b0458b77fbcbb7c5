import { UsageError } from '@blazefleet/core';
import type { TrainingJobStatus } from '@blazefleet/queue';
import { booleanOption, integerOption, parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, JSON_OPTION, withClient } from '../fleet-options.js';
import { dollars, textTable } from '../text-table.js';
import { describeJobText } from './job-text.js';

const STATUSES: readonly TrainingJobStatus[] = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

const OPTIONS: OptionSpecs = {
  status: { type: 'string', valueName: 'STATUS', description: `list: only jobs of this status (${STATUSES.join(', ')}).` },
  'input-uri': { type: 'string', valueName: 'URI', description: 'list: only jobs with a channel at this URI.' },
  limit: { type: 'string', valueName: 'N', description: 'list: at most N jobs, newest first.' },
  ...JSON_OPTION,
  ...FLEET_OPTIONS,
  ...COMMON_OPTIONS,
};

async function jobs(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: true });
  const [action, name, ...rest] = args.positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const json = booleanOption(args, 'json');
  if (action === 'list') {
    if (name !== undefined) throw new UsageError(`jobs list takes no job name (got ${JSON.stringify(name)}); use jobs describe NAME`);
    const status = stringOption(args, 'status');
    if (status !== undefined && !STATUSES.includes(status as TrainingJobStatus)) {
      throw new UsageError(`--status: expected one of ${STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    }
    const inputUri = stringOption(args, 'input-uri');
    const limit = stringOption(args, 'limit') === undefined ? undefined : integerOption(args, 'limit', 1, 1);
    return withClient(args, async (client) => {
      const list = await client.list({
        ...(status === undefined ? {} : { status: status as TrainingJobStatus }),
        ...(inputUri === undefined ? {} : { inputUri }),
        ...(limit === undefined ? {} : { limit }),
      });
      if (json) io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else {
        io.stdout.write(
          textTable(
            ['NAME', 'STATUS', 'SECONDARY', 'INSTANCE', 'CREATED', 'ATTEMPTS', 'BILLABLE S', 'COST'],
            list.map((j) => [j.name, j.status, j.secondaryStatus, j.instanceType, j.creationTime, String(j.attempts), String(j.billableSeconds), dollars(j.cost)]),
          ),
        );
      }
      return 0;
    });
  }
  if (action === 'describe') {
    if (name === undefined) throw new UsageError('jobs describe needs a job name: blazefleet jobs describe NAME');
    return withClient(args, async (client) => {
      const job = await client.describe(name);
      io.stdout.write(json ? `${JSON.stringify(job, null, 2)}\n` : describeJobText(job));
      return 0;
    });
  }
  throw new UsageError(`jobs: expected list or describe, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
}

export const jobsCommand: Command = {
  name: 'jobs',
  summary: "List the fleet's training jobs, or describe one (status, transitions, metrics, cost, artifacts).",
  usage: 'jobs list [--status S] [--input-uri URI] [--json] | jobs describe NAME [--json]',
  options: OPTIONS,
  run: jobs,
};
