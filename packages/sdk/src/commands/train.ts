import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import {
  InputDataError,
  UsageError,
  WORD2VEC_HYPERPARAMETERS,
  parseWord2VecHyperparameters,
} from '@blazefleet/core';
import { runWord2VecJob } from '@blazefleet/algorithms';
import { booleanOption, integerOption, listOption, parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { readHyperparameterFile } from '../hyperparameter-file.js';
import { createTrainingReporter, defaultLogFormat, type LogFormat, type TrainingReporter } from '../training-reporter.js';

const TRAIN_OPTIONS: OptionSpecs = {
  train: { type: 'string', valueName: 'FILE', description: 'Training corpus, plain text or gzip: space-separated tokens, one sentence per line. Required.' },
  output: { type: 'string', valueName: 'DIR', description: 'Directory for vectors.txt, vectors.bin, eval.json, model.bin (subwords) and model.tar.gz. Required.' },
  hyperparameters: { type: 'string', valueName: 'FILE', description: 'JSON object of hyperparameters (string values allowed, as SageMaker passes them); flags override it.' },
  threads: { type: 'string', valueName: 'N', description: 'Training threads. Default: available parallelism.' },
  seed: { type: 'string', valueName: 'S', description: 'Random seed; with --threads 1 a seed gives byte-identical vectors. Default: 1.' },
  evaluate_every_epoch: { type: 'boolean', description: 'Report train:mean_rho after every epoch.' },
  word_similarity: { type: 'string', multiple: true, valueName: 'FILE', description: 'Extra gold word-similarity files (word1 word2 score), evaluated like WS-353.' },
  analogies: { type: 'string', valueName: 'FILE', description: 'questions-words.txt style analogy file to evaluate.' },
  'log-format': { type: 'string', valueName: 'text|json', description: 'Log output. Default: text at a terminal, JSON lines otherwise.' },
  ...COMMON_OPTIONS,
};

function hyperparameterTable(): string {
  const rows = Object.entries(WORD2VEC_HYPERPARAMETERS).map(([name, field]) => {
    const def = field.default === undefined ? '' : `; default ${String(field.default)}`;
    return `  --${name} VALUE\n      ${field.description} ${field.expected[0]!.toUpperCase()}${field.expected.slice(1)}${def}.`;
  });
  return `Hyperparameters (BlazingText word2vec; also --name=value, and --subwords alone for true):\n${rows.join('\n')}`;
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

async function requireOutputDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UsageError(`--output ${path}: exists and is not a directory`);
}

async function train(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, TRAIN_OPTIONS, { allowExtra: true, allowPositionals: false });
  const reporter: TrainingReporter = createTrainingReporter(logFormatOption(stringOption(args, 'log-format'), io), io);
  try {
    const trainPath = stringOption(args, 'train');
    const outputDir = stringOption(args, 'output');
    if (trainPath === undefined) throw new UsageError('--train FILE is required');
    if (outputDir === undefined) throw new UsageError('--output DIR is required');

    const hyperparameterFile = stringOption(args, 'hyperparameters');
    const fromFile = hyperparameterFile === undefined ? {} : await readHyperparameterFile(hyperparameterFile);
    const hyperparameters = parseWord2VecHyperparameters({ ...fromFile, ...args.extra });
    const threads = integerOption(args, 'threads', 1, availableParallelism());
    const seed = integerOption(args, 'seed', 0, 1);
    const wordSimilarityFiles = listOption(args, 'word_similarity');
    const analogiesPath = stringOption(args, 'analogies');

    await requireFile(trainPath, '--train');
    for (const file of wordSimilarityFiles) await requireFile(file, '--word_similarity');
    if (analogiesPath !== undefined) await requireFile(analogiesPath, '--analogies');
    await requireOutputDirectory(outputDir);

    reporter.started({ trainPath, outputDir, hyperparameters, threads, seed });
    const result = await runWord2VecJob({
      trainPath,
      outputDir,
      hyperparameters,
      threads,
      seed,
      evaluateEveryEpoch: booleanOption(args, 'evaluate_every_epoch'),
      wordSimilarityFiles,
      ...(analogiesPath === undefined ? {} : { analogiesPath }),
      onProgress: (progress) => reporter.progress(progress),
      onMetric: (metric) => reporter.metric(metric),
      onLog: (message, fields) => reporter.log(message, fields),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    reporter.finished(result);
    return 0;
  } catch (error) {
    reporter.failed(error);
    throw error;
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train word2vec embeddings (cbow, skipgram, batch_skipgram) like BlazingText.',
  usage: 'train --mode skipgram --train FILE[.gz] --output DIR [--name value ...] [options]',
  options: TRAIN_OPTIONS,
  details: () =>
    `${hyperparameterTable()}\n\n` +
    'Metrics are printed as BlazingText does, "#mean_rho: 0.6123" for train:mean_rho, in both log formats\n' +
    '(JSON metric records carry the same text in their "line" field), so the regex "#mean_rho: (-?[0-9.]+)" finds them.\n' +
    'Exit status: 0 on success, 2 for bad input (hyperparameters, files, divergence), 1 for unexpected errors.',
  run: train,
};
