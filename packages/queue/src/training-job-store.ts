import { instancePool, type InstancePool, type TrainingJobSpec } from '@blazefleet/core';
import type { Redis } from 'ioredis';
import { JobAlreadyExistsError, JobNotFoundError } from './errors.js';
import type { FleetKeys } from './fleet-keys.js';
import { CREATE_JOB, END_ATTEMPT, REQUEST_STOP, SET_ATTEMPT_FIELD, START_ATTEMPT, TRANSITION } from './job-scripts.js';
import {
  isTerminal,
  type FinalMetric,
  type JobHost,
  type MetricRecord,
  type SecondaryStatus,
  type SecondaryStatusTransition,
  type TrainingJobDescription,
  type TrainingJobStatus,
  type TrainingJobSummary,
  type TrainingProgressReport,
} from './training-job-record.js';

/** Log lines kept per job in Redis (the full log goes to the job's output location). */
export const LOG_LINES_KEPT = 10_000;
/** Metric events kept per job. */
export const METRICS_KEPT = 100_000;

export type StartedAttempt = { outcome: 'started'; attempt: number } | { outcome: 'terminal'; status: TrainingJobStatus } | { outcome: 'stopped' };

/** How an attempt ended: a final status, or back to the queue for another attempt ('retry' counts one, 'requeue' does not). */
export type AttemptOutcome = 'retry' | 'requeue' | 'Completed' | 'Failed' | 'Stopped';

export interface AttemptEnd {
  outcome: AttemptOutcome;
  secondaryStatus: SecondaryStatus;
  message: string;
  billableSeconds: number;
  cost: number;
  failureReason?: string;
  stopReason?: string;
  modelArtifacts?: string;
  finalMetrics?: MetricRecord[];
}

export interface LogEntry {
  /** The stream id: pass it back to read what came after. */
  id: string;
  line: string;
}

const nowFields = () => {
  const now = Date.now();
  return [String(now), new Date(now).toISOString()] as const;
};

function iso(ms: string | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(Number(ms)).toISOString();
}

/** The fleet's records of training jobs in Redis: their spec, state, transitions, logs and metrics. */
export class TrainingJobStore {
  constructor(
    readonly redis: Redis,
    readonly keys: FleetKeys,
  ) {}

