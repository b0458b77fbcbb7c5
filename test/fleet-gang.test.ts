import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { writeTinyCorpus } from './blazefleet-cli.js';
import { TestFleet, eventually, writeJobSpec } from './fleet-support.js';

// Jobs on several instances over the fleet, its workers on this machine's loopback: gang start, what each host
// sees, per-host logs and metrics, sharded channels, and waiting for workers that do not exist.

const dir = temporaryDirectory('blazefleet-gang-');
let fleet: TestFleet;
const bucket = 'gang-test';
const GANG_TIMEOUT_SECONDS = 6;

/** What every job of this file is, unless it says otherwise. */
const SPEC_DEFAULTS = {
  algorithm: 'blazingtext',
  hyperParameters: { mode: 'batch_skipgram', epochs: '2', vector_dim: '16', min_count: '2', evaluation: 'false' },
  inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/corpus/` }],
  outputPath: `s3://${bucket}/output`,
  resourceConfig: { instanceType: 'ml.c5.xlarge', instanceCount: 2 },
  stoppingCondition: { maxRuntimeInSeconds: 600 },
  retryStrategy: { maximumRetryAttempts: 1 },
};

const writeSpec = (name: string, spec: Record<string, unknown>): string => writeJobSpec(dir, name, SPEC_DEFAULTS, spec);

beforeAll(async () => {
  fleet = await TestFleet.start();
  await fleet.createBucket(bucket);
  const corpus = join(dir, 'corpus.txt');
  writeTinyCorpus(corpus, 3000);
  const lines = readFileSync(corpus, 'utf8').split('\n');
  await fleet.put(bucket, 'corpus/part-1.txt', `${lines.slice(0, 1000).join('\n')}\n`);
  await fleet.put(bucket, 'corpus/part-2.txt', `${lines.slice(1000).join('\n')}\n`);
  const env = { BLAZEFLEET_GANG_TIMEOUT_SECONDS: String(GANG_TIMEOUT_SECONDS) };
  fleet.startWorker(join(dir, 'work-a'), env);
  fleet.startWorker(join(dir, 'work-b'), env);
  await Promise.all(fleet.workers.map((worker) => worker.waitForLog(/worker started/)));
});

afterAll(() => fleet?.stop());

