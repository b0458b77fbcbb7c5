import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import {
  InputDataError,
  SUPERVISED_HYPERPARAMETERS,
  UsageError,
  WORD2VEC_HYPERPARAMETERS,
  parseTrainingHyperparameters,
  type MetricEvent,
  type SupervisedHyperparameters,
  type TrainingProgress,
  type Word2VecHyperparameters,
} from '@blazefleet/core';
import { runSupervisedJob, runWord2VecJob } from '@blazefleet/algorithms';
import { launchLocalHosts } from '../local-hosts.js';
import { booleanOption, integerOption, listOption, parseArguments, stringOption, type OptionSpecs, type ParsedArguments } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { readHyperparameterFile } from '../hyperparameter-file.js';
import { createTrainingReporter, defaultLogFormat, type LogFormat, type TrainingReporter, type TrainingResult } from '../training-reporter.js';

const TRAIN_OPTIONS: OptionSpecs = {
  train: {
    type: 'string',
    valueName: 'FILE|DIR',
    description:
      'Training data, plain text or gzip, or a directory of such files read as one (every file below it, in S3 key order; names starting with "." skipped). word2vec: space-separated tokens, one sentence per line; supervised: one example per line, __label__X prefixes then the text. Required.',
  },
  validation: {
    type: 'string',
    valueName: 'FILE|DIR',
    description: 'Supervised: labeled validation data (a file or a directory, as --train) for validation:accuracy, metrics.json and early_stopping.',
  },
  output: {
    type: 'string',
    valueName: 'DIR',
    description: 'Directory for the artifacts: vectors.txt, vectors.bin, eval.json, model.bin (subwords) and model.tar.gz; supervised: model.bin, metrics.json (with --validation) and model.tar.gz. Required.',
  },
  hyperparameters: { type: 'string', valueName: 'FILE', description: 'JSON object of hyperparameters (string values allowed, as SageMaker passes them); flags override it.' },
  threads: { type: 'string', valueName: 'N', description: 'Training threads. Default: available parallelism.' },
  seed: { type: 'string', valueName: 'S', description: 'Random seed; with --threads 1 a seed gives byte-identical vectors. Default: 1.' },
  checkpoint_dir: {
    type: 'string',
    valueName: 'DIR',
    description:
      'Save the training state there after every epoch (the latest only, written atomically), and resume after the last epoch of a checkpoint of the same job found there: same mode, hyperparameters (epochs may be larger), seed and data. SageMaker: /opt/ml/checkpoints.',
  },
  evaluate_every_epoch: { type: 'boolean', description: 'word2vec: report train:mean_rho after every epoch.' },
  word_similarity: { type: 'string', multiple: true, valueName: 'FILE', description: 'word2vec: extra gold word-similarity files (word1 word2 score), evaluated like WS-353.' },
  analogies: { type: 'string', valueName: 'FILE', description: 'word2vec: questions-words.txt style analogy file to evaluate.' },
  instance_count: {
    type: 'string',
    valueName: 'N',
    description:
      'batch_skipgram: train on N hosts of this machine, as N processes of this command synchronized over loopback TCP (as BlazingText trains on N instances). Default: 1.',
  },
  hosts: {
    type: 'string',
    valueName: 'HOST:PORT,...',
    description: 'batch_skipgram: the hosts of a distributed job, one host:port each, the same list on every host (with --rank).',
  },
  rank: { type: 'string', valueName: 'R', description: "This host's index in --hosts (0 writes the artifacts)." },
  'log-format': { type: 'string', valueName: 'text|json', description: 'Log output. Default: text at a terminal, JSON lines otherwise.' },
  ...COMMON_OPTIONS,
};

type HyperparameterFields = Record<string, { description: string; expected: string; default?: unknown }>;

function hyperparameterTable(title: string, fields: HyperparameterFields): string {
  const rows = Object.entries(fields).map(([name, field]) => {
    const def = field.default === undefined ? '' : `; default ${String(field.default)}`;
    return `  --${name} VALUE\n      ${field.description} ${field.expected[0]!.toUpperCase()}${field.expected.slice(1)}${def}.`;
  });
  return `${title}:\n${rows.join('\n')}`;
}