  /** The keys of a job's state scripts: its hash and its transitions. */
  #stateKeys(name: string): string[] {
    return [this.keys.job(name), this.keys.transitions(name)];
  }

  #eval(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.redis.eval(script, keys.length, ...keys, ...args.map(String));
  }

  /** Records a new job, Pending, for `pool` (default its instance type's); JobAlreadyExistsError when the name is taken. */
  async create(spec: TrainingJobSpec, pool: InstancePool = instancePool(spec.resourceConfig.instanceType)): Promise<void> {
    const [ms, isoNow] = nowFields();
    const created = await this.#eval(CREATE_JOB, [this.keys.job(spec.name), this.keys.jobs, this.keys.spec(spec.name)], [
      spec.name, JSON.stringify(spec), pool, ms, isoNow, spec.resourceConfig.instanceType,
    ]);
    if (created !== 1) throw new JobAlreadyExistsError(spec.name);
  }

  async exists(name: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.job(name))) === 1;
  }

  async describe(name: string): Promise<TrainingJobDescription> {
    const [[, fields], [, spec], [, transitions]] = (await this.redis
      .multi()
      .hgetall(this.keys.job(name))
      .get(this.keys.spec(name))
      .get(this.keys.transitions(name))
      .exec())! as [unknown, unknown][] as [[unknown, Record<string, string>], [unknown, string | null], [unknown, string | null]];
    if (spec === null || fields.status === undefined) throw new JobNotFoundError(name);
    return describeFields(name, { ...fields, spec, ...(transitions === null ? {} : { transitions }) });
  }

  /** Jobs newest first, optionally only those of a status or reading a given input URI. */
  async list(filter: { status?: TrainingJobStatus; inputUri?: string; limit?: number } = {}): Promise<TrainingJobSummary[]> {
    const names = await this.redis.zrevrange(this.keys.jobs, 0, -1);
    const pipeline = this.redis.pipeline();
    for (const name of names) pipeline.hgetall(this.keys.job(name)).get(this.keys.spec(name));
    const replies = (await pipeline.exec()) ?? [];
    const summaries: TrainingJobSummary[] = [];
    names.forEach((name, i) => {
      const record = replies[2 * i]![1] as Record<string, string>;
      const spec = replies[2 * i + 1]![1] as string | null;
      if (spec === null || record.status === undefined) return;
      const job = describeFields(name, { ...record, spec });
      if (filter.status !== undefined && job.status !== filter.status) return;
      if (filter.inputUri !== undefined && !job.inputDataConfig.some((channel) => channel.uri === filter.inputUri)) return;
      summaries.push({
        name: job.name,
        status: job.status,
        secondaryStatus: job.secondaryStatus,
        creationTime: job.creationTime,
        ...(job.trainingEndTime === undefined ? {} : { trainingEndTime: job.trainingEndTime }),
        billableSeconds: job.billableSeconds,
        cost: job.cost,
        attempts: job.attempts,
        instanceType: job.resourceConfig.instanceType,
        inputUris: job.inputDataConfig.map((channel) => channel.uri),
      });
    });
    return filter.limit === undefined ? summaries : summaries.slice(0, filter.limit);
  }

  /** A worker takes the job: a new attempt, unless the job is over or was stopped while it waited. */
  async startAttempt(name: string, attemptId: string, worker: string): Promise<StartedAttempt> {
    const [ms, isoNow] = nowFields();
    const reply = (await this.#eval(START_ATTEMPT, this.#stateKeys(name), [attemptId, worker, ms, isoNow])) as string[];
    switch (reply[0]) {
      case 'started':
        return { outcome: 'started', attempt: Number(reply[1]) };
      case 'terminal':
        return { outcome: 'terminal', status: reply[1] as TrainingJobStatus };
      case 'stopped':
        return { outcome: 'stopped' };
      default:
        throw new JobNotFoundError(name);
    }
  }

  /** Records a secondary status of the attempt; false when the attempt was superseded or the job is over. */
  async transition(name: string, attemptId: string, status: SecondaryStatus, message: string): Promise<boolean> {
    const [ms, isoNow] = nowFields();
    return (await this.#eval(TRANSITION, this.#stateKeys(name), [attemptId, status, message, ms, isoNow])) === 1;
  }

  /** Ends the attempt (or, with attemptId '*', whichever is current); false when it was superseded or the job is over. */
  async endAttempt(name: string, attemptId: string, end: AttemptEnd): Promise<boolean> {
    const [ms, isoNow] = nowFields();
    const fields: Record<string, string> = {};
    if (end.failureReason !== undefined) fields.failure = end.failureReason;
    if (end.stopReason !== undefined) fields.stopReason = end.stopReason;
    if (end.modelArtifacts !== undefined) fields.artifacts = end.modelArtifacts;
    if (end.finalMetrics !== undefined) fields.final = JSON.stringify(end.finalMetrics);
    const reply = await this.#eval(END_ATTEMPT, this.#stateKeys(name), [
      attemptId, end.outcome, end.secondaryStatus, end.message, ms, isoNow, end.billableSeconds, end.cost, JSON.stringify(fields),
    ]);
    return reply === 1;
  }

  /** Marks the job Stopping (workers are told on the stop channel); returns its status after the request. */
  async requestStop(name: string): Promise<TrainingJobStatus> {
    const [ms, isoNow] = nowFields();
    const status = (await this.#eval(REQUEST_STOP, this.#stateKeys(name), [ms, isoNow])) as string;
    if (status === 'missing') throw new JobNotFoundError(name);
    if (status === 'Stopping') await this.redis.publish(this.keys.stopChannel, name);
    return status as TrainingJobStatus;
  }

  /** The attempt's latest progress (a superseded attempt's is ignored). */
  async setProgress(name: string, attemptId: string, progress: TrainingProgressReport): Promise<void> {
    await this.#eval(SET_ATTEMPT_FIELD, [this.keys.job(name)], [attemptId, 'progress', JSON.stringify(progress)]);
  }

  /** The hosts of the attempt of a job on several instances, shown by describe until another attempt records its own. */
  async setHosts(name: string, attemptId: string, hosts: JobHost[]): Promise<void> {
    await this.#eval(SET_ATTEMPT_FIELD, [this.keys.job(name)], [attemptId, 'hosts', JSON.stringify(hosts)]);
  }

  async stopRequested(name: string): Promise<boolean> {
    return (await this.redis.hget(this.keys.job(name), 'stop')) === '1';
  }

  async appendLogs(name: string, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const line of lines) pipeline.xadd(this.keys.logs(name), 'MAXLEN', '~', LOG_LINES_KEPT, '*', 'l', line);
    await pipeline.exec();
  }

  /** Log lines after `afterId` (from the start when omitted), at most `count`. */
  async readLogs(name: string, afterId = '-', count = 1000): Promise<LogEntry[]> {
    const start = afterId === '-' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.keys.logs(name), start, '+', 'COUNT', count);
    return entries.map(([id, fields]) => ({ id, line: fields[1] ?? '' }));
  }

  async appendMetrics(name: string, metrics: MetricRecord[]): Promise<void> {
    if (metrics.length === 0) return;
    await this.redis
      .multi()
      .rpush(this.keys.metrics(name), ...metrics.map((metric) => JSON.stringify(metric)))
      .ltrim(this.keys.metrics(name), -METRICS_KEPT, -1)
      .exec();
  }

  async readMetrics(name: string): Promise<MetricRecord[]> {
    const values = await this.redis.lrange(this.keys.metrics(name), 0, -1);
    return values.map((value) => JSON.parse(value) as MetricRecord);
  }
}

