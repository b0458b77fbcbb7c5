import { join } from 'node:path';
import { CHECKPOINT_WRITTEN } from '@blazefleet/algorithms';
import { billableSeconds, cost, hourlyPrice, type PriceTable, type TrainingJobSpec } from '@blazefleet/core';
import { artifactStoreFor, type ArtifactStore } from '@blazefleet/artifact-store';
import { decodeBlazingTextEvent } from './blazingtext-events.js';
import { CheckpointSync } from './checkpoint-sync.js';
import { TrialOptionsError } from './errors.js';
import { trialScriptPath, type TrialScript } from './package-files.js';
import { SecondaryStatusTimeline, type SecondaryStatus, type SecondaryStatusTransition } from './secondary-status.js';
import { jobOutputUri, modelArchive, outputDataArchive, uploadOutputs } from './trial-artifacts.js';
import { TrialDirectory, type TrialHost } from './trial-directory.js';
import { TrialFailure, failureOfError, failureOfExit } from './trial-failure.js';
import { TrialLog } from './trial-log.js';
import { MetricScraper, TrialMetrics, type FinalMetric, type TrialMetric } from './trial-metrics.js';
import { TrialProcess, type TrialExit } from './trial-process.js';
import { TrialStop, type StopReason } from './trial-stop.js';

/** Progress of a built-in algorithm's trial, about once a second. */
export interface TrialProgress {
  /** Fraction done, 0..1: of all epochs of a training, of the input bytes of a batch transform. */
  fraction: number;
  wordsPerSecond?: number;
  etaSeconds?: number;
  epoch?: number;
  /** Lines answered so far by a batch transform. */
  lines?: number;
  linesPerSecond?: number;
}

/** How a trial reports while it runs. Callbacks must not throw; a throwing secondaryStatus fails the attempt. */
export interface TrialEvents {
  /** Each status as it is entered, awaited before the trial goes on, in order. */
  secondaryStatus(status: SecondaryStatus, message: string): void | Promise<void>;
  /** The trial's stdout and stderr lines, in batches (every 200 ms or 500 lines). */
  logLines(lines: string[]): void;
  metric(metric: TrialMetric): void;
  progress?(progress: TrialProgress): void;
}

export interface TrialOptions {
  spec: TrainingJobSpec;
  /** 1-based number of this attempt. */
  attempt: number;
  /** A fresh trial directory is made below it and removed afterwards. */
  workRoot: string;
  events: TrialEvents;
  /** Stops the trial; abort with reason 'WorkerShutdown' when the worker leaves, anything else is 'StopRequested'. */
  stop?: AbortSignal;
  /** The store of a URI; default artifactStoreFor(uri). */
  artifactStores?: (uri: string) => ArtifactStore;
  /** Prices for `cost`; default core's table. */
  priceTable?: PriceTable;
  /** The instance type the worker bills as; default spec.resourceConfig.instanceType. */
  instanceType?: string;
  /** Seconds between checkpoint uploads while training (default 30). */
  checkpointSyncSeconds?: number;
  /**
   * This trial is one instance of a job on several (resourceConfig.instanceCount > 1): its rank and where every rank
   * listens. Rank 0 (algo-1) uploads the model and metrics as a single instance does; the others upload their
   * metrics.json and train.log under `output/algo-N/`. ShardedByS3Key channels download only this rank's objects.
   */
  host?: TrialHost;
  /**
   * The script that runs a built-in algorithm instead of this package's (a GPU worker's BlazingText on tensors); it
   * gets the trial directory as its first argument and prints the same events.
   */
  trialScripts?: Partial<Record<Extract<TrainingJobSpec['algorithm'], string>, string>>;
  /** Variables the trial gets from the worker besides SageMaker's (CUDA_VISIBLE_DEVICES: the GPU it may use). */
  environment?: Record<string, string>;
}

