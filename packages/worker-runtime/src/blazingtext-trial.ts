// The BlazingText algorithm as a SageMaker algorithm container runs it: reads the trial directory given as the first
// argument (laid out as /opt/ml), trains with the engine, writes the artifacts into model/, prints one JSON event a
// line (blazingtext-events.ts) and, on error, writes the reason into output/failure and exits with the error's exit
// code (2: the job's hyperparameters or data are at fault; 1: anything else). SIGTERM stops training.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseTrainingHyperparameters, type MetricEvent, type TrainingProgress } from '@blazefleet/core';
import { runSupervisedJob, runWord2VecJob } from '@blazefleet/algorithms';
import { channelPath, printEvent, readTrialJson, recordFailure } from './trial-script.js';

const EXIT_STOPPED = 128 + 15;

const root = process.argv[2] ?? process.cwd();
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort(new Error('stopped by SIGTERM')));

/** LocalPath of input/config/checkpointconfig.json, which exists only when the job keeps checkpoints. */
async function checkpointDir(): Promise<string | undefined> {
  const config = (await readTrialJson(root, 'input/config/checkpointconfig.json').catch(() => undefined)) as { LocalPath?: unknown } | undefined;
  return typeof config?.LocalPath === 'string' ? config.LocalPath : undefined;
}

async function train(): Promise<void> {
  const hyperparameters = parseTrainingHyperparameters((await readTrialJson(root, 'input/config/hyperparameters.json')) as Record<string, unknown>);
  const channels = Object.keys((await readTrialJson(root, 'input/config/inputdataconfig.json')) as object);
  const checkpoints = await checkpointDir();
  const common = {
    trainPath: channelPath(root, 'train'),
    outputDir: join(root, 'model'),
    threads: availableParallelism(),
    onProgress: (progress: TrainingProgress) => printEvent({ event: 'progress', ...progress }),
    onMetric: (metric: MetricEvent) => printEvent({ event: 'metric', ...metric }),
    onLog: (message: string, fields?: Record<string, unknown>) => printEvent({ event: 'log', message, ...(fields === undefined ? {} : { fields }) }),
    signal: stop.signal,
    ...(checkpoints === undefined ? {} : { checkpointDir: checkpoints }),
  };
  if (hyperparameters.mode === 'supervised') {
    const validation = channels.includes('validation') ? { validationPath: channelPath(root, 'validation') } : {};
    await runSupervisedJob({ ...common, ...validation, hyperparameters });
  } else {
    // mean_rho after every epoch (evaluation on): what early stopping and Hyperband compare trials on.
    await runWord2VecJob({ ...common, hyperparameters, evaluateEveryEpoch: true });
  }
}

try {
  await train();
} catch (error) {
  if (stop.signal.aborted) {
    process.exitCode = EXIT_STOPPED;
  } else {
    recordFailure(error, root);
  }
}