/** The stored transitions after the first, Pending, which lasted from the job's creation to the next. */
function transitionsOf(fields: Record<string, string>): SecondaryStatusTransition[] {
  const later = fields.transitions === undefined ? [] : (JSON.parse(fields.transitions) as SecondaryStatusTransition[]);
  const pending: SecondaryStatusTransition = {
    status: 'Pending',
    startTime: fields.createdIso!,
    ...(later[0] === undefined ? {} : { endTime: later[0].startTime }),
    statusMessage:
      fields.pool === instancePool(fields.instance!)
        ? `Waiting for a ${fields.pool} worker (${fields.instance})`
        : `Waiting for a ${fields.pool} worker (${fields.instance}: no ${instancePool(fields.instance!)} worker ran when it was submitted, and resourceConfig.allowCpuFallback is true)`,
  };
  return [pending, ...later];
}

function describeFields(name: string, fields: Record<string, string>): TrainingJobDescription {
  const spec = JSON.parse(fields.spec!) as TrainingJobSpec;
  const finalMetrics = fields.final === undefined ? [] : (JSON.parse(fields.final) as MetricRecord[]);
  const startTime = iso(fields.started);
  const endTime = iso(fields.ended);
  const status = fields.status as TrainingJobStatus;
  return {
    name,
    status,
    secondaryStatus: fields.secondary as SecondaryStatus,
    secondaryStatusTransitions: transitionsOf(fields),
    algorithm: spec.algorithm,
    hyperParameters: spec.hyperParameters,
    inputDataConfig: spec.inputDataConfig,
    outputPath: spec.outputPath,
    resourceConfig: spec.resourceConfig,
    pool: fields.pool === 'gpu' ? 'gpu' : 'cpu',
    creationTime: iso(fields.created)!,
    ...(startTime === undefined ? {} : { trainingStartTime: startTime }),
    ...(endTime === undefined || !isTerminal(status) ? {} : { trainingEndTime: endTime }),
    lastModifiedTime: iso(fields.modified)!,
    finalMetrics: finalMetrics.map(
      (metric): FinalMetric => ({ metricName: metric.name, value: metric.value, timestamp: new Date(metric.timestamp).toISOString() }),
    ),
    billableSeconds: Number(fields.billable ?? 0),
    cost: Number(fields.cost ?? 0),
    ...(fields.artifacts === undefined ? {} : { modelArtifacts: { s3ModelArtifacts: fields.artifacts } }),
    ...(fields.failure === undefined ? {} : { failureReason: fields.failure }),
    ...(fields.stopReason === undefined ? {} : { stopReason: fields.stopReason }),
    attempts: Number(fields.attempts ?? 0),
    ...(fields.worker === undefined ? {} : { worker: fields.worker }),
    ...(fields.hosts === undefined ? {} : { hosts: JSON.parse(fields.hosts) as JobHost[] }),
    ...(fields.progress === undefined || isTerminal(status) ? {} : { progress: JSON.parse(fields.progress) as TrainingProgressReport }),
    tags: spec.tags,
    spec,
  };
}