export interface TrialResult {
  status: 'Completed' | 'Failed' | 'Stopped';
  stopReason?: StopReason;
  /** Starts with the failure's class: ClientError, InputObjectNotFound, AlgorithmError, ArtifactStoreError, TrialKilled, HostLost, InternalError. */
  failureReason?: string;
  /** Whether another attempt may succeed: a lost worker, throttling, a killed process; never a client error. */
  retryable: boolean;
  /** URI of the uploaded model.tar.gz; a batch transform has none. */
  modelArtifacts?: string;
  finalMetrics: FinalMetric[];
  /** Whole seconds from the start of Downloading to the end of Uploading (the final status). */
  billableSeconds: number;
  /** US dollars: core's cost(instanceType, billableSeconds, instanceCount, priceTable). */
  cost: number;
  secondaryStatusTransitions: SecondaryStatusTransition[];
}

type Outcome =
  | { status: 'Completed'; modelArtifacts?: string }
  | { status: 'Stopped'; stopReason: StopReason; modelArtifacts?: string }
  | { status: 'Failed'; failure: TrialFailure };

const DEFAULT_CHECKPOINT_SYNC_SECONDS = 30;

/** The script that runs each built-in algorithm. */
const TRIAL_SCRIPTS: Record<Extract<TrainingJobSpec['algorithm'], string>, TrialScript> = {
  blazingtext: 'blazingtext-trial',
  'blazingtext-transform': 'transform-trial',
};

function checkOptions(options: TrialOptions): void {
  if (!Number.isSafeInteger(options.attempt) || options.attempt < 1) throw new TrialOptionsError('attempt', 'an integer >= 1', options.attempt);
  if (typeof options.workRoot !== 'string' || options.workRoot === '') throw new TrialOptionsError('workRoot', 'a directory path', options.workRoot);
  const host = options.host;
  if (host !== undefined) {
    const size = options.spec.resourceConfig.instanceCount;
    if (host.addresses.length !== size) throw new TrialOptionsError('host.addresses', `one address per instance (${size})`, host.addresses);
    if (!Number.isInteger(host.rank) || host.rank < 0 || host.rank >= size) throw new TrialOptionsError('host.rank', `an integer in [0, ${size})`, host.rank);
  }
  const sync = options.checkpointSyncSeconds;
  if (sync !== undefined && !(Number.isFinite(sync) && sync > 0)) throw new TrialOptionsError('checkpointSyncSeconds', 'a number of seconds > 0', sync);
  if (typeof options.events?.secondaryStatus !== 'function') throw new TrialOptionsError('events.secondaryStatus', 'a function', options.events?.secondaryStatus);
  const instanceType = options.instanceType ?? options.spec.resourceConfig.instanceType;
  try {
    hourlyPrice(instanceType, options.priceTable);
  } catch (error) {
    throw new TrialOptionsError('instanceType', `an instance type of core's table (${(error as Error).message})`, instanceType);
  }
}

/**
 * Runs one attempt of a training job as SageMaker runs a training job: lays out a trial directory as /opt/ml,
 * downloads the channels and checkpoints, runs the algorithm in a supervised child process (its own process group,
 * killed if this process dies), streams its log and metrics, stops it on request or at its maximum runtime, uploads
 * model.tar.gz, metrics.json, train.log and the checkpoints, and removes the directory. Resolves with the outcome
 * whatever happened to the trial; rejects only for invalid options or a secondaryStatus callback that throws.
 */
