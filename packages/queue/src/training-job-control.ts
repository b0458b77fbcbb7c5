import { instancePool, type TrainingJobSpec } from '@blazefleet/core';
import type { TrainingJobDescription } from './training-job-record.js';
import type { TrainingJobStore } from './training-job-store.js';
import type { RetryTiming, TrainingQueues } from './training-queues.js';

/**
 * Records a job and queues it for its pool; JobAlreadyExistsError when the name is taken. A job that cannot be queued
 * is recorded as Failed (so that it does not wait forever), and the error is rethrown.
 */
export async function submitTrainingJob(store: TrainingJobStore, queues: TrainingQueues, spec: TrainingJobSpec, timing: RetryTiming = {}): Promise<void> {
  let pool = instancePool(spec.resourceConfig.instanceType);
  if (pool === 'gpu' && spec.resourceConfig.allowCpuFallback && (await queues.workerCount('gpu')) === 0) pool = 'cpu';
  await store.create(spec, pool);
  try {
    await queues.enqueue(spec, timing, pool);
  } catch (error) {
    await store.endAttempt(spec.name, '*', {
      outcome: 'Failed', secondaryStatus: 'Failed', message: 'Could not be queued', billableSeconds: 0, cost: 0,
      failureReason: `QueueError: ${(error as Error).message}`,
    });
    throw error;
  }
}

/**
 * Asks a job to stop: a queued one is taken out of its queue and Stopped at once; a running one is Stopping while its
 * worker stops the trial (SIGTERM, then SIGKILL after the grace period).
 */
export async function stopTrainingJob(store: TrainingJobStore, queues: TrainingQueues, name: string): Promise<void> {
  if ((await store.requestStop(name)) !== 'Stopping') return;
  const { pool } = await store.describe(name);
  if (await queues.remove(name, pool)) {
    await store.endAttempt(name, '*', {
      outcome: 'Stopped', secondaryStatus: 'Stopped', message: 'Stopped before it started', billableSeconds: 0, cost: 0, stopReason: 'StopRequested',
    });
  }
}

/**
 * The job as the store records it; while it waits for a worker of a pool that has none, its Pending status says so
 * (a GPU job never runs on the cpu pool unless its spec allows it).
 */
export async function describeTrainingJob(store: TrainingJobStore, queues: TrainingQueues, name: string): Promise<TrainingJobDescription> {
  const job = await store.describe(name);
  if (job.secondaryStatus !== 'Pending' || (await queues.workerCount(job.pool)) > 0) return job;
  const transitions = [...job.secondaryStatusTransitions];
  const pending = transitions[transitions.length - 1]!;
  const fallback = job.pool === 'gpu' && !job.resourceConfig.allowCpuFallback ? '; set resourceConfig.allowCpuFallback to run such jobs on cpu workers' : '';
  transitions[transitions.length - 1] = {
    ...pending,
    statusMessage: `${pending.statusMessage}: no ${job.pool} worker is running (start one with: blazefleet worker --pool ${job.pool})${fallback}`,
  };
  return { ...job, secondaryStatusTransitions: transitions };
}
