import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { writeTinyCorpus } from './blazefleet-cli.js';
import { TestFleet, eventually, writeJobSpec } from './fleet-support.js';

// Jobs of GPU instance types: they wait for a gpu worker (saying so) rather than run on cpu workers, unless their spec
// allows the fallback; a gpu worker trains them on TensorFlow.js tensors (here its pure-JS CPU backend, as no GPU and
// no libtensorflow are installed), naming the backend in the job's log.

const dir = temporaryDirectory('blazefleet-gpu-');
let fleet: TestFleet;
const bucket = 'gpu-test';

/** What every job of this file is, unless it says otherwise. */
const SPEC_DEFAULTS = {
  algorithm: 'blazingtext',
  hyperParameters: { mode: 'skipgram', epochs: '2', vector_dim: '16', min_count: '2' },
  inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/corpus/` }],
  outputPath: `s3://${bucket}/output`,
  resourceConfig: { instanceType: 'ml.g4dn.xlarge', instanceCount: 1 },
  stoppingCondition: { maxRuntimeInSeconds: 600 },
};

const writeSpec = (name: string, spec: Record<string, unknown>): string => writeJobSpec(dir, name, SPEC_DEFAULTS, spec);

beforeAll(async () => {
  fleet = await TestFleet.start();
  await fleet.createBucket(bucket);
  const corpus = join(dir, 'corpus.txt');
  writeTinyCorpus(corpus, 2000);
  await fleet.put(bucket, 'corpus/part-1.txt', readFileSync(corpus));
  const labeled = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? `__label__sport the match ended with a goal ${i % 7}` : `__label__tech the new chip runs fast code ${i % 5}`));
  await fleet.put(bucket, 'labeled/train.txt', `${labeled.join('\n')}\n`);
  fleet.startWorker(join(dir, 'work-cpu'));
  await fleet.workers[0]!.waitForLog(/worker started/);
});

afterAll(() => fleet?.stop());

describe('the gpu pool', () => {
  it('keeps a GPU job waiting while no gpu worker runs, saying why, and a gpu worker then trains it on tensors', async () => {
    const submitted = fleet.cli(['submit', writeSpec('gpu-skipgram', {})]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const waiting = fleet.describeJob('gpu-skipgram');
    expect(waiting).toMatchObject({ status: 'InProgress', secondaryStatus: 'Pending', pool: 'gpu' });
    expect(waiting.secondaryStatusTransitions.at(-1).statusMessage).toBe(
      'Waiting for a gpu worker (ml.g4dn.xlarge): no gpu worker is running (start one with: blazefleet worker --pool gpu); set resourceConfig.allowCpuFallback to run such jobs on cpu workers',
    );
    // The cpu worker never takes it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fleet.describeJob('gpu-skipgram').secondaryStatus).toBe('Pending');

    // As on a host with two GPUs: one trial each, each with CUDA_VISIBLE_DEVICES set to its own.
    const gpuWorker = fleet.startWorker(join(dir, 'work-gpu'), { CUDA_VISIBLE_DEVICES: '0,1' }, 'gpu');
    await gpuWorker.waitForLog(/worker started/);
    const job = await eventually(() => fleet.describeJob('gpu-skipgram'), (j) => j.status !== 'InProgress', 300_000);
    expect(job.status, JSON.stringify(job.failureReason)).toBe('Completed');
    const logs = fleet.cli(['logs', 'gpu-skipgram']).stdout;
    expect(logs).toMatch(/TensorFlow\.js backend/i);
    expect(job.finalMetrics.map((m: { metricName: string }) => m.metricName)).toContain('train:mean_rho');
    expect(await fleet.keys(bucket, 'output/gpu-skipgram/output/model.tar.gz')).toHaveLength(1);

    const supervised = fleet.cli([
      'submit',
      writeSpec('gpu-supervised', { hyperParameters: { mode: 'supervised', epochs: '5' }, inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/labeled/` }] }),
      '--wait',
    ]);
    expect(supervised.code, supervised.stdout + supervised.stderr).toBe(0);
    const series = JSON.parse(fleet.cli(['metrics', 'gpu-supervised', '--json']).stdout) as { name: string }[];
    expect(series.map((m) => m.name)).toContain('train:loss');
    expect(await fleet.keys(bucket, 'output/gpu-supervised/output/model.tar.gz')).toHaveLength(1);
    const command = { command: ['/bin/sh', '-c', 'echo "device=$CUDA_VISIBLE_DEVICES"; sleep 2; echo ok > "$SM_MODEL_DIR/ok.txt"'], metricDefinitions: [] };
    const [first, second] = await Promise.all(
      ['gpu-command-a', 'gpu-command-b'].map((name) => fleet.cliAsync(['submit', writeSpec(name, { algorithm: command, hyperParameters: {} }), '--wait'])),
    );
    expect(first!.code, first!.stdout).toBe(0);
    expect(second!.code, second!.stdout).toBe(0);
    const devices = ['gpu-command-a', 'gpu-command-b'].map((name) => /device=(\S*)/.exec(fleet.cli(['logs', name]).stdout)?.[1]);
    expect(devices.sort()).toEqual(['0', '1']);
    await gpuWorker.kill('SIGTERM');
    await eventually(() => fleet.workerCount('gpu'), (count) => count === 0);
  }, 600_000);

  it('runs a GPU job on the cpu pool when no gpu worker runs and its spec allows the fallback', () => {
    const run = fleet.cli(['submit', writeSpec('gpu-fallback', { resourceConfig: { instanceType: 'ml.g4dn.xlarge', allowCpuFallback: true } }), '--wait']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const job = fleet.describeJob('gpu-fallback');
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'Completed', pool: 'cpu' });
    expect(job.secondaryStatusTransitions[0].statusMessage).toBe(
      'Waiting for a cpu worker (ml.g4dn.xlarge: no gpu worker ran when it was submitted, and resourceConfig.allowCpuFallback is true)',
    );
  });

  it('refuses batch_skipgram on a GPU instance type, as BlazingText', () => {
    const run = fleet.cli(['submit', writeSpec('gpu-batch', { hyperParameters: { mode: 'batch_skipgram' } })]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/hyperParameters\.mode: expected cbow, skipgram or supervised on a GPU instance type \(ml\.g4dn\.xlarge\)/);
  });
});
