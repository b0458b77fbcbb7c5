import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { cost, parseTrainingJobSpec, type TrainingJobSpec } from '@blazefleet/core';
import { TrialOptionsError, runTrial, type TrialOptions } from './index.js';
import { archiveFiles } from './testing/archive-files.js';
import { isProcessAlive } from './testing/process-state.js';
import { TrialRecorder } from './testing/trial-recorder.js';
import { trialTestbed } from './testing/trial-testbed.js';

const testbed = trialTestbed('worker-runtime-command');
const { directory, workRoot, bucket, stores } = testbed;
const outputRoot = join(directory, 'output');
const trainDir = join(directory, 'input', 'train');

beforeAll(() => {
  mkdirSync(trainDir, { recursive: true });
  writeFileSync(join(trainDir, 'rows.csv'), 'a,b\n1,2\n');
});

/** A job that runs `script` with Node.js, reading a one-file `training` channel and writing to the local output root. */
function nodeJob(name: string, script: string, fields: Record<string, unknown> = {}): TrainingJobSpec {
  return parseTrainingJobSpec({
    name,
    algorithm: { command: [process.execPath, '-e', script], metricDefinitions: [] },
    inputDataConfig: [{ channelName: 'training', uri: `file://${trainDir}` }],
    outputPath: `file://${outputRoot}`,
    resourceConfig: { instanceType: 'ml.m5.large' },
    ...fields,
  });
}

function trial(spec: TrainingJobSpec, events: TrialRecorder, extra: Partial<TrialOptions> = {}): Promise<Awaited<ReturnType<typeof runTrial>>> {
  return runTrial({ spec, attempt: 1, workRoot, events, artifactStores: stores, ...extra });
}

const outputOf = (name: string, file: string) => join(outputRoot, name, 'output', file);

