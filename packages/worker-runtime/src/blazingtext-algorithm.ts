import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseTrainingHyperparameters, type MetricEvent, type TrainingProgress } from '@blazefleet/core';
import {
  PeerLostError,
  runSupervisedJob,
  runWord2VecJob,
  type SupervisedTrainingOptions,
  type TrainedClassifier,
  type TrainedWord2Vec,
  type Word2VecTrainingOptions,
} from '@blazefleet/algorithms';
import { HOST_LOST_EXIT_CODE, channelPath, printEvent, readTrialJson, recordFailure } from './trial-script.js';

/** The trainers of a BlazingText trial; the CPU engine's by default (a GPU worker gives its tensor trainers). */
export interface BlazingTextTrainers {
  word2vec?: (options: Word2VecTrainingOptions) => Promise<TrainedWord2Vec>;
  supervised?: (options: SupervisedTrainingOptions) => Promise<TrainedClassifier>;
}

const EXIT_STOPPED = 128 + 15;

interface ResourceConfig {
  current_host: string;
  hosts: string[];
  host_addresses?: Record<string, string>;
}

interface ChannelConfig {
  S3DistributionType?: string;
}

/** The other hosts of a job on several instances, as the runtime wrote them into resourceconfig.json. */
function distributedOf(resources: ResourceConfig, channels: Record<string, ChannelConfig>) {
  if (resources.hosts.length < 2) return undefined;
  const addresses = resources.hosts.map((host) => {
    const address = resources.host_addresses?.[host];
    if (address === undefined) throw new Error(`resourceconfig.json: expected host_addresses.${host}`);
    return address;
  });
  return {
    rank: resources.hosts.indexOf(resources.current_host),
    hosts: addresses,
    shardedInput: channels.train?.S3DistributionType === 'ShardedByS3Key',
  };
}

/** LocalPath of input/config/checkpointconfig.json, which exists only when the job keeps checkpoints. */
async function checkpointDir(root: string): Promise<string | undefined> {
  const config = (await readTrialJson(root, 'input/config/checkpointconfig.json').catch(() => undefined)) as { LocalPath?: unknown } | undefined;
  return typeof config?.LocalPath === 'string' ? config.LocalPath : undefined;
}

async function train(root: string, trainers: BlazingTextTrainers, signal: AbortSignal): Promise<void> {
  const hyperparameters = parseTrainingHyperparameters((await readTrialJson(root, 'input/config/hyperparameters.json')) as Record<string, unknown>);
  const channelConfigs = (await readTrialJson(root, 'input/config/inputdataconfig.json')) as Record<string, ChannelConfig>;
  const channels = Object.keys(channelConfigs);
  const distributed = distributedOf((await readTrialJson(root, 'input/config/resourceconfig.json')) as ResourceConfig, channelConfigs);
  const checkpoints = await checkpointDir(root);
  const common = {
    trainPath: channelPath(root, 'train'),
    outputDir: join(root, 'model'),
    threads: availableParallelism(),
    onProgress: (progress: TrainingProgress) => printEvent({ event: 'progress', ...progress }),
    onMetric: (metric: MetricEvent) => printEvent({ event: 'metric', ...metric }),
    onLog: (message: string, fields?: Record<string, unknown>) => printEvent({ event: 'log', message, ...(fields === undefined ? {} : { fields }) }),
    signal,
    ...(checkpoints === undefined ? {} : { checkpointDir: checkpoints }),
  };
  if (hyperparameters.mode === 'supervised') {
    const validation = channels.includes('validation') ? { validationPath: channelPath(root, 'validation') } : {};
    await runSupervisedJob({ ...common, ...validation, hyperparameters, ...(trainers.supervised === undefined ? {} : { trainer: trainers.supervised }) });
  } else {
    // mean_rho after every epoch (evaluation on): what early stopping and Hyperband compare trials on.
    await runWord2VecJob({
      ...common,
      hyperparameters,
      evaluateEveryEpoch: true,
      ...(distributed === undefined ? {} : { distributed }),
      ...(trainers.word2vec === undefined ? {} : { trainer: trainers.word2vec }),
    });
  }
}

/**
 * The main of a BlazingText trial process, on the trial directory `root`: trains, and sets the process's exit code as
 * a SageMaker algorithm container does (a SIGTERM stop exits with 143).
 */
export async function runBlazingTextAlgorithm(root: string, trainers: BlazingTextTrainers = {}): Promise<void> {
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort(new Error('stopped by SIGTERM')));
  try {
    await train(root, trainers, stop.signal);
  } catch (error) {
    if (stop.signal.aborted) {
      process.exitCode = EXIT_STOPPED;
    } else {
      recordFailure(error, root);
      if (error instanceof PeerLostError) process.exitCode = HOST_LOST_EXIT_CODE;
    }
  }
}