function logFormatOption(value: string | undefined, io: CliIo): LogFormat {
  if (value === undefined) return defaultLogFormat(io);
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(`--log-format: expected text or json, got ${JSON.stringify(value)}`);
}

async function requireFile(path: string, option: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputDataError(path, `no such file (${option})`);
  if (!info.isFile()) throw new InputDataError(path, `not a file (${option})`);
}

/** Training data: a file, or a directory of files (the job says when it holds none). */
async function requireFileOrDirectory(path: string, option: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputDataError(path, `no such file or directory (${option})`);
  if (!info.isFile() && !info.isDirectory()) throw new InputDataError(path, `not a file or a directory (${option})`);
}

async function requireDirectoryOption(path: string | undefined, option: string): Promise<void> {
  if (path === undefined) return;
  const info = await stat(path).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UsageError(`--${option} ${path}: exists and is not a directory`);
}

/** What both kinds of training job get from the command line. */
interface JobRun {
  args: ParsedArguments;
  trainPath: string;
  outputDir: string;
  checkpointDir: string | undefined;
  threads: number;
  seed: number;
  io: CliIo;
  reporter: TrainingReporter;
}

/** Options that only one kind of job reads: naming one for the other kind is a mistake, not a no-op. */
const WORD2VEC_ONLY_OPTIONS = ['evaluate_every_epoch', 'word_similarity', 'analogies'] as const;
const SUPERVISED_ONLY_OPTIONS = ['validation'] as const;

function rejectOptions(args: ParsedArguments, names: readonly string[], mode: string): void {
  const given = names.find((name) => args.options[name] !== undefined);
  if (given !== undefined) throw new UsageError(`--${given} does not apply to --mode ${mode}`);
}

function jobCallbacks(run: JobRun) {
  return {
    onProgress: (progress: TrainingProgress) => run.reporter.progress(progress),
    onMetric: (metric: MetricEvent) => run.reporter.metric(metric),
    onLog: (message: string, fields?: Record<string, unknown>) => run.reporter.log(message, fields),
    ...(run.io.signal ? { signal: run.io.signal } : {}),
    ...(run.checkpointDir === undefined ? {} : { checkpointDir: run.checkpointDir }),
  };
}

async function trainWord2Vec(hyperparameters: Word2VecHyperparameters, run: JobRun): Promise<TrainingResult> {
  const { args, trainPath, outputDir, threads, seed } = run;
  rejectOptions(args, SUPERVISED_ONLY_OPTIONS, hyperparameters.mode);
  const wordSimilarityFiles = listOption(args, 'word_similarity');
  const analogiesPath = stringOption(args, 'analogies');
  await requireFileOrDirectory(trainPath, '--train');
  for (const file of wordSimilarityFiles) await requireFile(file, '--word_similarity');
  if (analogiesPath !== undefined) await requireFile(analogiesPath, '--analogies');
  await requireDirectoryOption(outputDir, 'output');
  await requireDirectoryOption(run.checkpointDir, 'checkpoint_dir');

  run.reporter.started({ trainPath, outputDir, hyperparameters, threads, seed });
  const hosts = stringOption(args, 'hosts')?.split(',');
  return runWord2VecJob({
    ...(hosts === undefined ? {} : { distributed: { hosts, rank: integerOption(args, 'rank', 0, 0) } }),
    trainPath,
    outputDir,
    hyperparameters,
    threads,
    seed,
    evaluateEveryEpoch: booleanOption(args, 'evaluate_every_epoch'),
    wordSimilarityFiles,
    ...(analogiesPath === undefined ? {} : { analogiesPath }),
    ...jobCallbacks(run),
  });
}