describe('runTrial with a command', () => {
  it('gives the command SageMaker\'s layout and environment, scrapes its metrics and archives its model directory', async () => {
    const script = `
      const fs = require('fs'), path = require('path'), env = process.env;
      const config = (file) => JSON.parse(fs.readFileSync(path.join(env.SM_INPUT_CONFIG_DIR, file), 'utf8'));
      fs.mkdirSync(path.join(env.SM_MODEL_DIR, 'sub'));
      fs.writeFileSync(path.join(env.SM_MODEL_DIR, 'weights.txt'), 'w=1\\n');
      fs.writeFileSync(path.join(env.SM_MODEL_DIR, 'sub', 'extra.txt'), 'x');
      fs.writeFileSync(path.join(env.SM_OUTPUT_DATA_DIR, 'report.txt'), 'done');
      console.log('seen ' + JSON.stringify({
        cwd: process.cwd(), model: env.SM_MODEL_DIR, channel: env.SM_CHANNEL_TRAINING, files: fs.readdirSync(env.SM_CHANNEL_TRAINING),
        channels: env.SM_CHANNELS, hps: env.SM_HPS, lr: env.SM_HP_LEARNING_RATE, host: env.SM_CURRENT_HOST, hosts: env.SM_HOSTS,
        cpus: env.SM_NUM_CPUS, custom: env.MY_SETTING, workerSecret: env.WORKER_RUNTIME_TEST_SECRET ?? null, checkpoints: env.SM_CHECKPOINT_DIR ?? null,
        hyperparameters: config('hyperparameters.json'), inputs: config('inputdataconfig.json'), resources: config('resourceconfig.json'),
      }));
      for (let epoch = 1; epoch <= 3; epoch++) console.log('epoch=' + epoch + ' loss=' + (1 / epoch).toFixed(3));
      console.error('val_acc=0.75 (on stderr)');
      console.log('loss=not-a-number');
    `;
    const spec = nodeJob('command-layout', script, {
      algorithm: {
        command: [process.execPath, '-e', script],
        metricDefinitions: [
          { name: 'train:loss', regex: 'loss=([^ ]+)' },
          { name: 'validation:accuracy', regex: 'val_acc=([0-9.]+)' },
        ],
      },
      hyperParameters: { learning_rate: '0.1', layers: '2' },
      inputDataConfig: [{ channelName: 'training', uri: `file://${trainDir}`, contentType: 'text/csv' }],
      environment: { MY_SETTING: 'on' },
    });
    const events = new TrialRecorder();
    process.env.WORKER_RUNTIME_TEST_SECRET = 'worker-only';
    const result = await trial(spec, events).finally(() => delete process.env.WORKER_RUNTIME_TEST_SECRET);

    expect(result).toMatchObject({ status: 'Completed', retryable: false, modelArtifacts: `file://${outputRoot}/command-layout/output/model.tar.gz` });
    expect(events.statusNames).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    const seen = JSON.parse((await events.waitForLine(/^seen (.*)$/))[1]!);
    expect(seen.cwd).toBe(join(seen.model, '..'));
    expect(seen.cwd.startsWith(join(workRoot, 'command-layout-1-'))).toBe(true);
    expect(seen).toMatchObject({
      channel: join(seen.cwd, 'input', 'data', 'training'),
      files: ['rows.csv'],
      channels: '["training"]',
      hps: JSON.stringify({ learning_rate: '0.1', layers: '2' }),
      lr: '0.1',
      host: 'algo-1',
      hosts: '["algo-1"]',
      custom: 'on',
      workerSecret: null,
      checkpoints: null,
      hyperparameters: { learning_rate: '0.1', layers: '2' },
      inputs: { training: { ContentType: 'text/csv', TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None', CompressionType: 'None' } },
      resources: { current_host: 'algo-1', hosts: ['algo-1'], network_interface_name: 'eth0' },
    });
    expect(Number(seen.cpus)).toBeGreaterThan(0);

    expect(events.metrics.map(({ name, value }) => [name, value])).toEqual([
      ['train:loss', 1],
      ['train:loss', 0.5],
      ['train:loss', 0.333],
      ['validation:accuracy', 0.75],
    ]);
    expect(result.finalMetrics.map(({ name, value }) => [name, value])).toEqual([
      ['train:loss', 0.333],
      ['validation:accuracy', 0.75],
    ]);

    const model = await archiveFiles(outputOf('command-layout', 'model.tar.gz'));
    expect([...model.keys()]).toEqual(['sub/extra.txt', 'weights.txt']);
    expect(model.get('weights.txt')!.toString()).toBe('w=1\n');
    const outputData = await archiveFiles(outputOf('command-layout', 'output.tar.gz'));
    expect(outputData.get('report.txt')!.toString()).toBe('done');
    const metricsJson = JSON.parse(readFileSync(outputOf('command-layout', 'metrics.json'), 'utf8'));
    expect(metricsJson.metrics).toEqual(events.metrics);
    expect(metricsJson.finalMetrics).toEqual(result.finalMetrics);
    expect(readFileSync(outputOf('command-layout', 'train.log'), 'utf8')).toBe(`${events.lines.join('\n')}\n`);
    expect(events.lines).toContain('val_acc=0.75 (on stderr)');

    const start = Date.parse(result.secondaryStatusTransitions[1]!.startTime);
    const end = Date.parse(result.secondaryStatusTransitions[4]!.startTime);
    expect(result.billableSeconds).toBe(Math.ceil((end - start) / 1000));
    expect(result.cost).toBe(cost('ml.m5.large', result.billableSeconds, 1));
    for (const [index, transition] of result.secondaryStatusTransitions.entries()) {
      expect(transition.endTime).toBe(result.secondaryStatusTransitions[index + 1]?.startTime);
    }
  });

  it('rejects options it cannot work with, naming the field', async () => {
    const spec = nodeJob('command-options', `console.log('ran')`);
    await expect(trial(spec, new TrialRecorder(), { attempt: 0 })).rejects.toThrow(new TrialOptionsError('attempt', 'an integer >= 1', 0));
    await expect(trial(spec, new TrialRecorder(), { instanceType: 'ml.c5.huge' })).rejects.toThrow(/trial option 'instanceType'.*ml\.c5\.huge/);
    await expect(trial(spec, new TrialRecorder(), { checkpointSyncSeconds: 0 })).rejects.toThrow(TrialOptionsError);
  });

  it('runs one host of a job on several instances: its resourceconfig, its share of a sharded channel, its outputs under algo-N', async () => {
    const shards = join(directory, 'input', 'shards');
    mkdirSync(shards, { recursive: true });
    for (const part of ['a', 'b', 'c', 'd', 'e']) writeFileSync(join(shards, `part-${part}.txt`), part);
    const script = `
      const fs = require('fs'), path = require('path'), env = process.env;
      const resources = JSON.parse(fs.readFileSync(path.join(env.SM_INPUT_CONFIG_DIR, 'resourceconfig.json'), 'utf8'));
      console.log('seen ' + JSON.stringify({ resources, host: env.SM_CURRENT_HOST, hosts: env.SM_HOSTS, addresses: env.BLAZEFLEET_HOST_ADDRESSES,
        shard: fs.readdirSync(env.SM_CHANNEL_SHARDS).sort(), all: fs.readdirSync(env.SM_CHANNEL_ALL).sort() }));
      fs.writeFileSync(path.join(env.SM_MODEL_DIR, 'm.txt'), 'not uploaded by rank 1');
    `;
    const spec = nodeJob('command-rank-1', script, {
      inputDataConfig: [
        { channelName: 'shards', uri: `file://${shards}`, s3DataDistributionType: 'ShardedByS3Key' },
        { channelName: 'all', uri: `file://${shards}` },
      ],
      resourceConfig: { instanceType: 'ml.m5.large', instanceCount: 3 },
    });
    const events = new TrialRecorder();
    const addresses = ['10.0.0.1:7000', '10.0.0.2:7001', '10.0.0.3:7002'];
    const result = await trial(spec, events, { host: { rank: 1, addresses } });
    expect(result.status).toBe('Completed');
    expect(result.modelArtifacts).toBeUndefined();
    const seen = JSON.parse((await events.waitForLine(/^seen (.*)$/))[1]!);
    expect(seen).toEqual({
      resources: {
        current_host: 'algo-2',
        current_instance_type: 'ml.m5.large',
        hosts: ['algo-1', 'algo-2', 'algo-3'],
        network_interface_name: 'eth0',
        host_addresses: { 'algo-1': addresses[0], 'algo-2': addresses[1], 'algo-3': addresses[2] },
      },
      host: 'algo-2',
      hosts: '["algo-1","algo-2","algo-3"]',
      addresses: JSON.stringify({ 'algo-1': addresses[0], 'algo-2': addresses[1], 'algo-3': addresses[2] }),
      shard: ['part-b.txt', 'part-e.txt'],
      all: ['part-a.txt', 'part-b.txt', 'part-c.txt', 'part-d.txt', 'part-e.txt'],
    });
    expect(readdirSync(join(outputRoot, 'command-rank-1', 'output'))).toEqual(['algo-2']);
    expect(readdirSync(join(outputRoot, 'command-rank-1', 'output', 'algo-2')).sort()).toEqual(['metrics.json', 'train.log']);
    await expect(trial(spec, new TrialRecorder(), { host: { rank: 3, addresses } })).rejects.toThrow(/trial option 'host.rank'/);
    await expect(trial(spec, new TrialRecorder(), { host: { rank: 0, addresses: addresses.slice(1) } })).rejects.toThrow(/trial option 'host.addresses'/);
  });

  it('leaves exactly one model.tar.gz when an attempt is retried', async () => {
    const script = `require('fs').writeFileSync(require('path').join(process.env.SM_MODEL_DIR, 'm.txt'), process.env.ATTEMPT_MARK)`;
    for (const attempt of [1, 2]) {
      const spec = nodeJob('command-retried', script, { environment: { ATTEMPT_MARK: `attempt ${attempt}` } });
      expect((await trial(spec, new TrialRecorder(), { attempt })).status).toBe('Completed');
    }
    expect(readdirSync(join(outputRoot, 'command-retried', 'output')).sort()).toEqual(['metrics.json', 'model.tar.gz', 'train.log']);
    expect((await archiveFiles(outputOf('command-retried', 'model.tar.gz'))).get('m.txt')!.toString()).toBe('attempt 2');
  });

  it('bills the instance type the worker runs as, at the prices given', async () => {
    const spec = nodeJob('command-priced', `console.log('hi')`);
    const priceTable = { 'ml.c5.xlarge': 36 };
    const result = await trial(spec, new TrialRecorder(), { instanceType: 'ml.c5.xlarge', priceTable });
    expect(result.billableSeconds).toBeGreaterThan(0);
    expect(result.cost).toBe(cost('ml.c5.xlarge', result.billableSeconds, 1, priceTable));
    // A completed command that wrote no model still has one, empty, as in SageMaker.
    expect(result.modelArtifacts).toBe(`file://${outputRoot}/command-priced/output/model.tar.gz`);
    expect((await archiveFiles(outputOf('command-priced', 'model.tar.gz'))).size).toBe(0);
  });

  it('fails with AlgorithmError naming the exit code and the last line of output/failure', async () => {
    const script = `
      console.error('reading rows');
      require('fs').writeFileSync(require('path').join(process.env.SM_OUTPUT_DIR, 'failure'), 'Traceback (most recent call last):\\nValueError: column 3 is empty\\n');
      process.exit(3);
    `;
    const result = await trial(nodeJob('command-failure-file', script), new TrialRecorder());
    expect(result).toMatchObject({ status: 'Failed', retryable: false, failureReason: 'AlgorithmError: exit code 3: ValueError: column 3 is empty' });
    expect(result.secondaryStatusTransitions.map(({ status }) => status)).toEqual(['Starting', 'Downloading', 'Training', 'Failed']);
    expect(result.modelArtifacts).toBeUndefined();
    // The log of a failed attempt is kept for whoever looks into it.
    expect(readFileSync(outputOf('command-failure-file', 'train.log'), 'utf8')).toBe('reading rows\n');
  });

  it('fails with AlgorithmError naming the last stderr line when there is no output/failure', async () => {
    const script = `console.error('first problem'); console.error('  out of patience  '); console.log('stdout is not the reason'); process.exit(1)`;
    const result = await trial(nodeJob('command-stderr', script), new TrialRecorder());
    expect(result).toMatchObject({ status: 'Failed', retryable: false, failureReason: 'AlgorithmError: exit code 1: out of patience' });
  });

  it('fails with AlgorithmError when the command cannot be started', async () => {
    const spec = nodeJob('command-missing', '', { algorithm: { command: [join(directory, 'no-such-program')], metricDefinitions: [] } });
    const result = await trial(spec, new TrialRecorder());
    expect(result.status).toBe('Failed');
    expect(result.retryable).toBe(false);
    expect(result.failureReason).toMatch(/^AlgorithmError: cannot start the training command: .*ENOENT/);
  });

  it('delivers the log in order, in batches of at most 500 lines', async () => {
    const events = new TrialRecorder();
    const result = await trial(nodeJob('command-chatty', `for (let i = 0; i < 1200; i++) console.log('line ' + i)`), events);
    expect(result.status).toBe('Completed');
    expect(events.lines).toEqual(Array.from({ length: 1200 }, (_, i) => `line ${i}`));
    expect(Math.max(...events.batches)).toBeLessThanOrEqual(500);
  });

  it('fails retryably when a shell reports its child killed by SIGKILL (exit code 137)', async () => {
    const spec = nodeJob('command-137', '', { algorithm: { command: 'echo "Killed" >&2; exit 137', metricDefinitions: [] } });
    const result = await trial(spec, new TrialRecorder());
    expect(result).toMatchObject({ status: 'Failed', retryable: true });
    expect(result.failureReason).toMatch(/^TrialKilled: exit code 137 .*: Killed$/);
  });

  it('fails retryably when the training process is killed by a signal it did not get from the worker', async () => {
    const events = new TrialRecorder();
    const running = trial(nodeJob('command-oom', `console.log('pid=' + process.pid); setInterval(() => {}, 1000)`), events);
    const pid = Number((await events.waitForLine(/^pid=(\d+)$/))[1]);
    process.kill(pid, 'SIGKILL');
    const result = await running;
    expect(result).toMatchObject({ status: 'Failed', retryable: true });
    expect(result.failureReason).toMatch(/^TrialKilled: the training process was killed by SIGKILL/);
    expect(result.stopReason).toBeUndefined();
  });

  it('stops on request: SIGTERM, which the command honours by saving its model, then uploads that model', async () => {
    const script = `
      process.on('SIGTERM', () => {
        require('fs').writeFileSync(require('path').join(process.env.SM_MODEL_DIR, 'partial.txt'), 'saved');
        console.log('saved on SIGTERM');
        process.exit(0);
      });
      console.log('ready');
      setInterval(() => {}, 1000);
    `;
    const events = new TrialRecorder();
    const stop = new AbortController();
    const running = trial(nodeJob('command-stop', script, { stopGracePeriodSeconds: 600 }), events, { stop: stop.signal });
    await events.waitForLine(/^ready$/);
    stop.abort('StopRequested');
    const result = await running;
    expect(result).toMatchObject({ status: 'Stopped', stopReason: 'StopRequested', retryable: false, modelArtifacts: `file://${outputRoot}/command-stop/output/model.tar.gz` });
    expect(result.failureReason).toBeUndefined();
    expect(events.statusNames).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Stopped']);
    expect(events.lines).toContain('saved on SIGTERM');
    expect((await archiveFiles(outputOf('command-stop', 'model.tar.gz'))).get('partial.txt')!.toString()).toBe('saved');
  });

  it('kills a command that ignores SIGTERM once the grace period is over', async () => {
    const script = `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('pid=' + process.pid); setInterval(() => {}, 1000)`;
    const events = new TrialRecorder();
    const stop = new AbortController();
    const running = trial(nodeJob('command-stubborn', script, { stopGracePeriodSeconds: 1 }), events, { stop: stop.signal });
    const pid = Number((await events.waitForLine(/^pid=(\d+)$/))[1]);
    stop.abort('StopRequested');
    const result = await running;
    expect(result).toMatchObject({ status: 'Stopped', stopReason: 'StopRequested', retryable: false });
    expect(events.lines).toContain('ignoring SIGTERM');
    expect(isProcessAlive(pid)).toBe(false);
    // It wrote no model: a stopped job without one uploads none.
    expect(result.modelArtifacts).toBeUndefined();
    expect(readdirSync(join(outputRoot, 'command-stubborn', 'output')).sort()).toEqual(['metrics.json', 'train.log']);
  });

  it('stops a trial that runs past its maximum runtime', async () => {
    const spec = nodeJob('command-slow', `setInterval(() => {}, 1000)`, { stoppingCondition: { maxRuntimeInSeconds: 1 }, stopGracePeriodSeconds: 0 });
    const result = await trial(spec, new TrialRecorder());
    expect(result).toMatchObject({ status: 'Stopped', stopReason: 'MaxRuntimeExceeded', retryable: false });
    const statuses = result.secondaryStatusTransitions.map(({ status }) => status);
    expect(statuses).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'MaxRuntimeExceeded']);
    expect(result.secondaryStatusTransitions[4]!.message).toContain('maximum runtime of 1 s');
  });

  it('stops retryably, as Interrupted, when the worker shuts down, keeping the checkpoints but no model', async () => {
    const checkpointUri = `s3://${bucket}/checkpoints/interrupted`;
    const script = `
      const fs = require('fs'), path = require('path');
      fs.writeFileSync(path.join(process.env.SM_CHECKPOINT_DIR, 'step-7.ckpt'), 'step 7');
      fs.writeFileSync(path.join(process.env.SM_MODEL_DIR, 'half.txt'), 'half');
      console.log('ready');
      setInterval(() => {}, 1000);
    `;
    const spec = nodeJob('command-interrupted', script, { checkpointConfig: { uri: checkpointUri } });
    const events = new TrialRecorder();
    const stop = new AbortController();
    const running = trial(spec, events, { stop: stop.signal });
    await events.waitForLine(/^ready$/);
    stop.abort('WorkerShutdown');
    const result = await running;
    expect(result).toMatchObject({ status: 'Stopped', stopReason: 'WorkerShutdown', retryable: true });
    expect(result.modelArtifacts).toBeUndefined();
    expect(events.statusNames.at(-1)).toBe('Interrupted');
    expect((await stores(checkpointUri).getObject(`${checkpointUri}/step-7.ckpt`)).toString()).toBe('step 7');
  });

  it('ends as Stopped without running anything when stopped before it started', async () => {
    const stop = new AbortController();
    stop.abort('StopRequested');
    const result = await trial(nodeJob('command-never', `console.log('ran')`), new TrialRecorder(), { stop: stop.signal });
    expect(result).toMatchObject({ status: 'Stopped', stopReason: 'StopRequested', billableSeconds: 0, cost: 0 });
    expect(result.secondaryStatusTransitions.map(({ status }) => status)).toEqual(['Starting', 'Stopped']);
  });

  it('downloads the checkpoints before training and uploads new ones while it trains and at the end', async () => {
    const checkpointUri = `s3://${bucket}/checkpoints/resumed`;
    await testbed.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'checkpoints/resumed/step-1.ckpt', Body: 'step 1' }));
    const script = `
      const fs = require('fs'), path = require('path'), dir = process.env.SM_CHECKPOINT_DIR;
      console.log('resumed from ' + fs.readFileSync(path.join(dir, 'step-1.ckpt'), 'utf8'));
      fs.writeFileSync(path.join(dir, 'step-2.ckpt'), 'step 2');
      console.log('wrote step 2');
      process.on('SIGTERM', () => {
        fs.mkdirSync(path.join(dir, 'final'));
        fs.writeFileSync(path.join(dir, 'final', 'step-3.ckpt'), 'step 3');
        process.exit(0);
      });
      setInterval(() => {}, 1000);
    `;
    const spec = nodeJob('command-checkpoints', script, { checkpointConfig: { uri: checkpointUri } });
    const events = new TrialRecorder();
    const stop = new AbortController();
    const running = trial(spec, events, { stop: stop.signal, checkpointSyncSeconds: 0.2 });
    await events.waitForLine(/^wrote step 2$/);
    const store = stores(checkpointUri);
    // The periodic upload brings step 2 while the trial still runs.
    while (!(await store.exists(`${checkpointUri}/step-2.ckpt`))) await new Promise((resolve) => setTimeout(resolve, 100));
    stop.abort('StopRequested');
    const result = await running;

    expect(result.status).toBe('Stopped');
    expect(events.lines).toContain('resumed from step 1');
    const objects = await store.list(checkpointUri);
    expect(objects.map(({ relativeKey }) => relativeKey)).toEqual(['final/step-3.ckpt', 'step-1.ckpt', 'step-2.ckpt']);
    expect((await store.getObject(`${checkpointUri}/final/step-3.ckpt`)).toString()).toBe('step 3');
  });
});