export async function runTrial(options: TrialOptions): Promise<TrialResult> {
  checkOptions(options);
  const { spec } = options;
  const instanceType = options.instanceType ?? spec.resourceConfig.instanceType;
  const timeline = new SecondaryStatusTimeline((status, message) => options.events.secondaryStatus(status, message));
  const metrics = new TrialMetrics();
  const stop = new TrialStop(options.stop);
  let dir: TrialDirectory | undefined;
  try {
    let outcome: Outcome;
    try {
      await timeline.enter('Starting', 'Preparing the trial directory');
      dir = await TrialDirectory.create(options.workRoot, spec, options.attempt, instanceType, options.host).catch((error: unknown) => {
        throw failureOfError(error, 'creating the trial directory');
      });
      outcome = await new TrialAttempt(options, dir, timeline, metrics, stop).run();
    } catch (error) {
      outcome = { status: 'Failed', failure: failureOfError(error, 'running the trial') };
    }
    const [terminal, message] = terminalStatus(outcome, spec);
    await timeline.enter(terminal, message);
    const start = timeline.startOf('Downloading');
    const seconds = start === undefined ? 0 : billableSeconds((timeline.startOf(terminal)! - start) / 1000);
    return {
      status: outcome.status,
      ...(outcome.status === 'Stopped' ? { stopReason: outcome.stopReason } : {}),
      ...(outcome.status === 'Failed' ? { failureReason: outcome.failure.reason } : {}),
      retryable: outcome.status === 'Failed' ? outcome.failure.retryable : outcome.status === 'Stopped' && outcome.stopReason === 'WorkerShutdown',
      ...(outcome.status !== 'Failed' && outcome.modelArtifacts !== undefined ? { modelArtifacts: outcome.modelArtifacts } : {}),
      finalMetrics: metrics.finalMetrics,
      billableSeconds: seconds,
      cost: cost(instanceType, seconds, spec.resourceConfig.instanceCount, options.priceTable),
      secondaryStatusTransitions: timeline.transitions,
    };
  } finally {
    stop.dispose();
    await dir?.remove();
  }
}

function terminalStatus(outcome: Outcome, spec: TrainingJobSpec): [SecondaryStatus, string] {
  switch (outcome.status) {
    case 'Completed':
      return ['Completed', 'Training job completed'];
    case 'Failed':
      return ['Failed', outcome.failure.reason];
    case 'Stopped':
      if (outcome.stopReason === 'MaxRuntimeExceeded') {
        return ['MaxRuntimeExceeded', `Training job stopped: it ran past its maximum runtime of ${spec.stoppingCondition.maxRuntimeInSeconds} s`];
      }
      if (outcome.stopReason === 'WorkerShutdown') return ['Interrupted', 'Training job interrupted: its worker shut down'];
      return ['Stopped', 'Training job stopped'];
  }
}

/** The phases of one attempt after its directory exists: Downloading, Training, Uploading. */
class TrialAttempt {
  private readonly spec: TrainingJobSpec;
  private readonly storeFor: (uri: string) => ArtifactStore;
  private readonly checkpoints: CheckpointSync | undefined;
  /** A built-in algorithm: its trial prints BlazingText events and exits with 2 for a client error. */
  private readonly builtIn: boolean;
  private readonly transform: boolean;

  constructor(
    private readonly options: TrialOptions,
    private readonly dir: TrialDirectory,
    private readonly timeline: SecondaryStatusTimeline,
    private readonly metrics: TrialMetrics,
    private readonly stop: TrialStop,
  ) {
    this.spec = options.spec;
    this.storeFor = options.artifactStores ?? ((uri: string) => artifactStoreFor(uri));
    const checkpointConfig = this.spec.checkpointConfig;
    this.checkpoints = checkpointConfig === undefined ? undefined : new CheckpointSync(this.storeFor(checkpointConfig.uri), checkpointConfig.uri, dir.checkpointDir);
    this.builtIn = typeof this.spec.algorithm === 'string';
    this.transform = this.spec.algorithm === 'blazingtext-transform';
  }

