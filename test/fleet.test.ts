import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { writeTinyCorpus } from './blazefleet-cli.js';
import { TestFleet, eventually, writeJobSpec } from './fleet-support.js';

/** Entry names of a tar archive (ustar headers every 512 bytes, after each entry's data). */
function tarEntries(tar: Buffer): string[] {
  const names: string[] = [];
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = tar.subarray(at, at + 100).toString('utf8').replace(/\0.*$/s, '');
    if (name === '') break;
    names.push(name);
    const size = parseInt(tar.subarray(at + 124, at + 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

const dir = temporaryDirectory('blazefleet-fleet-');
let fleet: TestFleet;
const bucket = 'fleet-test';
const corpus = join(dir, 'corpus.txt');

/** What every job of this file is, unless it says otherwise. */
const SPEC_DEFAULTS = {
  algorithm: 'blazingtext',
  hyperParameters: { mode: 'skipgram', epochs: '2', vector_dim: '16', min_count: '2', evaluation: 'false' },
  inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/corpus/` }],
  outputPath: `s3://${bucket}/output`,
  resourceConfig: { instanceType: 'ml.c5.xlarge', instanceCount: 1 },
  stoppingCondition: { maxRuntimeInSeconds: 600 },
};

const writeSpec = (name: string, spec: Record<string, unknown>): string => writeJobSpec(dir, name, SPEC_DEFAULTS, spec);

beforeAll(async () => {
  fleet = await TestFleet.start();
  await fleet.createBucket(bucket);
  writeTinyCorpus(corpus, 3000);
  // Two objects in key order, one of them gzip: read as one corpus.
  const lines = readFileSync(corpus, 'utf8').split('\n');
  await fleet.put(bucket, 'corpus/part-1.txt', lines.slice(0, 1500).join('\n') + '\n');
  const { gzipSync } = await import('node:zlib');
  await fleet.put(bucket, 'corpus/part-2.txt.gz', gzipSync(lines.slice(1500).join('\n')));
  fleet.startWorker(join(dir, 'work-a'));
  fleet.startWorker(join(dir, 'work-b'));
  await Promise.all(fleet.workers.map((worker) => worker.waitForLog(/worker started/)));
});

afterAll(() => fleet?.stop());

describe('training jobs on the fleet', () => {
  it('runs a blazingtext job from S3 input to an S3 model.tar.gz, with statuses, metrics, logs and cost', async () => {
    const hyperParameters = { mode: 'skipgram', epochs: '2', vector_dim: '16', min_count: '2' };
    const run = fleet.cli(['submit', writeSpec('w2v-s3', { hyperParameters }), '--wait']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Submitted training job w2v-s3 \(ml\.c5\.xlarge, cpu pool\)/);
    for (const status of ['Pending', 'Starting', 'Downloading', 'Training', 'Uploading', 'Completed']) expect(run.stdout).toContain(` w2v-s3 ${status}: `);
    const job = fleet.describeJob('w2v-s3');
    expect(job).toMatchObject({ status: 'Completed', secondaryStatus: 'Completed', attempts: 1 });
    expect(job.modelArtifacts.s3ModelArtifacts).toBe(`s3://${bucket}/output/w2v-s3/output/model.tar.gz`);
    expect(job.billableSeconds, JSON.stringify(job)).toBeGreaterThan(0);
    expect(job.cost).toBeGreaterThan(0);
    expect(job.secondaryStatusTransitions.map((t: { status: string }) => t.status)).toEqual(['Pending', 'Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    const keys = await fleet.keys(bucket, 'output/w2v-s3/');
    expect(keys).toContain('output/w2v-s3/output/model.tar.gz');
    const entries = tarEntries(gunzipSync(await fleet.get(bucket, 'output/w2v-s3/output/model.tar.gz')));
    expect(entries).toEqual(expect.arrayContaining(['vectors.txt', 'vectors.bin', 'eval.json']));
    expect(job.finalMetrics.map((m: { metricName: string }) => m.metricName)).toContain('train:mean_rho');
    const metrics = fleet.cli(['metrics', 'w2v-s3', '--json']);
    expect(metrics.code, metrics.stderr).toBe(0);
    expect((JSON.parse(metrics.stdout) as unknown[]).length, metrics.stdout).toBeGreaterThan(0);
    const logs = fleet.cli(['logs', 'w2v-s3']);
    expect(logs.code).toBe(0);
    expect(logs.stdout.length).toBeGreaterThan(0);
    const list = fleet.cli(['jobs', 'list', '--status', 'Completed', '--json']);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((j) => j.name)).toContain('w2v-s3');
  });

  it('runs with file:// locations only', () => {
    const input = join(dir, 'file-input');
    mkdirSync(input, { recursive: true });
    writeFileSync(join(input, 'corpus.txt'), readFileSync(corpus));
    const output = join(dir, 'file-output');
    const run = fleet.cli([
      'submit',
      writeSpec('w2v-file', { inputDataConfig: [{ channelName: 'train', uri: `file://${input}` }], outputPath: `file://${output}` }),
      '--wait',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(existsSync(join(output, 'w2v-file', 'output', 'model.tar.gz'))).toBe(true);
    expect(fleet.describeJob('w2v-file').modelArtifacts.s3ModelArtifacts).toBe(`file://${join(output, 'w2v-file', 'output', 'model.tar.gz')}`);
  });

  it('runs a bring-your-own command, reading its metrics with regexes', () => {
    const script = "for i in 1 2 3; do echo \"epoch=$i loss=0.$((4 - i))\"; done; echo model > \"$SM_MODEL_DIR/model.txt\"";
    const run = fleet.cli([
      'submit',
      writeSpec('byo', {
        algorithm: { command: ['/bin/sh', '-c', script], metricDefinitions: [{ name: 'train:loss', regex: 'loss=([0-9.]+)' }] },
        hyperParameters: {},
      }),
      '--wait',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const job = fleet.describeJob('byo');
    expect(job.finalMetrics).toEqual([expect.objectContaining({ metricName: 'train:loss', value: 0.1 })]);
    const series = JSON.parse(fleet.cli(['metrics', 'byo', '--json']).stdout) as { name: string; value: number }[];
    expect(series.map((m) => m.value)).toEqual([0.3, 0.2, 0.1]);
  });

  it('refuses an invalid spec, naming the field, and a name already taken', () => {
    const bad = fleet.cli(['submit', writeSpec('bad-spec', { resourceConfig: { instanceType: 'ml.c5.2xlarg', instanceCount: 1 } })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('resourceConfig.instanceType');
    const again = fleet.cli(['submit', writeSpec('w2v-s3', {})]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("training job 'w2v-s3' already exists");
  });

  it('names what is wrong with a fleet command line', () => {
    const cases: [string[], string][] = [
      [['jobs', 'frobnicate'], 'jobs: expected list or describe, got "frobnicate"'],
      [['jobs', 'describe'], 'jobs describe needs a job name'],
      [['jobs', 'describe', 'no-such-job'], "training job 'no-such-job' does not exist"],
      [['jobs', 'list', '--status', 'Done'], '--status: expected one of InProgress, Completed, Failed, Stopping, Stopped, got "Done"'],
      [['logs'], 'logs needs a job name'],
      [['stop', 'a', 'b'], 'unexpected argument "b"'],
      [['submit'], 'submit needs the training job spec'],
      [['submit', join(dir, 'no-such-spec.json')], 'no such file (the training job spec)'],
      [['worker', '--pool', 'tpu'], '--pool: expected cpu or gpu, got "tpu"'],
      [['worker', '--pool', 'cpu', '--price-table', join(dir, 'no-prices.json')], 'cannot read the price table: no such file'],
    ];
    for (const [args, message] of cases) {
      const run = fleet.cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(message);
    }
  });

  it('fails a job whose input object is missing, without retrying it, naming the URI', () => {
    const run = fleet.cli(['submit', writeSpec('missing-input', {
      inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/no-such-prefix/` }],
      retryStrategy: { maximumRetryAttempts: 3 },
    }), '--wait']);
    expect(run.code).toBe(1);
    const job = fleet.describeJob('missing-input');
    expect(job).toMatchObject({ status: 'Failed', attempts: 1 });
    expect(job.failureReason).toContain(`s3://${bucket}/no-such-prefix/`);
  });

  it('stops a running job, and enforces the maximum runtime', async () => {
    const sleeper = { command: ['/bin/sh', '-c', 'echo started; sleep 60'], metricDefinitions: [] };
    const stopped = fleet.cliAsync(['submit', writeSpec('to-stop', { algorithm: sleeper, hyperParameters: {} }), '--wait']);
    await eventually(() => fleet.jobIfSubmitted('to-stop'), (job) => job?.secondaryStatus === 'Training');
    expect(fleet.cli(['stop', 'to-stop']).code).toBe(0);
    const run = await stopped;
    expect(run.code).toBe(1);
    expect(fleet.describeJob('to-stop')).toMatchObject({ status: 'Stopped', stopReason: 'StopRequested' });

    const timed = fleet.cli(['submit', writeSpec('too-long', { algorithm: sleeper, hyperParameters: {}, stoppingCondition: { maxRuntimeInSeconds: 2 } }), '--wait']);
    expect(timed.code).toBe(1);
    expect(fleet.describeJob('too-long')).toMatchObject({ status: 'Stopped', secondaryStatus: 'MaxRuntimeExceeded', stopReason: 'MaxRuntimeExceeded' });
  });
});

describe('fleet failures', () => {
  it('finishes a job exactly once when its worker is killed mid-trial', async () => {
    const slow = { command: ['/bin/sh', '-c', 'echo "step=1"; sleep 4; echo "step=2"; echo done > "$SM_MODEL_DIR/model.txt"'], metricDefinitions: [{ name: 'step', regex: 'step=([0-9]+)' }] };
    const waiting = fleet.cliAsync(['submit', writeSpec('killed-worker', { algorithm: slow, hyperParameters: {} }), '--wait']);
    const running = await eventually(() => fleet.jobIfSubmitted('killed-worker'), (job) => job?.secondaryStatus === 'Training');
    const victim = fleet.workers.find((w) => w.child.exitCode === null && running!.worker !== undefined && w.output.includes(running!.worker as string));
    expect(victim).toBeDefined();
    await victim!.kill('SIGKILL');
    const replacement = fleet.startWorker(join(dir, 'work-c'));
    await replacement.waitForLog(/worker started/);
    const run = await waiting;
    expect(run.code, run.stdout).toBe(0);
    const job = fleet.describeJob('killed-worker');
    expect(job).toMatchObject({ status: 'Completed', attempts: 2 });
    expect(job.secondaryStatusTransitions.filter((t: { status: string }) => t.status === 'Completed')).toHaveLength(1);
    expect(await fleet.keys(bucket, 'output/killed-worker/output/model.tar.gz')).toEqual(['output/killed-worker/output/model.tar.gz']);
  });

  it('hands the job of a worker stopped with SIGTERM back to the queue, and another worker finishes it', async () => {
    const slow = { command: ['/bin/sh', '-c', 'echo working; sleep 3; echo done > "$SM_MODEL_DIR/model.txt"'], metricDefinitions: [] };
    const waiting = fleet.cliAsync(['submit', writeSpec('sigterm-worker', { algorithm: slow, hyperParameters: {} }), '--wait']);
    const running = await eventually(() => fleet.jobIfSubmitted('sigterm-worker'), (job) => job?.secondaryStatus === 'Training');
    const holder = fleet.workers.find((w) => w.child.exitCode === null && w.output.includes(running!.worker as string));
    expect(holder).toBeDefined();
    expect(await holder!.kill('SIGTERM'), holder!.output.slice(-4000)).toBe(0);
    const run = await waiting;
    expect(run.code, run.stdout).toBe(0);
    const job = fleet.describeJob('sigterm-worker');
    expect(job).toMatchObject({ status: 'Completed', attempts: 2 });
    expect(job.secondaryStatusTransitions.map((t: { status: string }) => t.status)).toContain('Interrupted');
  });

  it('retries an attempt whose trial was killed from outside (as by the OOM killer), up to the retry budget', () => {
    const run = fleet.cli(['submit', writeSpec('oom-killed', {
      algorithm: { command: ['/bin/sh', '-c', 'echo allocating; kill -KILL $$'], metricDefinitions: [] },
      hyperParameters: {},
      retryStrategy: { maximumRetryAttempts: 2 },
    }), '--wait']);
    expect(run.code).toBe(1);
    const job = fleet.describeJob('oom-killed');
    expect(job).toMatchObject({ status: 'Failed', attempts: 2 });
    expect(job.failureReason).toMatch(/SIGKILL/);
    expect(job.secondaryStatusTransitions.map((t: { status: string }) => t.status)).toContain('Restarting');
  });
});

describe('S3 errors', () => {
  let downFleet: TestFleet;
  beforeAll(async () => {
    downFleet = await TestFleet.start();
    // The only worker of this fleet reaches S3 at a port where nothing listens: every transfer fails, retryably.
    downFleet.startWorker(join(dir, 'work-down'), { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' });
    await downFleet.workers[0]!.waitForLog(/worker started/);
  });
  afterAll(() => downFleet?.stop());

  it('retries attempts that failed on S3 errors, up to the retry budget, and names the error', () => {
    const spec = writeSpec('s3-down', { retryStrategy: { maximumRetryAttempts: 2 } });
    const run = downFleet.cli(['submit', spec, '--wait']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const job = JSON.parse(downFleet.cli(['jobs', 'describe', 's3-down', '--json']).stdout) as Record<string, any>;
    expect(job).toMatchObject({ status: 'Failed', attempts: 2 });
    expect(job.failureReason).toMatch(/127\.0\.0\.1:9|ECONNREFUSED|connect/i);
  });
});
