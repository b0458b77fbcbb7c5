import type { MetricEvent, TrainingHyperparameters, TrainingProgress } from '@blazefleet/core';
import type { SupervisedJobResult, Word2VecJobResult } from '@blazefleet/algorithms';
import type { CliIo } from './cli-io.js';
import { JsonTrainingReporter } from './json-training-reporter.js';
import { TextTrainingReporter } from './text-training-reporter.js';

export type LogFormat = 'text' | 'json';

/** What a word2vec or a supervised job returns. */
export type TrainingResult = Word2VecJobResult | SupervisedJobResult;

export function isSupervisedResult(result: TrainingResult): result is SupervisedJobResult {
  return 'tokensPerSecond' in result;
}

export interface TrainingStart {
  trainPath: string;
  /** Supervised mode only. */
  validationPath?: string;
  outputDir: string;
  hyperparameters: TrainingHyperparameters;
  threads: number;
  seed: number;
}

/** What `blazefleet train` tells its user while a job runs; one implementation per log format. */
export interface TrainingReporter {
  started(start: TrainingStart): void;
  progress(progress: TrainingProgress): void;
  metric(metric: MetricEvent): void;
  /** Engine milestones: corpus read, vocabulary size, artifacts written. */
  log(message: string, fields?: Record<string, unknown>): void;
  finished(result: TrainingResult): void;
  /** The error itself goes to stderr from the command line; this adds a record for log collectors. */
  failed(error: unknown): void;
}

/** Text for people at a terminal, JSON lines for pipes, CI and log collectors. */
export function defaultLogFormat(io: CliIo): LogFormat {
  return io.stdout.isTTY ? 'text' : 'json';
}

export function createTrainingReporter(format: LogFormat, io: CliIo): TrainingReporter {
  return format === 'json' ? new JsonTrainingReporter(io.stdout) : new TextTrainingReporter(io.stdout);
}