  async run(): Promise<Outcome> {
    if (this.stop.reason !== undefined) return { status: 'Stopped', stopReason: this.stop.reason };
    await this.timeline.enter('Downloading', 'Downloading input data');
    await this.download();
    if (this.stop.reason !== undefined) return { status: 'Stopped', stopReason: this.stop.reason };

    await this.timeline.enter('Training', this.transform ? 'Transforming the input files' : 'Training in progress');
    const log = new TrialLog(join(this.dir.runtimeDir, 'train.log'), (lines) => this.options.events.logLines(lines));
    const { exit, lastStderrLine, stopReason } = await this.train(log);
    await log.close();

    if (stopReason !== undefined) return this.upload({ status: 'Stopped', stopReason }, log);
    const failure = failureOfExit(exit, {
      clientErrorExitCode: this.builtIn,
      failureMessage: await this.dir.failureMessage(),
      lastStderrLine,
    });
    if (failure === undefined) return this.upload({ status: 'Completed' }, log);
    await this.keepWhatFailed(log);
    return { status: 'Failed', failure };
  }

  private async download(): Promise<void> {
    for (const channel of this.spec.inputDataConfig) {
      const doing = `downloading channel ${channel.channelName}`;
      try {
        const hosts = this.spec.resourceConfig.instanceCount;
        if (channel.s3DataDistributionType === 'ShardedByS3Key' && hosts > 1) await this.downloadShard(channel.channelName, channel.uri, hosts);
        else await this.storeFor(channel.uri).download(channel.uri, this.dir.channelDir(channel.channelName));
      } catch (error) {
        if (error instanceof TrialFailure) throw error;
        throw failureOfError(error, doing);
      }
      if (this.stop.reason !== undefined) return;
    }
    await this.checkpoints?.restore().catch((error: unknown) => {
      throw failureOfError(error, `downloading the checkpoints of ${this.checkpoints!.uri}`);
    });
  }

  /** ShardedByS3Key: objects rank, rank + N, rank + 2N... of the channel, in key order (each host a different share). */
  private async downloadShard(channelName: string, uri: string, hosts: number): Promise<void> {
    const store = this.storeFor(uri);
    const objects = await store.list(uri);
    if (objects.length < hosts) {
      throw new TrialFailure(
        `ClientError: inputDataConfig channel ${channelName} is ShardedByS3Key over ${hosts} instances but ${uri} holds ${objects.length} object${objects.length === 1 ? '' : 's'}: expected at least one per instance`,
        false,
      );
    }
    const rank = this.dir.host.rank;
    for (let i = rank; i < objects.length; i += hosts) {
      const object = objects[i]!;
      await store.downloadFile(object.uri, join(this.dir.channelDir(channelName), ...object.relativeKey.split('/')));
    }
  }

  /** Where this trial's own outputs go: the job's output URI, or `<it>/algo-N` for the other hosts of a job on several. */
  private get hostOutputUri(): string {
    const outputUri = jobOutputUri(this.spec.outputPath, this.spec.name);
    return this.dir.host.rank === 0 ? outputUri : `${outputUri}/${this.dir.currentHost}`;
  }

