import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstancePool, PriceTable, ServiceLog } from '@blazefleet/core';
import {
  FleetKeys,
  TrainingJobStore,
  connectRedis,
  createTrainingWorker,
  requeue,
  type AttemptEnd,
  type MetricRecord,
  type TrainingQueueJob,
} from '@blazefleet/queue';
import { runTrial, type TrialResult } from '@blazefleet/worker-runtime';
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
}

/**
 * A fleet worker: takes its pool's jobs from the queue one attempt at a time, runs each as a trial in a child process,
 * records statuses, logs and metrics, and ends the attempt: final, retried after a backoff (retryable failures), or
 * handed back to the queue when the worker shuts down. Every write names the attempt, so that a worker presumed dead
 * (its jobs handed to another) cannot overwrite the result of the attempt that replaced it.
 */
export class TrainingWorker {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly #running = new Map<string, AbortController>();
  #worker: Worker | undefined;
  #subscriber: Redis | undefined;
  #redis: Redis | undefined;
  #queueConnection: Redis | undefined;
  #store: TrainingJobStore | undefined;
  #closing: Promise<void> | undefined;

  private constructor(readonly options: TrainingWorkerOptions) {}

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
    this.#subscriber = await connectRedis(options.redisUrl, { blocking: true });
    this.#subscriber.on('message', (_channel: string, name: string) => this.#running.get(name)?.abort('StopRequested'));
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
      if (job === undefined || !/stalled/i.test(error.message)) return;
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
    const { log } = this.options;
    const store = this.store;
    const name = job.data.name;
    const attemptId = randomUUID();
    const started = await store.startAttempt(name, attemptId, this.id);
    if (started.outcome !== 'started') {
      log.info({ job: name, outcome: started.outcome }, 'nothing to run');
      return;
    }
    const { spec } = await store.describe(name);
    const stop = new AbortController();
    this.#running.set(name, stop);
    const poll = setInterval(() => {
      void store.stopRequested(name).then((requested) => requested && stop.abort('StopRequested'), () => {});
    }, this.options.stopPollMs ?? 2000);
    // Writes of one attempt go out in order, one after another.
    let writes = Promise.resolve();
    const write = (what: () => Promise<unknown>) => {
      writes = writes.then(what).then(
        () => {},
        (error: unknown) => log.warn({ job: name, err: error }, 'could not record an event'),
      );
    };
    log.info({ job: name, attempt: started.attempt }, 'attempt started');
    let result: TrialResult;
    try {
      result = await runTrial({
        spec,
        attempt: started.attempt,
        workRoot: this.#workRoot,
        stop: stop.signal,
        ...(this.options.priceTable === undefined ? {} : { priceTable: this.options.priceTable }),
        ...(this.options.instanceType === undefined ? {} : { instanceType: this.options.instanceType }),
        events: {
          secondaryStatus: async (status, message) => {
            write(() => store.transition(name, attemptId, status, message));
            await writes;
          },
          logLines: (lines) => write(() => store.appendLogs(name, lines)),
          metric: (metric: MetricRecord) => write(() => store.appendMetrics(name, [metric])),
          progress: (progress) => write(() => store.setProgress(name, attemptId, progress)),
        },
      });
    } finally {
      clearInterval(poll);
      this.#running.delete(name);
    }
    await writes;
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

  /**
   * Scale-in or spot reclaim: takes no more jobs, stops the running trials (they checkpoint) and hands their jobs back
   * to the queue, then disconnects.
   */
  shutdown(): Promise<void> {
    this.#closing ??= (async () => {
      const worker = this.#worker!;
      await worker.pause(true);
      for (const stop of this.#running.values()) stop.abort('WorkerShutdown');
      await worker.close();
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
