import { parseTuningJobSpec, type TuningJobSpec } from '@blazefleet/core';
import { FleetKeys, TrainingJobStore, connectRedis, fleetLocation, type FleetLocation } from '@blazefleet/queue';
import { TuningJobStore, tuningAnalytics, type TrialAnalytics, type TuningJobRecord, type TuningJobStatus } from '@blazefleet/scheduler';
import type { Redis } from 'ioredis';
import { abortableDelay } from './abortable-delay.js';

/** What `tuning describe` shows: the job, its trials counted by status, and the best one so far. */
export interface TuningJobDescription {
  name: string;
  status: TuningJobStatus;
  strategy: TuningJobSpec['strategy'];
  objective: TuningJobSpec['objective'];
  resourceLimits: TuningJobSpec['resourceLimits'];
  creationTime: string;
  endTime?: string;
  completionReason?: string;
  trainingJobStatusCounters: Record<string, number>;
  bestTrainingJob?: TrialAnalytics;
  billableSeconds: number;
  cost: number;
}

const TERMINAL: readonly TuningJobStatus[] = ['Completed', 'Failed', 'Stopped'];

/** Creates tuning jobs for the scheduler to drive, and reads them: the SDK's side of `tune` and `tuning ...`. */
export class TuningJobsClient {
  private constructor(
    readonly location: FleetLocation,
    readonly tuning: TuningJobStore,
    readonly training: TrainingJobStore,
    readonly redis: Redis,
  ) {}

  static async connect(options: Partial<FleetLocation> = {}): Promise<TuningJobsClient> {
    const location = fleetLocation(process.env, options);
    const keys = new FleetKeys(location.prefix);
    const redis = await connectRedis(location.redisUrl);
    return new TuningJobsClient(location, new TuningJobStore(redis, keys), new TrainingJobStore(redis, keys), redis);
  }

  /** Validates the spec (every bad field named) and records the job; a running `blazefleet scheduler` drives it. */
  async create(spec: TuningJobSpec | unknown): Promise<TuningJobDescription> {
    const parsed = parseTuningJobSpec(spec);
    await this.tuning.create(parsed);
    return this.describe(parsed.name);
  }

  async describe(name: string): Promise<TuningJobDescription> {
    const record = await this.tuning.get(name);
    const rows = await tuningAnalytics(record, this.training);
    return describeRecord(record, rows);
  }

  async list(): Promise<TuningJobDescription[]> {
    return Promise.all((await this.tuning.names()).map((name) => this.describe(name)));
  }

  async analytics(name: string): Promise<TrialAnalytics[]> {
    return tuningAnalytics(await this.tuning.get(name), this.training);
  }

  async stop(name: string): Promise<TuningJobDescription> {
    await this.tuning.requestStop(name);
    return this.describe(name);
  }

  /** Polls until the job is over, calling onUpdate with its trials whenever they change. */
  async waitFor(name: string, options: { onUpdate?: (job: TuningJobDescription, trials: TrialAnalytics[]) => void; pollMs?: number; signal?: AbortSignal } = {}): Promise<TuningJobDescription> {
    let seen = '';
    for (;;) {
      const record = await this.tuning.get(name);
      const rows = await tuningAnalytics(record, this.training);
      const job = describeRecord(record, rows);
      const state = JSON.stringify([job.status, rows.map((r) => [r.trainingJobName, r.trainingJobStatus, r.finalObjectiveValue])]);
      if (state !== seen) {
        seen = state;
        options.onUpdate?.(job, rows);
      }
      if (TERMINAL.includes(job.status) || options.signal?.aborted) return job;
      await abortableDelay(options.pollMs ?? 1000, options.signal);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function describeRecord(record: TuningJobRecord, rows: TrialAnalytics[]): TuningJobDescription {
  const counters: Record<string, number> = {};
  for (const row of rows) counters[row.trainingJobStatus] = (counters[row.trainingJobStatus] ?? 0) + 1;
  const best = rows[0]?.finalObjectiveValue === undefined ? undefined : rows[0];
  return {
    name: record.name,
    status: record.status,
    strategy: record.spec.strategy,
    objective: record.spec.objective,
    resourceLimits: record.spec.resourceLimits,
    creationTime: record.creationTime,
    ...(record.endTime === undefined ? {} : { endTime: record.endTime }),
    ...(record.completionReason === undefined ? {} : { completionReason: record.completionReason }),
    trainingJobStatusCounters: counters,
    ...(best === undefined ? {} : { bestTrainingJob: best }),
    billableSeconds: rows.reduce((sum, row) => sum + row.billableSeconds, 0),
    cost: rows.reduce((sum, row) => sum + row.cost, 0),
  };
}