  private async train(log: TrialLog): Promise<{ exit: TrialExit; lastStderrLine: string | undefined; stopReason: StopReason | undefined }> {
    const { spec, options, metrics } = this;
    let lastStderrLine: string | undefined;
    const scraper = typeof spec.algorithm === 'string' ? undefined : new MetricScraper(spec.algorithm.metricDefinitions);
    const recordMetric = (metric: TrialMetric, final: boolean): void => {
      metrics.record(metric, final);
      options.events.metric(metric);
    };
    const onLine = (line: string): void => {
      log.add(line);
      scraper?.scan(line, Date.now(), (metric) => recordMetric(metric, true));
    };
    const onStdoutLine = (line: string): void => {
      onLine(line);
      if (!this.builtIn) return;
      const event = decodeBlazingTextEvent(line);
      if (event?.event === 'metric') {
        const { name, value, epoch } = event;
        recordMetric({ name, value, timestamp: Date.now(), ...(epoch === undefined ? {} : { epoch }) }, epoch === undefined);
      } else if (event?.event === 'progress') {
        const { progress: fraction, etaSeconds } = event;
        options.events.progress?.(
          'lines' in event
            ? { fraction, etaSeconds, lines: event.lines, linesPerSecond: event.linesPerSecond }
            : { fraction, etaSeconds, wordsPerSecond: event.wordsPerSecond, epoch: event.epoch },
        );
      } else if (event?.event === 'log' && event.message.startsWith(CHECKPOINT_WRITTEN)) {
        this.checkpoints?.uploadSoon();
      }
    };
    const onStderrLine = (line: string): void => {
      onLine(line);
      if (line.trim() !== '') lastStderrLine = line.trim();
    };

    const command =
      typeof spec.algorithm === 'string'
        ? [process.execPath, options.trialScripts?.[spec.algorithm] ?? trialScriptPath(TRIAL_SCRIPTS[spec.algorithm]), this.dir.root]
        : spec.algorithm.command;
    const env = { ...this.dir.environment(process.env), ...options.environment };
    const trial = new TrialProcess({ command, cwd: this.dir.root, env, onStdoutLine, onStderrLine });
    const stopWatch = this.stop.whileRunning(() => trial.terminate(spec.stopGracePeriodSeconds));
    this.stop.limitRuntime(spec.stoppingCondition.maxRuntimeInSeconds);
    this.checkpoints?.start(options.checkpointSyncSeconds ?? DEFAULT_CHECKPOINT_SYNC_SECONDS);
    try {
      const exit = await trial.exited;
      return { exit, lastStderrLine, stopReason: trial.stopRequested ? this.stop.reason : undefined };
    } finally {
      stopWatch();
      // Stops that come once training ended change nothing: the attempt's outputs are uploaded as they are.
      this.stop.dispose();
      trial.kill();
    }
  }

  /**
   * Uploading: the final checkpoints, then model.tar.gz (none when the worker shuts down) and output data, or for a
   * completed batch transform its `.out` files to the output path, then metrics and log.
   */
  private async upload(outcome: Exclude<Outcome, { status: 'Failed' }>, log: TrialLog): Promise<Outcome> {
    await this.timeline.enter('Uploading', this.transform ? 'Uploading the transformed files, metrics and log' : 'Uploading the model, metrics, log and checkpoints');
    const completed = outcome.status === 'Completed';
    // The first host writes the model of a job on several instances (the others have the same after the last sync).
    const keepModel = !this.transform && this.dir.host.rank === 0 && (completed || outcome.stopReason !== 'WorkerShutdown');
    const outputUri = this.hostOutputUri;
    let doing = 'uploading the checkpoints';
    try {
      await this.checkpoints?.finish();
      doing = 'archiving the model';
      const model = keepModel ? await modelArchive(this.dir, this.builtIn, completed) : undefined;
      const outputData = keepModel ? await outputDataArchive(this.dir) : undefined;
      if (this.transform && completed) {
        doing = `uploading the transformed files to ${this.spec.outputPath}`;
        await this.storeFor(this.spec.outputPath).uploadDirectory(this.dir.outputDataDir, this.spec.outputPath);
      }
      doing = `uploading the outputs to ${outputUri}`;
      const uploaded = await uploadOutputs(this.storeFor(outputUri), outputUri, {
        ...(model === undefined ? {} : { model }),
        ...(outputData === undefined ? {} : { outputData }),
        metricsJson: this.metrics.toJson(),
        trainLog: log.path,
      });
      return { ...outcome, ...uploaded };
    } catch (error) {
      // A stopped job stays stopped: what it left is uploaded as far as possible.
      if (!completed) return outcome;
      return { status: 'Failed', failure: failureOfError(error, doing) };
    }
  }

  /** After a failure: the checkpoints, metrics.json and train.log, as far as they can be uploaded. */
  private async keepWhatFailed(log: TrialLog): Promise<void> {
    const outputUri = this.hostOutputUri;
    await this.checkpoints?.finish().catch(() => {});
    await uploadOutputs(this.storeFor(outputUri), outputUri, { metricsJson: this.metrics.toJson(), trainLog: log.path }).catch(() => {});
  }
}