describe('jobs on several instances', () => {
  it('starts batch_skipgram on 2 workers at once; the first host writes the model, each host keeps its log and metrics', async () => {
    const hyperParameters = { mode: 'batch_skipgram', epochs: '2', vector_dim: '16', min_count: '2' };
    const run = fleet.cli(['submit', writeSpec('two-hosts', { hyperParameters }), '--wait']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const job = fleet.describeJob('two-hosts');
    expect(job).toMatchObject({ status: 'Completed', attempts: 1 });
    expect(job.hosts.map((h: { host: string }) => h.host)).toEqual(['algo-1', 'algo-2']);
    expect(new Set(job.hosts.map((h: { worker: string }) => h.worker)).size).toBe(2);
    const keys = await fleet.keys(bucket, 'output/two-hosts/');
    expect(keys).toEqual(
      expect.arrayContaining([
        'output/two-hosts/output/model.tar.gz',
        'output/two-hosts/output/train.log',
        'output/two-hosts/output/algo-2/train.log',
        'output/two-hosts/output/algo-2/metrics.json',
      ]),
    );
    expect(keys.filter((key) => key.endsWith('model.tar.gz'))).toEqual(['output/two-hosts/output/model.tar.gz']);
    const logs = fleet.cli(['logs', 'two-hosts']).stdout;
    expect(logs).toMatch(/Running distributed CPU BlazingText-style training using batch_skipgram on 2 hosts/);
    expect(logs).toMatch(/^\[algo-2\] .*rank 1 of 2/m);
    const hostLog = (await fleet.get(bucket, 'output/two-hosts/output/algo-2/train.log')).toString();
    expect(hostLog).toMatch(/rank 1 of 2/);
    const metrics = JSON.parse(fleet.cli(['metrics', 'two-hosts', '--json']).stdout) as { name: string; host?: string }[];
    expect(metrics.some((m) => m.host === 'algo-2')).toBe(true);
    expect(metrics.some((m) => m.host === undefined)).toBe(true);
  });

  it("gives each host of a command its SageMaker resourceconfig.json and the others' addresses", () => {
    const script =
      'cat "$SM_INPUT_CONFIG_DIR/resourceconfig.json"; echo; echo "current=$SM_CURRENT_HOST hosts=$SM_HOSTS addresses=$BLAZEFLEET_HOST_ADDRESSES"; echo ok > "$SM_MODEL_DIR/ok.txt"';
    const run = fleet.cli(['submit', writeSpec('two-commands', { algorithm: { command: ['/bin/sh', '-c', script], metricDefinitions: [] }, hyperParameters: {} }), '--wait']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const logs = fleet.cli(['logs', 'two-commands']).stdout.split('\n');
    const config = (prefix: string) => JSON.parse(logs.find((line) => line.startsWith(`${prefix}{`))!.slice(prefix.length)) as Record<string, any>;
    const first = config('');
    const second = config('[algo-2] ');
    expect(first).toMatchObject({ current_host: 'algo-1', hosts: ['algo-1', 'algo-2'] });
    expect(second).toMatchObject({ current_host: 'algo-2', hosts: ['algo-1', 'algo-2'] });
    expect(second.host_addresses).toEqual(first.host_addresses);
    expect(Object.values(first.host_addresses as Record<string, string>).every((a) => /^[\d.]+:\d+$/.test(a))).toBe(true);
    expect(logs.some((line) => line.startsWith('[algo-2] current=algo-2 hosts=["algo-1","algo-2"]'))).toBe(true);
  });

  it('gives each host its own objects of a ShardedByS3Key channel, and trains one model from both shards', async () => {
    const script = 'ls "$SM_CHANNEL_TRAIN"';
    const listing = fleet.cli([
      'submit',
      writeSpec('sharded-listing', {
        algorithm: { command: ['/bin/sh', '-c', script], metricDefinitions: [] },
        hyperParameters: {},
        inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/corpus/`, s3DataDistributionType: 'ShardedByS3Key' }],
      }),
      '--wait',
    ]);
    expect(listing.code, listing.stdout + listing.stderr).toBe(0);
    const logs = fleet.cli(['logs', 'sharded-listing']).stdout.split('\n');
    expect(logs.filter((line) => /part-\d\.txt$/.test(line)).sort()).toEqual(['[algo-2] part-2.txt', 'part-1.txt']);

    const run = fleet.cli([
      'submit',
      writeSpec('sharded-w2v', { inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/corpus/`, s3DataDistributionType: 'ShardedByS3Key' }] }),
      '--wait',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(fleet.describeJob('sharded-w2v').status).toBe('Completed');
    expect(await fleet.keys(bucket, 'output/sharded-w2v/output/model.tar.gz')).toHaveLength(1);
  });

  it('fails a sharded channel with fewer objects than instances, naming the channel', () => {
    const run = fleet.cli([
      'submit',
      writeSpec('too-few-objects', {
        inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/corpus/part-1.txt`, s3DataDistributionType: 'ShardedByS3Key' }],
      }),
      '--wait',
    ]);
    expect(run.code).toBe(1);
    expect(fleet.describeJob('too-few-objects').failureReason).toMatch(/^ClientError: inputDataConfig channel train is ShardedByS3Key over 2 instances but .* holds 1 object: expected at least one per instance/);
  });

  it('waits for workers it lacks, saying so, and fails with CapacityError after the gang timeout; the workers are free again', async () => {
    const waiting = fleet.cliAsync(['submit', writeSpec('three-hosts', { resourceConfig: { instanceType: 'ml.c5.xlarge', instanceCount: 3 } }), '--wait']);
    const job = await eventually(
      () => fleet.jobIfSubmitted('three-hosts'),
      (j) => j?.secondaryStatusTransitions.some((t: { statusMessage: string }) => /Waiting for 1 more cpu worker: 2 of 3 hosts ready, 2 workers in the cpu pool/.test(t.statusMessage)) === true,
    );
    expect(job!.status).toBe('InProgress');
    const run = await waiting;
    expect(run.code).toBe(1);
    const failed = fleet.describeJob('three-hosts');
    expect(failed.failureReason).toBe(
      `CapacityError: 2 of 3 cpu workers joined within ${GANG_TIMEOUT_SECONDS} s (2 workers in the cpu pool); resourceConfig.instanceCount 3 needs 3 free cpu workers at once`,
    );
    expect(failed.attempts).toBe(1);
    const after = fleet.cli(['submit', writeSpec('after-capacity-error', {}), '--wait']);
    expect(after.code, after.stdout + after.stderr).toBe(0);
  });

  it('refuses several instances for a mode that trains on one, naming the field', () => {
    const run = fleet.cli(['submit', writeSpec('skipgram-two', { hyperParameters: { mode: 'skipgram' } })]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/resourceConfig\.instanceCount: expected 1 \(blazingtext trains only mode batch_skipgram on several instances\), got 2/);
  });
});
