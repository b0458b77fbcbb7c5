import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hostName, type InstancePool, type PriceTable, type ServiceLog, type TrainingJobSpec } from '@blazefleet/core';
import {
  FleetKeys,
  GangStore,
  HOST_ENTRY,
  TrainingJobStore,
  TrainingQueues,
  connectRedis,
  createTrainingWorker,
  requeue,
  type AttemptEnd,
  type MetricRecord,
  type TrainingQueueJob,
} from '@blazefleet/queue';
import { runTrial, type TrialEvents, type TrialHost, type TrialOptions, type TrialResult } from '@blazefleet/worker-runtime';
import { ringAddress } from './host-address.js';
import type { Redis } from 'ioredis';
import type { Worker } from 'bullmq';

export interface TrainingWorkerOptions {
  redisUrl: string;
  prefix: string;
  pool: InstancePool;
  /** This host's instance type, for the cost of its trials (default: what each job asks for). */
  instanceType?: string;
  /** Trials at once (default 1). */
  concurrency?: number;
  /** Where trial directories are made (default the system's temporary directory). */
  workRoot?: string;
  log: ServiceLog;
  priceTable?: PriceTable;
  /** Tuning of failure detection: how long a dead worker's jobs stay held, and how often workers check. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often a running trial's stop flag is read besides the stop channel (default 2 s). */
  stopPollMs?: number;
  /**
   * Where this worker's rank of a job on several instances listens, for the other ranks: an IP (a free port is
   * picked) or IP:port. Default: the first non-internal IPv4 address.
   */
  hostAddress?: string;
  /** How long a job on several instances waits for all its workers before it fails with CapacityError (default 10 min). */
  gangTimeoutMs?: number;
  /** Scripts that run built-in algorithms instead of the runtime's (runTrial's trialScripts). */
  trialScripts?: TrialOptions['trialScripts'];
  /**
   * GPUs of this host (CUDA device ids): a trial gets one of its own (CUDA_VISIBLE_DEVICES); with none given, trials
   * get no device.
   */
  gpus?: readonly string[];
  /** Readings of a trial's GPU (memory, utilization), recorded as the job's metrics every deviceMetricsSeconds. */
  deviceMetrics?: (device: string) => Promise<{ name: string; value: number }[]>;
  /** Seconds between device readings (default 30). */
  deviceMetricsSeconds?: number;
}

/** How long a gang holds its pool's admission without renewal (its leader renews it while it waits). */
const ADMISSION_TTL_MS = 15_000;
/** How often gang members read the gang's record while assembling and running. */
const GANG_POLL_MS = 250;
const DEFAULT_GANG_TIMEOUT_MS = 600_000;

/** A running trial of this worker: its job, how to stop it, and its GPU. */
interface RunningTrial {
  name: string;
  stop: AbortController;
  gpu?: string;
}

/**
 * A fleet worker: takes its pool's jobs from the queue one attempt at a time, runs each as a trial in a child process,
 * records statuses, logs and metrics, and ends the attempt: final, retried after a backoff (retryable failures), or
 * handed back to the queue when the worker shuts down. Every write names the attempt, so that a worker presumed dead
 * (its jobs handed to another) cannot overwrite the result of the attempt that replaced it.
 */
export class TrainingWorker {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly #running = new Set<RunningTrial>();
  #worker: Worker | undefined;
  #subscriber: Redis | undefined;
  #redis: Redis | undefined;
  #queueConnection: Redis | undefined;
  #store: TrainingJobStore | undefined;
  #gangs: GangStore | undefined;
  #queues: TrainingQueues | undefined;
  #closing: Promise<void> | undefined;
  /** GPUs no trial holds now. */
  readonly #freeGpus: string[];

  private constructor(readonly options: TrainingWorkerOptions) {
    this.#freeGpus = [...(options.gpus ?? [])];
  }

  static async start(options: TrainingWorkerOptions): Promise<TrainingWorker> {
    const worker = new TrainingWorker(options);
    await worker.#start();
    return worker;
  }

  get store(): TrainingJobStore {
    return this.#store!;
  }

