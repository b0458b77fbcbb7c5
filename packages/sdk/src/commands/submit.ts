import { parseTrainingJobSpecText, UsageError } from '@blazefleet/core';
import type { TrainingJobDescription } from '@blazefleet/queue';
import { booleanOption, parseArguments, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, JSON_OPTION, readSpecFile, withClient } from '../fleet-options.js';
import { progressLine } from './job-text.js';

const OPTIONS: OptionSpecs = {
  wait: { type: 'boolean', description: 'Follow the job: status transitions and progress until it ends; exit 0 only if it Completed.' },
  ...JSON_OPTION,
  ...FLEET_OPTIONS,
  ...COMMON_OPTIONS,
};

/** Seconds between progress lines when stdout is not a terminal. */
const PROGRESS_LINE_SECONDS = 10;

/** Prints the job's new status transitions, and its progress (in place on a terminal). */
export function jobWatcher(io: CliIo): (job: TrainingJobDescription) => void {
  let printed = 0;
  let lastProgressAt = 0;
  let progressShown = false;
  return (job) => {
    const transitions = job.secondaryStatusTransitions.slice(printed);
    if (transitions.length > 0 && progressShown && io.stdout.isTTY) io.stdout.write('\n');
    for (const t of transitions) io.stdout.write(`${t.startTime} ${job.name} ${t.status}: ${t.statusMessage}\n`);
    printed = job.secondaryStatusTransitions.length;
    if (transitions.length > 0) progressShown = false;
    const line = progressLine(job);
    if (line === undefined) return;
    if (io.stdout.isTTY) {
      io.stdout.write(`\r${line}`);
      progressShown = true;
    } else if (Date.now() - lastProgressAt >= PROGRESS_LINE_SECONDS * 1000) {
      io.stdout.write(`${line}\n`);
      lastProgressAt = Date.now();
    }
  };
}

/** The end of a waited-for job, and the exit status: 0 only for Completed. */
export function reportEnd(job: TrainingJobDescription, io: CliIo): number {
  if (job.status === 'Completed') {
    io.stdout.write(`${job.name} completed: model ${job.modelArtifacts?.s3ModelArtifacts ?? '(none)'}; ${job.billableSeconds} billable seconds\n`);
    for (const metric of job.finalMetrics) io.stdout.write(`  ${metric.metricName} = ${metric.value}\n`);
    return 0;
  }
  io.stdout.write(`${job.name} ${job.status.toLowerCase()}${job.failureReason ? `: ${job.failureReason}` : job.stopReason ? ` (${job.stopReason})` : ''}\n`);
  return 1;
}

async function submit(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: true });
  const [path, ...rest] = args.positionals;
  if (path === undefined) throw new UsageError('submit needs the training job spec: blazefleet submit job.json (JSON or YAML; - for stdin)');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const spec = parseTrainingJobSpecText(await readSpecFile(path, io, 'training job spec'), path === '-' ? 'stdin' : path);
  return withClient(args, async (client) => {
    const job = await client.submit(spec);
    if (booleanOption(args, 'json') && !booleanOption(args, 'wait')) {
      io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(`Submitted training job ${job.name} (${job.resourceConfig.instanceType}, ${job.pool} pool)\n`);
    if (!booleanOption(args, 'wait')) return 0;
    const done = await client.waitFor(job.name, { onUpdate: jobWatcher(io), ...(io.signal === undefined ? {} : { signal: io.signal }) });
    if (booleanOption(args, 'json')) io.stdout.write(`${JSON.stringify(done, null, 2)}\n`);
    else if (done.status !== 'InProgress' && done.status !== 'Stopping') return reportEnd(done, io);
    return done.status === 'Completed' ? 0 : 1;
  });
}

export const submitCommand: Command = {
  name: 'submit',
  summary: 'Submit a training job (SageMaker CreateTrainingJob spec, JSON or YAML) to the fleet.',
  usage: 'submit job.json|job.yaml|- [--wait] [--json]',
  options: OPTIONS,
  details: () =>
    'Fields as SageMaker names them (name, algorithm, hyperParameters, inputDataConfig, outputPath, resourceConfig,\n' +
    'stoppingCondition, retryStrategy, checkpointConfig, environment, tags); every bad field is reported with its path.\n' +
    'Jobs of ml.p* and ml.g* instance types go to the gpu pool, the others to the cpu pool.',
  run: submit,
};
