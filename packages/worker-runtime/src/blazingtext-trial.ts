// The BlazingText algorithm as a SageMaker algorithm container runs it: reads the trial directory given as the first
// argument (laid out as /opt/ml), trains with the engine, writes the artifacts into model/, prints one JSON event a
// line (blazingtext-events.ts) and, on error, writes the reason into output/failure and exits with the error's exit
// code (2: the job's hyperparameters or data are at fault; 1: anything else). SIGTERM stops training.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, sep } from 'node:path';
import {
  BlazefleetError,
  HyperparameterError,
  parseTrainingHyperparameters,
  type MetricEvent,
  type TrainingProgress,
} from '@blazefleet/core';
import { runSupervisedJob, runWord2VecJob } from '@blazefleet/algorithms';
import { encodeBlazingTextEvent, type BlazingTextEvent } from './blazingtext-events.js';

const EXIT_STOPPED = 128 + 15;

const root = process.argv[2] ?? process.cwd();
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort(new Error('stopped by SIGTERM')));

function print(event: BlazingTextEvent): void {
  process.stdout.write(`${encodeBlazingTextEvent(event)}\n`);
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(join(root, path), 'utf8'));
}

/** A channel's directory: the engine reads every file in it, in key order (plain text or gzip). */
function channelPath(name: string): string {
  return join(root, 'input', 'data', name);
}

/** LocalPath of input/config/checkpointconfig.json, which exists only when the job keeps checkpoints. */
async function checkpointDir(): Promise<string | undefined> {
  const config = (await readJson('input/config/checkpointconfig.json').catch(() => undefined)) as { LocalPath?: unknown } | undefined;
  return typeof config?.LocalPath === 'string' ? config.LocalPath : undefined;
}

async function train(): Promise<void> {
  const hyperparameters = parseTrainingHyperparameters((await readJson('input/config/hyperparameters.json')) as Record<string, unknown>);
  const channels = Object.keys((await readJson('input/config/inputdataconfig.json')) as object);
  const checkpoints = await checkpointDir();
  const common = {
    trainPath: channelPath('train'),
    outputDir: join(root, 'model'),
    threads: availableParallelism(),
    onProgress: (progress: TrainingProgress) => print({ event: 'progress', ...progress }),
    onMetric: (metric: MetricEvent) => print({ event: 'metric', ...metric }),
    onLog: (message: string, fields?: Record<string, unknown>) => print({ event: 'log', message, ...(fields === undefined ? {} : { fields }) }),
    signal: stop.signal,
    ...(checkpoints === undefined ? {} : { checkpointDir: checkpoints }),
  };
  if (hyperparameters.mode === 'supervised') {
    const validation = channels.includes('validation') ? { validationPath: channelPath('validation') } : {};
    await runSupervisedJob({ ...common, ...validation, hyperparameters });
  } else {
    // mean_rho after every epoch (evaluation on): what early stopping and Hyperband compare trials on.
    await runWord2VecJob({ ...common, hyperparameters, evaluateEveryEpoch: true });
  }
}

/** One line naming the cause, with paths relative to the trial directory (`input/data/train/part-0.txt: ...`). */
function failureMessage(error: unknown): string {
  let message: string;
  if (error instanceof HyperparameterError) message = `hyperParameters.${error.field}: ${error.message.replace(/^hyperparameter '[^']*': /, '')}`;
  else if (error instanceof BlazefleetError) message = error.message;
  else if (error instanceof Error) message = `${error.name}: ${error.message}`;
  else message = String(error);
  return message.split(`${root}${sep}`).join('').replace(/\s*\n\s*/g, '; ');
}

try {
  await train();
} catch (error) {
  if (stop.signal.aborted) {
    process.exitCode = EXIT_STOPPED;
  } else {
    const message = failureMessage(error);
    writeFileSync(join(root, 'output', 'failure'), `${message}\n`);
    process.stderr.write(`${message}\n`);
    process.exitCode = error instanceof BlazefleetError ? error.exitCode : 1;
  }
}
