// The BlazingText algorithm as a SageMaker algorithm container runs it: reads the trial directory given as the first
// argument (laid out as /opt/ml), trains with the engine, writes the artifacts into model/, prints one JSON event a
// line (blazingtext-events.ts) and, on error, writes the reason into output/failure and exits with the error's exit
// code (2: the job's hyperparameters or data are at fault; 3: another host of the job was lost; 1: anything else).
// SIGTERM stops training. On several hosts (resourceconfig.json), it is one host of a distributed batch_skipgram.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseTrainingHyperparameters, type MetricEvent, type TrainingProgress } from '@blazefleet/core';
import { PeerLostError, runSupervisedJob, runWord2VecJob } from '@blazefleet/algorithms';
import { HOST_LOST_EXIT_CODE, channelPath, printEvent, readTrialJson, recordFailure } from './trial-script.js';

const EXIT_STOPPED = 128 + 15;

const root = process.argv[2] ?? process.cwd();
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort(new Error('stopped by SIGTERM')));

/** LocalPath of input/config/checkpointconfig.json, which exists only when the job keeps checkpoints. */
async function checkpointDir(): Promise<string | undefined> {
  const config = (await readTrialJson(root, 'input/config/checkpointconfig.json').catch(() => undefined)) as { LocalPath?: unknown } | undefined;
  return typeof config?.LocalPath === 'string' ? config.LocalPath : undefined;
}

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

async function train(): Promise<void> {
  const hyperparameters = parseTrainingHyperparameters((await readTrialJson(root, 'input/config/hyperparameters.json')) as Record<string, unknown>);
  const channelConfigs = (await readTrialJson(root, 'input/config/inputdataconfig.json')) as Record<string, ChannelConfig>;
  const channels = Object.keys(channelConfigs);
  const distributed = distributedOf((await readTrialJson(root, 'input/config/resourceconfig.json')) as ResourceConfig, channelConfigs);
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
    await runWord2VecJob({ ...common, hyperparameters, evaluateEveryEpoch: true, ...(distributed === undefined ? {} : { distributed }) });
  }
}

try {
  await train();
} catch (error) {
  if (stop.signal.aborted) {
    process.exitCode = EXIT_STOPPED;
  } else {
    recordFailure(error, root);
    if (error instanceof PeerLostError) process.exitCode = HOST_LOST_EXIT_CODE;
  }
}
