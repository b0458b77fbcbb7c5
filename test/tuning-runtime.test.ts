import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './fleet-support.js';
import { TuningTestBed } from './tuning-support.js';

// A file of its own: the test waits out SageMaker's minimum maxRuntimeInSeconds, mostly idle, beside the others.
const bed = new TuningTestBed('blazefleet-tuning-runtime-', 'tuning-runtime-test');
const { writeTuningSpec, scoreCommandDefinition, describeTuning, analytics } = bed;
let scheduler: ChildProcess;

beforeAll(async () => {
  await bed.start();
  scheduler = bed.startScheduler();
});

afterAll(async () => {
  scheduler?.kill('SIGKILL');
  await bed.fleet?.stop();
});

describe('a tuning job out of time', () => {
  it('ends a tuning job at maxRuntimeInSeconds, stopping its running trials', async () => {
    const limitSeconds = 120; // SageMaker's and our minimum
    const spec = writeTuningSpec('out-of-time', {
      strategy: 'Random',
      objective: { type: 'Maximize', metricName: 'score' },
      parameterRanges: { continuousParameterRanges: [{ name: 'x', minValue: 0, maxValue: 1 }] },
      resourceLimits: { maxNumberOfTrainingJobs: 10, maxParallelTrainingJobs: 2, maxRuntimeInSeconds: limitSeconds },
      trainingJobDefinition: scoreCommandDefinition(600, 1),
    });
    expect(bed.fleet.cli(['tune', spec]).code).toBe(0);
    const done = await eventually(() => describeTuning('out-of-time'), (job) => job.status === 'Completed', 240_000);
    expect(done.completionReason).toBe('MaxRuntimeExceeded');
    expect(Date.parse(done.endTime) - Date.parse(done.creationTime)).toBeGreaterThanOrEqual(limitSeconds * 1000);
    const rows = analytics('out-of-time');
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => row.trainingJobStatus)).toEqual(['Stopped', 'Stopped']);
  }, 300_000);

});
