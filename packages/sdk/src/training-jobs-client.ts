import { parseTrainingJobSpec, type TrainingJobSpec } from '@blazefleet/core';
import {
  FleetKeys,
  TrainingJobStore,
  TrainingQueues,
  connectRedis,
  describeTrainingJob,
  fleetLocation,
  isTerminal,
  stopTrainingJob,
  submitTrainingJob,
  type FleetLocation,
  type LogEntry,
  type MetricRecord,
  type TrainingJobDescription,
  type TrainingJobStatus,
  type TrainingJobSummary,
} from '@blazefleet/queue';
import type { Redis } from 'ioredis';
import { abortableDelay } from './abortable-delay.js';

export interface TrainingJobsClientOptions extends Partial<FleetLocation> {
  /** Delay before a failed attempt's retry (doubling each time); default 10 s. */
  retryBackoffMs?: number;
}

/**
 * Submits training jobs to the fleet and watches them: the SDK's side of `blazefleet submit`, `jobs`, `logs`,
 * `metrics` and `stop`. Redis from REDIS_URL (default 127.0.0.1:6379), keys under BLAZEFLEET_PREFIX.
 */
export class TrainingJobsClient {
  private constructor(
    readonly location: FleetLocation,
    readonly store: TrainingJobStore,
    readonly queues: TrainingQueues,
    readonly redis: Redis,
    readonly retryBackoffMs: number | undefined,
  ) {}

  static async connect(options: TrainingJobsClientOptions = {}): Promise<TrainingJobsClient> {
    const location = fleetLocation(process.env, options);
    const keys = new FleetKeys(location.prefix);
    const redis = await connectRedis(location.redisUrl);
    return new TrainingJobsClient(location, new TrainingJobStore(redis, keys), new TrainingQueues(redis, keys), redis, options.retryBackoffMs);
  }

  /** Validates the spec (TrainingJobSpecError names each bad field), records the job and queues it for its pool. */
  async submit(spec: TrainingJobSpec | unknown): Promise<TrainingJobDescription> {
    const parsed = parseTrainingJobSpec(spec);
    await submitTrainingJob(this.store, this.queues, parsed, this.retryBackoffMs === undefined ? {} : { backoffMs: this.retryBackoffMs });
    return this.store.describe(parsed.name);
  }

  /** The job; while it waits for a pool that has no worker, its Pending status says so. */
  describe(name: string): Promise<TrainingJobDescription> {
    return describeTrainingJob(this.store, this.queues, name);
  }

  list(filter: { status?: TrainingJobStatus; inputUri?: string; limit?: number } = {}): Promise<TrainingJobSummary[]> {
    return this.store.list(filter);
  }

  metrics(name: string): Promise<MetricRecord[]> {
    return this.store.readMetrics(name);
  }

  /** Log lines after `afterId` (all kept lines when omitted). */
  async logs(name: string, afterId?: string): Promise<LogEntry[]> {
    await this.store.describe(name);
    const entries: LogEntry[] = [];
    for (let after = afterId ?? '-'; ; ) {
      const page = await this.store.readLogs(name, after);
      entries.push(...page);
      if (page.length === 0) return entries;
      after = page.at(-1)!.id;
    }
  }

  /** Calls onLine with every log line, new ones as they come, until the job is over (or the signal aborts). */
  async followLogs(name: string, onLine: (line: string) => void, options: { signal?: AbortSignal; pollMs?: number } = {}): Promise<TrainingJobDescription> {
    let after = '-';
    for (;;) {
      const job = await this.store.describe(name);
      for (;;) {
        const page = await this.store.readLogs(name, after);
        for (const entry of page) onLine(entry.line);
        if (page.length === 0) break;
        after = page.at(-1)!.id;
      }
      if (isTerminal(job.status) || options.signal?.aborted) return job;
      await abortableDelay(options.pollMs ?? 500, options.signal);
    }
  }

  /** Asks the job to stop: a queued one Stops at once, a running one once its worker has stopped the trial. */
  async stop(name: string): Promise<TrainingJobDescription> {
    await stopTrainingJob(this.store, this.queues, name);
    return this.store.describe(name);
  }

  /** Polls the job until it is over, calling onUpdate whenever its status, transitions or progress change. */
  async waitFor(
    name: string,
    options: { onUpdate?: (job: TrainingJobDescription) => void; signal?: AbortSignal; pollMs?: number } = {},
  ): Promise<TrainingJobDescription> {
    let seen = '';
    for (;;) {
      const job = await this.store.describe(name);
      const state = JSON.stringify([job.status, job.secondaryStatusTransitions, job.progress]);
      if (state !== seen) {
        seen = state;
        options.onUpdate?.(job);
      }
      if (isTerminal(job.status) || options.signal?.aborted) return job;
      await abortableDelay(options.pollMs ?? 500, options.signal);
    }
  }

  async close(): Promise<void> {
    await this.queues.close();
    this.redis.disconnect();
  }
}
