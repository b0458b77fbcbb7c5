import { randomBytes } from 'node:crypto';
import { parseTrainingJobSpec, TrainingJobSpecError, UsageError, type TrainingJobSpec } from '@blazefleet/core';
import type { TrainingJobDescription } from '@blazefleet/queue';
import { booleanOption, parseArguments, stringOption, type OptionSpecs, type ParsedArguments } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { FLEET_OPTIONS, JSON_OPTION, withClient } from '../fleet-options.js';
import { jobWatcher, reportEnd } from './submit.js';

const DEFAULT_INSTANCE_TYPE = 'ml.c5.xlarge';

const OPTIONS: OptionSpecs = {
  model: { type: 'string', valueName: 'URI', description: "The model: a model.tar.gz, or a training job's output folder (s3:// or file://). Required." },
  input: { type: 'string', valueName: 'URI', description: 'The input files: every object at and below the URI, plain text or gzip, one instance per line. Required.' },
  output: { type: 'string', valueName: 'URI', description: 'Where each input file <key> gets its answers, <key>.out. Required.' },
  name: { type: 'string', valueName: 'NAME', description: 'The job name (default transform-<date and time>-<random>).' },
  'instance-type': { type: 'string', valueName: 'TYPE', description: `Instance type, which picks the pool (default ${DEFAULT_INSTANCE_TYPE}).` },
  k: { type: 'string', short: 'k', valueName: 'K', description: 'Classifiers: labels answered per instance, best first (default 1).' },
  'content-type': {
    type: 'string',
    valueName: 'TYPE',
    description: 'text/plain (default: each line is an instance) or application/jsonlines (each line {"source": "..."} or a JSON string).',
  },
  wait: { type: 'boolean', description: 'Follow the job until it ends, then print the lines and files answered; exit 0 only if it Completed.' },
  ...JSON_OPTION,
  ...FLEET_OPTIONS,
  ...COMMON_OPTIONS,
};

/** The option each spec field comes from, to name it in errors. */
const OPTION_OF_FIELD: Record<string, string> = {
  name: '--name',
  'hyperParameters.k': '-k',
  'hyperParameters.content_type': '--content-type',
  'inputDataConfig[0].uri': '--model',
  'inputDataConfig[1].uri': '--input',
  outputPath: '--output',
  'resourceConfig.instanceType': '--instance-type',
};

function requiredOption(args: ParsedArguments, name: string): string {
  const value = stringOption(args, name);
  if (value === undefined) throw new UsageError(`--${name} URI is required (blazefleet transform --model URI --input URI --output URI)`);
  return value;
}

/** `transform-20250102-030405-a1b2`: unique enough for jobs started by hand or by a script in a loop. */
function defaultName(): string {
  const time = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `transform-${time}-${randomBytes(2).toString('hex')}`;
}

/** The batch transform job the options describe; a bad value is a UsageError naming its option. */
function transformSpec(args: ParsedArguments): TrainingJobSpec {
  const k = stringOption(args, 'k');
  const contentType = stringOption(args, 'content-type');
  const spec = {
    name: stringOption(args, 'name') ?? defaultName(),
    algorithm: 'blazingtext-transform',
    hyperParameters: { ...(k === undefined ? {} : { k }), ...(contentType === undefined ? {} : { content_type: contentType }) },
    inputDataConfig: [
      { channelName: 'model', uri: requiredOption(args, 'model') },
      { channelName: 'data', uri: requiredOption(args, 'input') },
    ],
    outputPath: requiredOption(args, 'output'),
    resourceConfig: { instanceType: stringOption(args, 'instance-type') ?? DEFAULT_INSTANCE_TYPE },
  };
  try {
    return parseTrainingJobSpec(spec);
  } catch (error) {
    if (!(error instanceof TrainingJobSpecError)) throw error;
    const problems = error.issues.map((issue) => `${OPTION_OF_FIELD[issue.path] ?? issue.path}: ${issue.reason}`);
    throw new UsageError(problems.length === 1 ? problems[0]! : [`${problems.length} problems in the options:`, ...problems].join('\n  '));
  }
}

function finalMetric(job: TrainingJobDescription, name: string): number {
  return job.finalMetrics.find((metric) => metric.metricName === name)?.value ?? 0;
}

/** The end of a waited-for transform, and the exit status: 0 only for Completed. */
function reportTransformEnd(job: TrainingJobDescription, io: CliIo): number {
  if (job.status !== 'Completed') return reportEnd(job, io);
  const lines = finalMetric(job, 'transform:lines');
  const files = finalMetric(job, 'transform:files');
  io.stdout.write(
    `${job.name} completed: ${lines.toLocaleString('en-US')} lines of ${files} file${files === 1 ? '' : 's'} answered into ${job.outputPath}; ` +
      `${job.billableSeconds} billable seconds\n`,
  );
  return 0;
}

async function transform(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, OPTIONS, { allowExtra: false, allowPositionals: false });
  const spec = transformSpec(args);
  const json = booleanOption(args, 'json');
  const wait = booleanOption(args, 'wait');
  return withClient(args, async (client) => {
    const job = await client.submit(spec);
    if (json && !wait) {
      io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(`Submitted batch transform ${job.name} (${job.resourceConfig.instanceType}, ${job.pool} pool)\n`);
    if (!wait) return 0;
    const done = await client.waitFor(job.name, { onUpdate: jobWatcher(io), ...(io.signal === undefined ? {} : { signal: io.signal }) });
    if (json) io.stdout.write(`${JSON.stringify(done, null, 2)}\n`);
    else if (done.status !== 'InProgress' && done.status !== 'Stopping') return reportTransformEnd(done, io);
    return done.status === 'Completed' ? 0 : 1;
  });
}

export const transformCommand: Command = {
  name: 'transform',
  summary: 'Batch transform on the fleet: answer every line of the input files with a model, as POST /invocations of serve does.',
  usage: 'transform --model URI --input URI --output URI [--name NAME] [--instance-type TYPE] [-k K] [--content-type TYPE] [--wait] [--json]',
  options: OPTIONS,
  details: () =>
    'Each input file <key> below --input gets <key>.out below --output: one JSON line per instance, the word\'s vector\n' +
    '({"vector": [...], "word": "..."}) for a word-vector model, the top-k labels ({"label": [...], "prob": [...]}) for\n' +
    'a classifier. A plain text line is one instance; with --content-type application/jsonlines a line is\n' +
    '{"source": "...", "k": 2} or a JSON string, and blank lines are skipped. The job is a training job of algorithm\n' +
    'blazingtext-transform: jobs, logs, metrics and stop work on it; its final metrics transform:lines and\n' +
    'transform:files count what it answered. A line that cannot be read fails it, naming the file and the line.\n' +
    'Example: blazefleet transform --model s3://bucket/models/clf/output/model.tar.gz --input s3://bucket/in/ --output s3://bucket/out/ -k 2 --wait',
  run: transform,
};
