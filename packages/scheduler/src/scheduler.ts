import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { ServiceLog } from '@blazefleet/core';
import { FleetKeys, TrainingJobStore, TrainingQueues, connectRedis, type RetryTiming } from '@blazefleet/queue';
import type { ParentTrial } from '@blazefleet/tuner';
import type { Redis } from 'ioredis';
import { startHttpApi } from './http-api.js';
import { startQueueDepthMetrics, type QueueDepthMetricsOptions } from './queue-depth-metrics.js';
import { driveTuningJob } from './tuning-driver.js';
import { TuningJobStore } from './tuning-job-store.js';

export interface SchedulerOptions {
  redisUrl: string;
  prefix: string;
  log: ServiceLog;
  /** Between passes over the active tuning jobs (default 1 s). */
  pollMs?: number;
  /** How long a scheduler's hold on a tuning job lasts without renewal; another takes over after it (default 15 s). */
  leaseMs?: number;
  /** Backoff of the trials' training jobs before a retry. */
  retry?: RetryTiming;
  /** The HTTP API, guarded by a bearer token; none without it. */
  api?: { token: string; port: number; host?: string };
  /** Queue depths as CloudWatch Embedded Metric Format lines (what the ECS deployment scales its workers on); none without it. */
  cloudWatchMetrics?: QueueDepthMetricsOptions;
}

/**
 * The service that drives tuning jobs: every pass it takes (or renews) the lease on each active tuning job and drives
 * it one step. Several schedulers may run; a lease in Redis lets only one drive a given job, and a scheduler that
 * dies (kill -9) loses its leases after `leaseMs`, when another, or itself restarted, continues from Redis.
 */
export class Scheduler {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> = Promise.resolve();
  #stopped = false;
  #api: Server | undefined;
  #metrics: { stop: () => Promise<void> } | undefined;

  private constructor(
    readonly options: SchedulerOptions,
    readonly redis: Redis,
    readonly tuning: TuningJobStore,
    readonly training: TrainingJobStore,
    readonly queues: TrainingQueues,
  ) {}

  static async start(options: SchedulerOptions): Promise<Scheduler> {
    const keys = new FleetKeys(options.prefix);
    const redis = await connectRedis(options.redisUrl);
    const scheduler = new Scheduler(options, redis, new TuningJobStore(redis, keys), new TrainingJobStore(redis, keys), new TrainingQueues(redis, keys));
    if (options.api !== undefined) {
      scheduler.#api = await startHttpApi({ ...options.api, tuning: scheduler.tuning, training: scheduler.training, queues: scheduler.queues });
    }
    if (options.cloudWatchMetrics !== undefined) scheduler.#metrics = startQueueDepthMetrics(scheduler.queues, options.cloudWatchMetrics, options.log);
    scheduler.#schedule(0);
    options.log.info({ scheduler: scheduler.id, prefix: options.prefix, api: scheduler.apiPort ?? null }, 'scheduler started');
    return scheduler;
  }

  /** The port the HTTP API listens on, if it runs. */
  get apiPort(): number | undefined {
    const address = this.#api?.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#pass = this.#drivePass().finally(() => this.#schedule(this.options.pollMs ?? 1000));
    }, delayMs);
  }

  async #drivePass(): Promise<void> {
    const { log } = this.options;
    let names: string[];
    try {
      names = await this.tuning.active();
    } catch (error) {
      log.error({ err: error }, 'cannot read the active tuning jobs');
      return;
    }
    for (const name of names) {
      if (this.#stopped) return;
      try {
        if (!(await this.tuning.lease(name, this.id, this.options.leaseMs ?? 15_000))) continue;
        const record = await this.tuning.get(name);
        const kept = await driveTuningJob(
          { tuning: this.tuning, training: this.training, queues: this.queues, ...(this.options.retry === undefined ? {} : { retry: this.options.retry }) },
          record,
          this.id,
          () => this.#parentTrials(record.spec.warmStartConfig?.parentHyperParameterTuningJobs.map((p) => p.hyperParameterTuningJobName) ?? []),
        );
        if (!kept) log.warn({ tuningJob: name }, 'lost the lease on the tuning job to another scheduler');
      } catch (error) {
        log.error({ tuningJob: name, err: error }, 'driving the tuning job failed; retrying on the next pass');
      }
    }
  }

  /** The finished trials of parent tuning jobs, for a warm start: their tuned hyperparameters and objective. */
  async #parentTrials(parents: string[]): Promise<ParentTrial[]> {
    const trials: ParentTrial[] = [];
    for (const parent of parents) {
      const record = await this.tuning.get(parent);
      for (const trial of record.trials) {
        if (trial.objective !== undefined) trials.push({ params: trial.tunedHyperParameters, value: trial.objective });
      }
    }
    return trials;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass;
    await this.#metrics?.stop();
    if (this.#api !== undefined) await new Promise((resolve) => this.#api!.close(resolve));
    await this.queues.close();
    this.redis.disconnect();
    this.options.log.info({ scheduler: this.id }, 'scheduler stopped');
  }
}