  async #start(): Promise<void> {
    const { options } = this;
    const keys = new FleetKeys(options.prefix);
    this.#redis = await connectRedis(options.redisUrl);
    this.#store = new TrainingJobStore(this.#redis, keys);
    this.#gangs = new GangStore(this.#redis, keys);
    this.#queues = new TrainingQueues(this.#redis, keys);
    this.#subscriber = await connectRedis(options.redisUrl, { blocking: true });
    this.#subscriber.on('message', (_channel: string, name: string) => {
      for (const trial of this.#running) if (trial.name === name) trial.stop.abort('StopRequested');
    });
    await this.#subscriber.subscribe(keys.stopChannel);
    await mkdir(this.#workRoot, { recursive: true });
    this.#queueConnection = await connectRedis(options.redisUrl, { blocking: true });
    const worker = createTrainingWorker(
      {
        connection: this.#queueConnection,
        keys,
        pool: options.pool,
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
        ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
      },
      (job, token) => this.#process(job, token),
    );
    // A job whose workers kept dying (stalled too often) fails in BullMQ without reaching #process.
    worker.on('failed', (job, error) => {
      if (job === undefined || job.name === HOST_ENTRY || !/stalled/i.test(error.message)) return;
      void this.store
        .endAttempt(job.data.name, '*', {
          outcome: 'Failed', secondaryStatus: 'Failed', message: 'Workers were lost', billableSeconds: 0, cost: 0,
          failureReason: `WorkerLost: ${error.message}`,
        })
        .catch((cause: unknown) => options.log.error({ job: job.data.name, err: cause }, 'could not record the failure'));
    });
    worker.on('error', (error) => options.log.error({ err: error }, 'queue error'));
    this.#worker = worker;
    void worker.run();
    options.log.info({ worker: this.id, pool: options.pool, concurrency: options.concurrency ?? 1, prefix: options.prefix }, 'worker started');
  }

  get #workRoot(): string {
    return this.options.workRoot ?? join(tmpdir(), 'blazefleet-trials');
  }

  async #process(job: TrainingQueueJob, token: string | undefined): Promise<void> {
    if (job.name === HOST_ENTRY) return this.#joinGang(job);
    const { log } = this.options;
    const store = this.store;
    const name = job.data.name;
    const { spec } = await store.describe(name);
    const size = spec.resourceConfig.instanceCount;
    if (size > 1 && !(await this.#gangs!.admit(this.options.pool, name, ADMISSION_TTL_MS))) {
      // Another gang of the pool is assembling: this one waits its turn in the queue, holding no worker.
      throw await requeue(job, token, 1000 + Math.floor(Math.random() * 1000));
    }
    const attemptId = randomUUID();
    const started = await store.startAttempt(name, attemptId, this.id).catch(async (error: unknown) => {
      if (size > 1) await this.#gangs!.releaseAdmission(this.options.pool, name);
      throw error;
    });
    if (started.outcome !== 'started') {
      if (size > 1) await this.#gangs!.releaseAdmission(this.options.pool, name);
      log.info({ job: name, outcome: started.outcome }, 'nothing to run');
      return;
    }
    const trial = this.#track(name);
    const poll = setInterval(() => {
      void store.stopRequested(name).then((requested) => requested && trial.stop.abort('StopRequested'), () => {});
    }, this.options.stopPollMs ?? 2000);
    const writes = new OrderedWrites(log, name);
    log.info({ job: name, attempt: started.attempt, instances: size, ...(trial.gpu === undefined ? {} : { gpu: trial.gpu }) }, 'attempt started');
    let result: TrialResult;
    let stopDeviceWatch = () => {};
    try {
      let host: TrialHost | undefined;
      if (size > 1) {
        const assembled = await this.#assembleGang(spec, attemptId, trial.stop.signal);
        if ('failure' in assembled) {
          await store.endAttempt(name, attemptId, assembled.failure);
          log.warn({ job: name, reason: assembled.failure.failureReason ?? assembled.failure.message }, 'the job on several instances did not start');
          if (assembled.failure.outcome === 'requeue') throw await requeue(job, token);
          return;
        }
        host = { rank: 0, addresses: assembled.addresses };
      }
      stopDeviceWatch = this.#watchDevice(trial, (metrics) => writes.add(() => store.appendMetrics(name, metrics)));
      result = await runTrial({
        ...this.#trialOptions(spec, started.attempt, trial),
        ...(host === undefined ? {} : { host }),
        events: {
          secondaryStatus: async (status, message) => {
            writes.add(() => store.transition(name, attemptId, status, message));
            await writes.done();
          },
          logLines: (lines) => writes.add(() => store.appendLogs(name, lines)),
          metric: (metric: MetricRecord) => writes.add(() => store.appendMetrics(name, [metric])),
          progress: (progress) => writes.add(() => store.setProgress(name, attemptId, progress)),
        },
      });
      if (host !== undefined && result.status !== 'Completed') {
        await this.#gangs!.abort(name, attemptId, `the first host ended the attempt: ${result.failureReason ?? result.stopReason ?? result.status}`);
      }
    } finally {
      clearInterval(poll);
      stopDeviceWatch();
      this.#untrack(trial);
    }
    await writes.done();
    const usage = { billableSeconds: result.billableSeconds, cost: result.cost };
    if (result.stopReason === 'WorkerShutdown') {
      await store.endAttempt(name, attemptId, { outcome: 'requeue', secondaryStatus: 'Interrupted', message: 'The worker shut down; the job goes back to the queue', ...usage });
      log.info({ job: name }, 'attempt handed back to the queue');
      throw await requeue(job, token);
    }
    const attemptsLeft = (job.opts.attempts ?? 1) - (job.attemptsMade + 1);
    if (result.status === 'Failed' && result.retryable && attemptsLeft > 0) {
      await store.endAttempt(name, attemptId, {
        outcome: 'retry', secondaryStatus: 'Restarting', message: `Attempt ${started.attempt} failed (${result.failureReason}); retrying`, ...usage,
        ...(result.failureReason === undefined ? {} : { failureReason: result.failureReason }),
      });
      log.warn({ job: name, reason: result.failureReason, attemptsLeft }, 'attempt failed; retrying');
      throw new Error(result.failureReason ?? 'retryable failure');
    }
    await store.endAttempt(name, attemptId, finalEnd(result));
    log.info({ job: name, status: result.status, billableSeconds: result.billableSeconds, reason: result.failureReason }, 'attempt ended');
  }

  /** A running trial of job `name`, with a GPU of its own when the host has some; #untrack gives them back. */
  #track(name: string): RunningTrial {
    const gpu = this.#freeGpus.shift();
    const trial = { name, stop: new AbortController(), ...(gpu === undefined ? {} : { gpu }) };
    this.#running.add(trial);
    return trial;
  }

  #untrack(trial: RunningTrial): void {
    this.#running.delete(trial);
    if (trial.gpu !== undefined) this.#freeGpus.push(trial.gpu);
  }

  #trialOptions(spec: TrainingJobSpec, attempt: number, trial: RunningTrial): Omit<TrialOptions, 'events'> {
    return {
      spec,
      attempt,
      workRoot: this.#workRoot,
      stop: trial.stop.signal,
      ...(this.options.priceTable === undefined ? {} : { priceTable: this.options.priceTable }),
      ...(this.options.instanceType === undefined ? {} : { instanceType: this.options.instanceType }),
      ...(this.options.trialScripts === undefined ? {} : { trialScripts: this.options.trialScripts }),
      ...(trial.gpu === undefined ? {} : { environment: { CUDA_VISIBLE_DEVICES: trial.gpu } }),
    };
  }

  /** Records the trial's GPU readings as metrics of the job (with `host` for the other hosts of a gang) until stopped. */
  #watchDevice(trial: RunningTrial, record: (metrics: MetricRecord[]) => void, host?: string): () => void {
    const { deviceMetrics, deviceMetricsSeconds } = this.options;
    if (deviceMetrics === undefined || trial.gpu === undefined) return () => {};
    const gpu = trial.gpu;
    const timer = setInterval(() => {
      deviceMetrics(gpu).then(
        (readings) => record(readings.map((reading) => ({ ...reading, timestamp: Date.now(), ...(host === undefined ? {} : { host }) }))),
        (error: unknown) => this.options.log.warn({ job: trial.name, err: error }, 'could not read the GPU'),
      );
    }, (deviceMetricsSeconds ?? 30) * 1000);
    return () => clearInterval(timer);
  }

  /**
   * The leader (rank 0) of a job on several instances, holding its pool's admission: queues the other ranks' host
   * entries, waits until a worker took each (the job's status says how many are missing and how many workers the pool
   * has), then starts the gang. Fails the attempt with CapacityError when the gang is not complete in time.
   */
  async #assembleGang(spec: TrainingJobSpec, attemptId: string, stop: AbortSignal): Promise<{ addresses: string[] } | { failure: AttemptEnd }> {
    const { pool, log } = this.options;
    const gangs = this.#gangs!;
    const queues = this.#queues!;
    const name = spec.name;
    const size = spec.resourceConfig.instanceCount;
    const timeoutMs = this.options.gangTimeoutMs ?? DEFAULT_GANG_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const fail = async (failure: AttemptEnd) => {
      await gangs.abort(name, attemptId, failure.failureReason ?? failure.message);
      await queues.removeGangHosts(pool, name, attemptId, size);
      return { failure };
    };
    try {
      await gangs.open(name, attemptId, size, { worker: this.id, address: await ringAddress(this.options.hostAddress) });
      await queues.enqueueGangHosts(pool, name, attemptId, size);
      let shown = '';
      for (;;) {
        const gang = await gangs.read(name);
        const joined = gang?.addresses.filter((address) => address !== undefined).length ?? 0;
        if (gang !== undefined && joined === size && (await gangs.start(name, attemptId))) {
          await this.store.setHosts(name, attemptId, gang.addresses.map((address, rank) => ({ host: hostName(rank), worker: gang.workers[rank]!, address: address! })));
          log.info({ job: name, hosts: gang.addresses }, 'all hosts joined; the job starts');
          return { addresses: gang.addresses as string[] };
        }
        if (stop.aborted) {
          if (stop.reason === 'WorkerShutdown') {
            return await fail({ outcome: 'requeue', secondaryStatus: 'Interrupted', message: 'The worker shut down while the job waited for its hosts; the job goes back to the queue', billableSeconds: 0, cost: 0 });
          }
          return await fail({ outcome: 'Stopped', secondaryStatus: 'Stopped', message: 'Stopped while waiting for its hosts', billableSeconds: 0, cost: 0, stopReason: 'StopRequested' });
        }
        const workers = await queues.queue(pool).getWorkersCount().catch(() => undefined);
        if (Date.now() > deadline) {
          const failureReason =
            `CapacityError: ${joined} of ${size} ${pool} workers joined within ${Math.round(timeoutMs / 1000)} s` +
            (workers === undefined ? '' : ` (${workers} worker${workers === 1 ? '' : 's'} in the ${pool} pool)`) +
            `; resourceConfig.instanceCount ${size} needs ${size} free ${pool} workers at once`;
          return await fail({ outcome: 'Failed', secondaryStatus: 'Failed', message: failureReason, billableSeconds: 0, cost: 0, failureReason });
        }
        const message =
          `Waiting for ${size - joined} more ${pool} worker${size - joined === 1 ? '' : 's'}: ${joined} of ${size} hosts ready` +
          (workers === undefined ? '' : `, ${workers} worker${workers === 1 ? '' : 's'} in the ${pool} pool`) +
          ` (fails with CapacityError after ${Math.round(timeoutMs / 1000)} s)`;
        if (message !== shown) {
          shown = message;
          await this.store.transition(name, attemptId, 'Starting', message);
        }
        await gangs.admit(pool, name, ADMISSION_TTL_MS);
        await delay(GANG_POLL_MS);
      }
    } finally {
      await gangs.releaseAdmission(pool, name);
    }
  }

  /**
   * A host entry: joins the gang of its job as the entry's rank (unless that gang is over), waits for the others, and
   * runs its rank's trial while the gang lasts. Its log lines go to the job's log prefixed with its host name, its
   * metrics carry the host; the job's status and final metrics are the first host's. The attempt's outcome is the
   * first host's to record: a host that fails breaks the others' synchronization, and the first host retries the job.
   */
  async #joinGang(job: TrainingQueueJob): Promise<void> {
    const { log } = this.options;
    const { name, gang: entry } = job.data;
    if (entry === undefined) return;
    const host = hostName(entry.rank);
    const gangs = this.#gangs!;
    const current = async () => {
      const gang = await gangs.read(name);
      return gang?.attempt === entry.attempt ? gang : undefined;
    };
    if ((await current())?.state !== 'assembling') {
      log.info({ job: name, host }, 'host entry of a gang that is over; nothing to run');
      return;
    }
    const description = await this.store.describe(name);
    const joined = await gangs.join(name, entry.attempt, entry.rank, this.id, await ringAddress(this.options.hostAddress));
    if (joined === undefined) return;
    log.info({ job: name, host, joined, of: description.resourceConfig.instanceCount }, 'joined the gang of a job on several instances');
    let addresses: string[] | undefined;
    while (addresses === undefined) {
      const gang = await current();
      if (gang === undefined || gang.state === 'aborted') {
        log.info({ job: name, host, reason: gang?.reason }, 'the gang did not start');
        return;
      }
      if (gang.state === 'running') addresses = gang.addresses as string[];
      else await delay(GANG_POLL_MS);
    }
    const trial = this.#track(name);
    const watch = setInterval(() => {
      void current().then((gang) => (gang === undefined || gang.state === 'aborted') && trial.stop.abort('StopRequested'), () => {});
    }, 1000);
    const writes = new OrderedWrites(log, name);
    const events: TrialEvents = {
      secondaryStatus: () => {},
      logLines: (lines) => writes.add(() => this.store.appendLogs(name, lines.map((line) => `[${host}] ${line}`))),
      metric: (metric: MetricRecord) => writes.add(() => this.store.appendMetrics(name, [{ ...metric, host }])),
    };
    const stopDeviceWatch = this.#watchDevice(trial, (metrics) => writes.add(() => this.store.appendMetrics(name, metrics)), host);
    try {
      const result = await runTrial({ ...this.#trialOptions(description.spec, description.attempts, trial), host: { rank: entry.rank, addresses }, events });
      log.info({ job: name, host, status: result.status, reason: result.failureReason }, 'host trial ended');
      if (result.status === 'Failed') await gangs.abort(name, entry.attempt, `${host} failed: ${result.failureReason}`);
    } finally {
      clearInterval(watch);
      stopDeviceWatch();
      this.#untrack(trial);
      await writes.done();
    }
  }

  /**
   * Scale-in or spot reclaim: takes no more jobs, stops the running trials (they checkpoint) and hands their jobs back
   * to the queue, then disconnects.
   */
  shutdown(): Promise<void> {
    this.#closing ??= (async () => {
      const worker = this.#worker!;
      await worker.pause(true);
      for (const trial of this.#running) trial.stop.abort('WorkerShutdown');
      await worker.close();
      await this.#queues?.close();
      for (const connection of [this.#subscriber, this.#redis, this.#queueConnection]) connection?.disconnect();
      this.options.log.info({ worker: this.id }, 'worker stopped');
    })();
    return this.#closing;
  }
}

function finalEnd(result: TrialResult): AttemptEnd {
  const secondaryStatus = result.stopReason === 'MaxRuntimeExceeded' ? 'MaxRuntimeExceeded' : result.status;
  const message =
    result.status === 'Completed'
      ? 'Training job completed'
      : result.status === 'Stopped'
        ? `Training job stopped (${result.stopReason ?? 'StopRequested'})`
        : `Training job failed: ${result.failureReason ?? 'unknown reason'}`;
  return {
    outcome: result.status,
    secondaryStatus,
    message,
    billableSeconds: result.billableSeconds,
    cost: result.cost,
    finalMetrics: result.finalMetrics,
    ...(result.failureReason === undefined ? {} : { failureReason: result.failureReason }),
    ...(result.stopReason === undefined ? {} : { stopReason: result.stopReason }),
    ...(result.modelArtifacts === undefined ? {} : { modelArtifacts: result.modelArtifacts }),
  };
}

/** The writes of one attempt to the job store, one after another in order; a failed write is logged, not thrown. */
class OrderedWrites {
  #last = Promise.resolve();

  constructor(
    private readonly log: ServiceLog,
    private readonly job: string,
  ) {}

  add(write: () => Promise<unknown>): void {
    this.#last = this.#last.then(write).then(
      () => {},
      (error: unknown) => this.log.warn({ job: this.job, err: error }, 'could not record an event'),
    );
  }

  done(): Promise<void> {
    return this.#last;
  }
}
