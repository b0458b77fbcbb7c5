import { instancePool, type TrainingJobSpec } from '@blazefleet/core';
import type { TrainingJobStore } from './training-job-store.js';
import type { RetryTiming, TrainingQueues } from './training-queues.js';

/**
 * Records a job and queues it for its pool; JobAlreadyExistsError when the name is taken. A job that cannot be queued
 * is recorded as Failed (so that it does not wait forever), and the error is rethrown.
 */
export async function submitTrainingJob(store: TrainingJobStore, queues: TrainingQueues, spec: TrainingJobSpec, timing: RetryTiming = {}): Promise<void> {
  await store.create(spec);
  try {
    await queues.enqueue(spec, timing);
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
  const { spec } = await store.describe(name);
  if (await queues.remove(name, instancePool(spec.resourceConfig.instanceType))) {
    await store.endAttempt(name, '*', {
      outcome: 'Stopped', secondaryStatus: 'Stopped', message: 'Stopped before it started', billableSeconds: 0, cost: 0, stopReason: 'StopRequested',
    });
  }
}
