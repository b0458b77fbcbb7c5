import { parseTrainingJobSpec, type TrainingJobSpec } from '@blazefleet/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobAlreadyExistsError, JobNotFoundError } from './errors.js';
import type { FleetKeys } from './fleet-keys.js';
import { testFleet } from './testing/test-fleet.js';
import { TrainingJobStore } from './training-job-store.js';

let redis: Redis;
let keys: FleetKeys;
let cleanup: () => Promise<void>;
let store: TrainingJobStore;

beforeAll(async () => {
  ({ redis, keys, cleanup } = await testFleet('store'));
  store = new TrainingJobStore(redis, keys);
});
afterAll(() => cleanup());

function spec(name: string, overrides: Record<string, unknown> = {}): TrainingJobSpec {
  return parseTrainingJobSpec({
    name,
    algorithm: 'blazingtext',
    hyperParameters: { mode: 'skipgram', epochs: '1' },
    inputDataConfig: [{ channelName: 'train', uri: 's3://bucket/corpus/' }],
    outputPath: 's3://bucket/output',
    resourceConfig: { instanceType: 'ml.c5.2xlarge', instanceCount: 1 },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
    ...overrides,
  });
}

describe('TrainingJobStore', () => {
  it('records a job as InProgress / Pending, and refuses its name a second time', async () => {
    await store.create(spec('a1'));
    const job = await store.describe('a1');
    expect(job).toMatchObject({ name: 'a1', status: 'InProgress', secondaryStatus: 'Pending', attempts: 0, pool: 'cpu', billableSeconds: 0 });
    expect(job.hyperParameters).toEqual({ mode: 'skipgram', epochs: '1' });
    expect(job.secondaryStatusTransitions).toHaveLength(1);
    expect(job.secondaryStatusTransitions[0]!.statusMessage).toContain('cpu worker');
    await expect(store.create(spec('a1', { hyperParameters: { mode: 'cbow' } }))).rejects.toBeInstanceOf(JobAlreadyExistsError);
    expect((await store.describe('a1')).hyperParameters.mode).toBe('skipgram');
  });

  it('routes GPU instance types to the gpu pool', async () => {
    await store.create(spec('g1', { resourceConfig: { instanceType: 'ml.p3.2xlarge', instanceCount: 1 } }));
    expect((await store.describe('g1')).pool).toBe('gpu');
  });

  it('names the missing job', async () => {
    await expect(store.describe('nope')).rejects.toThrow(JobNotFoundError);
    await expect(store.requestStop('nope')).rejects.toThrow("training job 'nope' does not exist");
  });

  it('runs an attempt through its secondary statuses to Completed, with usage and final metrics', async () => {
    await store.create(spec('run1'));
    expect(await store.startAttempt('run1', 'att-1', 'worker-a')).toEqual({ outcome: 'started', attempt: 1 });
    for (const status of ['Downloading', 'Training', 'Uploading'] as const) expect(await store.transition('run1', 'att-1', status, status)).toBe(true);
    expect(
      await store.endAttempt('run1', 'att-1', {
        outcome: 'Completed', secondaryStatus: 'Completed', message: 'Training job completed', billableSeconds: 12, cost: 0.0016,
        modelArtifacts: 's3://bucket/output/run1/output/model.tar.gz', finalMetrics: [{ name: 'train:mean_rho', value: 0.7, timestamp: 1000 }],
      }),
    ).toBe(true);
    const job = await store.describe('run1');
    expect(job).toMatchObject({ status: 'Completed', secondaryStatus: 'Completed', billableSeconds: 12, cost: 0.0016, attempts: 1 });
    expect(job.modelArtifacts).toEqual({ s3ModelArtifacts: 's3://bucket/output/run1/output/model.tar.gz' });
    expect(job.finalMetrics).toEqual([{ metricName: 'train:mean_rho', value: 0.7, timestamp: new Date(1000).toISOString() }]);
    expect(job.secondaryStatusTransitions.map((t) => t.status)).toEqual(['Pending', 'Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    // Every transition but the last is closed, each when the next began.
    job.secondaryStatusTransitions.slice(0, -1).forEach((t, i) => expect(t.endTime).toBe(job.secondaryStatusTransitions[i + 1]!.startTime));
    expect(job.trainingEndTime).toBeDefined();
    // A finished job takes no attempt and no writes.
    expect(await store.startAttempt('run1', 'att-2', 'worker-b')).toEqual({ outcome: 'terminal', status: 'Completed' });
    expect(await store.transition('run1', 'att-1', 'Training', 'late')).toBe(false);
  });

  it('refuses the writes of a superseded attempt: one final result', async () => {
    await store.create(spec('twice'));
    await store.startAttempt('twice', 'old', 'worker-a');
    await store.transition('twice', 'old', 'Training', 'training');
    // worker-a is presumed dead; worker-b takes the job over.
    expect(await store.startAttempt('twice', 'new', 'worker-b')).toEqual({ outcome: 'started', attempt: 2 });
    expect(await store.transition('twice', 'old', 'Uploading', 'from the dead')).toBe(false);
    const late = { outcome: 'Completed' as const, secondaryStatus: 'Completed' as const, message: 'done', billableSeconds: 5, cost: 1 };
    expect(await store.endAttempt('twice', 'old', late)).toBe(false);
    expect(await store.endAttempt('twice', 'new', { ...late, billableSeconds: 7, cost: 2 })).toBe(true);
    expect(await store.endAttempt('twice', 'new', late)).toBe(false);
    expect(await store.describe('twice')).toMatchObject({ status: 'Completed', billableSeconds: 7, cost: 2, attempts: 2 });
  });

  it('adds up the usage of attempts that were retried or requeued', async () => {
    await store.create(spec('retried'));
    await store.startAttempt('retried', 'x1', 'w');
    await store.endAttempt('retried', 'x1', { outcome: 'retry', secondaryStatus: 'Failed', message: 'S3 throttled', billableSeconds: 3, cost: 0.5, failureReason: 'throttled' });
    expect((await store.describe('retried')).status).toBe('InProgress');
    await store.startAttempt('retried', 'x2', 'w');
    await store.endAttempt('retried', 'x2', { outcome: 'requeue', secondaryStatus: 'Interrupted', message: 'worker shut down', billableSeconds: 4, cost: 0.25 });
    await store.startAttempt('retried', 'x3', 'w');
    await store.endAttempt('retried', 'x3', { outcome: 'Failed', secondaryStatus: 'Failed', message: 'gave up', billableSeconds: 1, cost: 0.25, failureReason: 'AlgorithmError: boom' });
    expect(await store.describe('retried')).toMatchObject({ status: 'Failed', billableSeconds: 8, cost: 1, attempts: 3, failureReason: 'AlgorithmError: boom' });
  });

  it('stops a job that waits at the next attempt, and a running one through Stopping', async () => {
    await store.create(spec('waiting'));
    expect(await store.requestStop('waiting')).toBe('Stopping');
    expect(await store.startAttempt('waiting', 'w1', 'worker')).toEqual({ outcome: 'stopped' });
    expect(await store.describe('waiting')).toMatchObject({ status: 'Stopped', secondaryStatus: 'Stopped', stopReason: 'StopRequested', attempts: 0 });
    expect(await store.requestStop('waiting')).toBe('Stopped');

    await store.create(spec('running'));
    await store.startAttempt('running', 'r1', 'worker');
    const subscriber = redis.duplicate();
    const told = new Promise<string>((resolve) => subscriber.on('message', (_channel, name: string) => resolve(name)));
    await subscriber.subscribe(keys.stopChannel);
    expect(await store.requestStop('running')).toBe('Stopping');
    expect(await told).toBe('running');
    subscriber.disconnect();
    expect(await store.stopRequested('running')).toBe(true);
    expect((await store.describe('running')).status).toBe('Stopping');
    await store.endAttempt('running', 'r1', { outcome: 'Stopped', secondaryStatus: 'Stopped', message: 'stopped', billableSeconds: 2, cost: 0, stopReason: 'StopRequested' });
    expect(await store.describe('running')).toMatchObject({ status: 'Stopped', stopReason: 'StopRequested' });
  });

  it('keeps logs in order and reads them from where a reader left off', async () => {
    await store.create(spec('logs'));
    await store.appendLogs('logs', ['one', 'two']);
    await store.appendLogs('logs', ['three']);
    const first = await store.readLogs('logs');
    expect(first.map((e) => e.line)).toEqual(['one', 'two', 'three']);
    await store.appendLogs('logs', ['four']);
    expect((await store.readLogs('logs', first.at(-1)!.id)).map((e) => e.line)).toEqual(['four']);
    expect(await store.readLogs('logs', first[0]!.id, 1)).toHaveLength(1);
  });

  it('keeps metric events as a time series', async () => {
    await store.create(spec('metrics'));
    await store.appendMetrics('metrics', [{ name: 'train:loss', value: 0.5, timestamp: 1, epoch: 1 }]);
    await store.appendMetrics('metrics', [{ name: 'train:loss', value: 0.25, timestamp: 2, epoch: 2 }]);
    expect((await store.readMetrics('metrics')).map((m) => m.value)).toEqual([0.5, 0.25]);
  });

  it('lists jobs newest first, by status and by input URI', async () => {
    await store.create(spec('l-old', { inputDataConfig: [{ channelName: 'train', uri: 's3://other/data/' }] }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.create(spec('l-new'));
    const names = (await store.list()).map((j) => j.name);
    expect(names.indexOf('l-new')).toBeLessThan(names.indexOf('l-old'));
    expect((await store.list({ inputUri: 's3://other/data/' })).map((j) => j.name)).toEqual(['l-old']);
    const completed = await store.list({ status: 'Completed' });
    expect(completed.length).toBeGreaterThan(0);
    expect(completed.every((j) => j.status === 'Completed')).toBe(true);
    expect(await store.list({ limit: 2 })).toHaveLength(2);
  });
});
