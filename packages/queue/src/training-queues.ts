import { instancePool, type InstancePool, type TrainingJobSpec } from '@blazefleet/core';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FleetKeys } from './fleet-keys.js';

/**
 * A queued training job: its name (the record in the job store holds the rest); for a host entry of a job on several
 * instances (BullMQ job name 'host'), also the leader's attempt and the rank the taker joins as.
 */
export interface TrainingJobPayload {
  name: string;
  gang?: { attempt: string; rank: number };
}

/** BullMQ job names: a job's own entry, and the entries its leader queues for the other ranks of a gang. */
export const TRAIN_ENTRY = 'train';
export const HOST_ENTRY = 'host';

export type TrainingQueueJob = Job<TrainingJobPayload>;

export const POOLS: readonly InstancePool[] = ['cpu', 'gpu'];

/** Jobs for `ml.p*` and `ml.g*` instance types go to the gpu pool's queue, the others to the cpu pool's. */
export function trainingQueueName(pool: InstancePool): string {
  return `training-${pool}`;
}

export interface RetryTiming {
  /** Delay before the second attempt; doubles for each next one. Default 10 s. */
  backoffMs?: number;
}

/** The BullMQ queues of the fleet's pools, from the submitting side. */
export class TrainingQueues {
  readonly #queues = new Map<InstancePool, Queue<TrainingJobPayload>>();

  constructor(
    readonly redis: Redis,
    readonly keys: FleetKeys,
  ) {}

  queue(pool: InstancePool): Queue<TrainingJobPayload> {
    let queue = this.#queues.get(pool);
    if (queue === undefined) {
      // BullMQ's event stream feeds QueueEvents listeners, which the fleet does not use: kept short, it costs no memory per job.
      queue = new Queue<TrainingJobPayload>(trainingQueueName(pool), {
        connection: this.redis,
        prefix: this.keys.bullPrefix,
        streams: { events: { maxLen: 100 } },
      });
      this.#queues.set(pool, queue);
    }
    return queue;
  }

  /**
   * Queues the job for `pool` (default its instance type's; its name is the BullMQ job id, so a job is never queued
   * twice) with the spec's retry budget:
   * BullMQ retries a failed attempt after an exponential backoff, up to retryStrategy.maximumRetryAttempts in all.
   */
  async enqueue(spec: TrainingJobSpec, timing: RetryTiming = {}, pool: InstancePool = instancePool(spec.resourceConfig.instanceType)): Promise<void> {
    await this.queue(pool).add(
      TRAIN_ENTRY,
      { name: spec.name },
      {
        jobId: spec.name,
        attempts: spec.retryStrategy.maximumRetryAttempts,
        backoff: { type: 'exponential', delay: timing.backoffMs ?? 10_000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /**
   * Queues the host entries of ranks 1..size-1 of a gang at the head of the pool's queue (LIFO), so that the next free
   * workers join the assembling gang before they take other jobs. One try each: a lost host fails the whole gang.
   */
  async enqueueGangHosts(pool: InstancePool, name: string, attempt: string, size: number): Promise<void> {
    const queue = this.queue(pool);
    for (let rank = 1; rank < size; rank++) {
      await queue.add(HOST_ENTRY, { name, gang: { attempt, rank } }, { jobId: gangHostEntryId(name, attempt, rank), lifo: true, attempts: 1, removeOnComplete: true, removeOnFail: true });
    }
  }

  /** Takes the host entries of a gang that no worker took yet out of the queue. */
  async removeGangHosts(pool: InstancePool, name: string, attempt: string, size: number): Promise<void> {
    const queue = this.queue(pool);
    for (let rank = 1; rank < size; rank++) await queue.remove(gangHostEntryId(name, attempt, rank)).catch(() => 0);
  }

  /** Takes a job that no worker holds out of its queue; false when a worker holds it (or it is not queued). */
  async remove(name: string, pool: InstancePool): Promise<boolean> {
    const queue = this.queue(pool);
    const job = await queue.getJob(name);
    if (job === undefined) return false;
    return (await queue.remove(name)) === 1;
  }

  /** Workers connected to the pool's queue now. */
  workerCount(pool: InstancePool): Promise<number> {
    return this.queue(pool).getWorkersCount();
  }

  /** Jobs waiting (or delayed before a retry) and running, per pool. */
  async counts(): Promise<Record<InstancePool, { waiting: number; active: number; delayed: number }>> {
    const entries = await Promise.all(
      POOLS.map(async (pool) => {
        const counts = await this.queue(pool).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return [pool, { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0 }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<InstancePool, { waiting: number; active: number; delayed: number }>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    this.#queues.clear();
  }
}

export interface TrainingWorkerOptions {
  /** A connection of its own, made with connectRedis(url, { blocking: true }). */
  connection: Redis;
  keys: FleetKeys;
  pool: InstancePool;
  /** Trials at once (default 1). */
  concurrency?: number;
  /** How long a worker's hold on a job lasts without renewal; a worker that dies loses its jobs after this. Default 30 s. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose holder died. Default 30 s. */
  stalledIntervalMs?: number;
  /** How many times a job may lose its worker before it fails. */
  maxStalledCount?: number;
}

/** A BullMQ worker of a pool; `process` runs one attempt and must not block the event loop (trials run in child processes). */
export function createTrainingWorker(
  options: TrainingWorkerOptions,
  process: (job: TrainingQueueJob, token: string | undefined) => Promise<void>,
): Worker<TrainingJobPayload> {
  return new Worker<TrainingJobPayload>(trainingQueueName(options.pool), process, {
    connection: options.connection,
    prefix: options.keys.bullPrefix,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 3,
    autorun: false,
  });
}

function gangHostEntryId(name: string, attempt: string, rank: number): string {
  return `${name}.host-${rank}.${attempt}`;
}

/**
 * Hands a job back to its queue without counting an attempt (the worker is shutting down, or a gang cannot assemble
 * yet), to be taken again after `delayMs`; throw what this returns.
 */
export async function requeue(job: TrainingQueueJob, token: string | undefined, delayMs = 0): Promise<DelayedError> {
  await job.moveToDelayed(Date.now() + delayMs, token);
  return new DelayedError();
}
