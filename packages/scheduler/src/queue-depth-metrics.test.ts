import { parseTrainingJobSpec } from '@blazefleet/core';
import { TrainingQueues, type FleetKeys } from '@blazefleet/queue';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testFleet } from '../../queue/src/testing/test-fleet.js';
import { DEFAULT_METRICS_NAMESPACE, queueDepthEmfLines, startQueueDepthMetrics } from './queue-depth-metrics.js';

interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  Pool: string;
  QueueWaiting: number;
  QueueActive: number;
}

const silentLog = { info: () => {}, warn: () => {}, error: () => {} };

describe('queueDepthEmfLines', () => {
  const counts = { cpu: { waiting: 3, active: 2, delayed: 4 }, gpu: { waiting: 0, active: 1, delayed: 0 } };
  const lines = queueDepthEmfLines(counts, 'Fleet/Test', 1_700_000_000_000).map((line) => JSON.parse(line) as EmfLine);

  it('declares QueueWaiting and QueueActive, counted, in the namespace with the Pool dimension', () => {
    for (const line of lines) {
      expect(line._aws.Timestamp).toBe(1_700_000_000_000);
      expect(line._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: 'Fleet/Test',
          Dimensions: [['Pool']],
          Metrics: [
            { Name: 'QueueWaiting', Unit: 'Count' },
            { Name: 'QueueActive', Unit: 'Count' },
          ],
        },
      ]);
    }
  });

  it('gives one line per pool: waiting counts the delayed jobs too', () => {
    expect(lines.map(({ Pool, QueueWaiting, QueueActive }) => ({ Pool, QueueWaiting, QueueActive }))).toEqual([
      { Pool: 'cpu', QueueWaiting: 7, QueueActive: 2 },
      { Pool: 'gpu', QueueWaiting: 0, QueueActive: 1 },
    ]);
  });
});

describe('startQueueDepthMetrics', () => {
  let redis: Redis;
  let keys: FleetKeys;
  let cleanup: () => Promise<void>;
  let queues: TrainingQueues;

  beforeAll(async () => {
    ({ redis, keys, cleanup } = await testFleet('queue-depth-metrics'));
    queues = new TrainingQueues(redis, keys);
  });
  afterAll(async () => {
    await queues.close();
    await cleanup();
  });

  function spec(name: string, instanceType: string) {
    return parseTrainingJobSpec({
      name,
      algorithm: 'blazingtext',
      hyperParameters: { mode: 'skipgram' },
      inputDataConfig: [{ channelName: 'train', uri: 's3://bucket/corpus/' }],
      outputPath: 's3://bucket/output',
      resourceConfig: { instanceType, instanceCount: 1 },
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
    });
  }

  it("reports the queues' depth in Redis at once, in the default namespace", async () => {
    await queues.enqueue(spec('cpu-a', 'ml.c5.2xlarge'));
    await queues.enqueue(spec('cpu-b', 'ml.c5.2xlarge'));
    await queues.enqueue(spec('gpu-a', 'ml.p3.2xlarge'));
    const written: string[] = [];
    const metrics = startQueueDepthMetrics(queues, { write: (line) => written.push(line), intervalMs: 60_000 }, silentLog);
    await expect.poll(() => written.length).toBe(2);
    await metrics.stop();

    expect(written.every((line) => line.endsWith('}\n'))).toBe(true);
    const lines = written.map((line) => JSON.parse(line) as EmfLine);
    expect(lines.map((line) => line._aws.CloudWatchMetrics[0]!.Namespace)).toEqual([DEFAULT_METRICS_NAMESPACE, DEFAULT_METRICS_NAMESPACE]);
    expect(lines.map(({ Pool, QueueWaiting, QueueActive }) => ({ Pool, QueueWaiting, QueueActive }))).toEqual([
      { Pool: 'cpu', QueueWaiting: 2, QueueActive: 0 },
      { Pool: 'gpu', QueueWaiting: 1, QueueActive: 0 },
    ]);
    expect(Math.abs(lines[0]!._aws.Timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('reports again every interval', async () => {
    const written: string[] = [];
    const metrics = startQueueDepthMetrics(queues, { write: (line) => written.push(line), intervalMs: 50, namespace: 'Fleet/Test' }, silentLog);
    await expect.poll(() => written.length).toBeGreaterThanOrEqual(6);
    await metrics.stop();
    const reported = written.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(written).toHaveLength(reported);
    expect(new Set(written.map((line) => (JSON.parse(line) as EmfLine)._aws.CloudWatchMetrics[0]!.Namespace))).toEqual(new Set(['Fleet/Test']));
  });
});