async function trainSupervised(hyperparameters: SupervisedHyperparameters, run: JobRun): Promise<TrainingResult> {
  const { args, trainPath, outputDir, threads, seed } = run;
  rejectOptions(args, WORD2VEC_ONLY_OPTIONS, hyperparameters.mode);
  const validationPath = stringOption(args, 'validation');
  await requireFileOrDirectory(trainPath, '--train');
  if (validationPath !== undefined) await requireFileOrDirectory(validationPath, '--validation');
  await requireDirectoryOption(outputDir, 'output');
  await requireDirectoryOption(run.checkpointDir, 'checkpoint_dir');

  run.reporter.started({ trainPath, ...(validationPath === undefined ? {} : { validationPath }), outputDir, hyperparameters, threads, seed });
  return runSupervisedJob({
    trainPath,
    ...(validationPath === undefined ? {} : { validationPath }),
    outputDir,
    hyperparameters,
    threads,
    seed,
    ...jobCallbacks(run),
  });
}

async function train(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, TRAIN_OPTIONS, { allowExtra: true, allowPositionals: false });
  const reporter: TrainingReporter = createTrainingReporter(logFormatOption(stringOption(args, 'log-format'), io), io);
  try {
    const trainPath = stringOption(args, 'train');
    const outputDir = stringOption(args, 'output');
    if (trainPath === undefined) throw new UsageError('--train FILE|DIR is required');
    if (outputDir === undefined) throw new UsageError('--output DIR is required');

    const hyperparameterFile = stringOption(args, 'hyperparameters');
    const fromFile = hyperparameterFile === undefined ? {} : await readHyperparameterFile(hyperparameterFile);
    const hyperparameters = parseTrainingHyperparameters({ ...fromFile, ...args.extra });
    const instanceCount = integerOption(args, 'instance_count', 1, 1);
    if (instanceCount > 1 || stringOption(args, 'hosts') !== undefined) requireDistributedMode(hyperparameters.mode, instanceCount);
    if (instanceCount > 1) {
      await launchLocalHosts(argv, instanceCount, reporter, io);
      return 0;
    }
    const run: JobRun = {
      args,
      trainPath,
      outputDir,
      checkpointDir: stringOption(args, 'checkpoint_dir'),
      threads: integerOption(args, 'threads', 1, availableParallelism()),
      seed: integerOption(args, 'seed', 0, 1),
      io,
      reporter,
    };
    const result = hyperparameters.mode === 'supervised' ? await trainSupervised(hyperparameters, run) : await trainWord2Vec(hyperparameters, run);
    reporter.finished(result);
    return 0;
  } catch (error) {
    reporter.failed(error);
    throw error;
  }
}

function requireDistributedMode(mode: string, instanceCount: number): void {
  if (mode !== 'batch_skipgram') {
    throw new UsageError(`--instance_count ${instanceCount}: only --mode batch_skipgram trains on several hosts (BlazingText trains ${mode} on one), got --mode ${mode}`);
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train word2vec embeddings (cbow, skipgram, batch_skipgram) or a text classifier (supervised) like BlazingText.',
  usage:
    'train --mode skipgram|cbow|batch_skipgram|supervised --train FILE[.gz]|DIR [--validation FILE|DIR] --output DIR [--checkpoint_dir DIR] [--name value ...] [options]',
  options: TRAIN_OPTIONS,
  details: () =>
    `${hyperparameterTable('Hyperparameters of the word2vec modes (also --name=value, and --subwords alone for true)', WORD2VEC_HYPERPARAMETERS)}\n\n` +
    `${hyperparameterTable('Hyperparameters of --mode supervised', SUPERVISED_HYPERPARAMETERS)}\n\n` +
    'Metrics are printed as BlazingText does, "#mean_rho: 0.6123" for train:mean_rho, "#validation_accuracy: 0.94" for\n' +
    'validation:accuracy and "#train_loss: 0.31" for train:loss, in both log formats (JSON metric records carry the same\n' +
    'text in their "line" field), so a regex such as "#validation_accuracy: (-?[0-9.]+)" finds them.\n' +
    'With --checkpoint_dir, a job stopped by SIGTERM or SIGINT (exit status 130) or by a crash starts again after the\n' +
    'last epoch saved when run again with the same arguments ("Resumed from checkpoint after epoch N of M"); a\n' +
    'checkpoint of another job, or one that cannot be read, is reported and left aside, and training starts over.\n' +
    'Exit status: 0 on success, 2 for bad input (hyperparameters, files, divergence), 1 for unexpected errors.',
  run: train,
};
