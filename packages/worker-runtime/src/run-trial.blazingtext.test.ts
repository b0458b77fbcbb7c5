import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseTrainingJobSpec, type TrainingJobSpec } from '@blazefleet/core';
import { runTrial, type TrialOptions, type TrialResult } from './index.js';
import { archiveFiles } from './testing/archive-files.js';
import { TrialRecorder } from './testing/trial-recorder.js';
import { trialTestbed } from './testing/trial-testbed.js';

const repositoryRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const sharedData = resolve(repositoryRoot, '../shared/data');
const CORPUS_BYTES = 200 * 1024;

const testbed = trialTestbed('worker-runtime-blazingtext');
const { directory, workRoot, bucket, stores } = testbed;
/** The first 200 KB of the small corpus, cut at a word boundary. */
const corpus = ((): string => {
  const text = gunzipSync(readFileSync(join(sharedData, 'corpus', 'small.txt.gz'))).subarray(0, CORPUS_BYTES).toString('utf8');
  return `${text.slice(0, text.lastIndexOf(' '))}\n`;
})();

function blazingTextJob(fields: Record<string, unknown>): TrainingJobSpec {
  return parseTrainingJobSpec({ algorithm: 'blazingtext', resourceConfig: { instanceType: 'ml.c5.xlarge' }, ...fields });
}

function trial(spec: TrainingJobSpec, events: TrialRecorder, extra: Partial<TrialOptions> = {}): Promise<TrialResult> {
  return runTrial({ spec, attempt: 1, workRoot, events, artifactStores: stores, ...extra });
}

/** Writes `text` into a file of its own folder under the test directory and returns the folder. */
function localChannel(name: string, fileName: string, body: string | Buffer): string {
  const dir = join(directory, 'channels', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, fileName), body);
  return dir;
}

async function downloadArchive(uri: string): Promise<Map<string, Buffer>> {
  const path = join(directory, 'downloads', `${Math.random().toString(36).slice(2)}.tar.gz`);
  await stores(uri).downloadFile(uri, path);
  return archiveFiles(path);
}

describe('runTrial with blazingtext', () => {
  it('trains skipgram from an S3 channel and uploads model.tar.gz, metrics.json and train.log to S3', async () => {
    // A channel of two objects, read in key order.
    const half = corpus.indexOf(' ', corpus.length >> 1);
    await testbed.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/skipgram/part-0.txt', Body: `${corpus.slice(0, half)}\n` }));
    await testbed.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/skipgram/part-1.txt', Body: corpus.slice(half + 1) }));
    const spec = blazingTextJob({
      name: 'skipgram-s3',
      hyperParameters: { mode: 'skipgram', epochs: '1', vector_dim: '10', min_count: '2' },
      inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/data/skipgram` }],
      outputPath: `s3://${bucket}/models/`,
    });
    const events = new TrialRecorder();
    const result = await trial(spec, events);

    const output = `s3://${bucket}/models/skipgram-s3/output`;
    expect(result).toMatchObject({ status: 'Completed', retryable: false, modelArtifacts: `${output}/model.tar.gz` });
    expect(events.statusNames).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    const model = await downloadArchive(`${output}/model.tar.gz`);
    expect([...model.keys()].sort()).toEqual(['eval.json', 'vectors.bin', 'vectors.txt']);
    const [header] = model.get('vectors.txt')!.toString().split('\n');
    expect(header).toMatch(/^\d+ 10$/);
    const meanRho = JSON.parse(model.get('eval.json')!.toString()).mean_rho;
    expect(typeof meanRho).toBe('number');

    expect(result.finalMetrics.map(({ name }) => name)).toEqual(['train:mean_rho']);
    expect(result.finalMetrics[0]!.value).toBeCloseTo(meanRho, 12);
    expect(events.progresses.length).toBeGreaterThan(0);
    for (const progress of events.progresses) {
      expect(progress.fraction).toBeGreaterThanOrEqual(0);
      expect(progress.fraction).toBeLessThanOrEqual(1);
    }
    const metricsJson = JSON.parse((await stores(output).getObject(`${output}/metrics.json`)).toString());
    expect(metricsJson.finalMetrics).toEqual(result.finalMetrics);
    const trainLog = (await stores(output).getObject(`${output}/train.log`)).toString();
    expect(trainLog).toBe(`${events.lines.join('\n')}\n`);
    expect(trainLog).toContain('"event":"metric","name":"train:mean_rho"');
  });

  it('keeps its checkpoints in the checkpoint URI, from which a later attempt resumes', async () => {
    const channel = localChannel('resumed', 'corpus.txt', corpus);
    const checkpointUri = `s3://${bucket}/checkpoints/resumed-skipgram`;
    const job = (epochs: string) =>
      blazingTextJob({
        name: 'resumed-skipgram',
        hyperParameters: { mode: 'skipgram', epochs, vector_dim: '10', evaluation: 'false' },
        inputDataConfig: [{ channelName: 'train', uri: `file://${channel}` }],
        outputPath: `s3://${bucket}/models`,
        checkpointConfig: { uri: checkpointUri },
      });
    expect((await trial(job('1'), new TrialRecorder())).status).toBe('Completed');
    expect((await stores(checkpointUri).list(checkpointUri)).length).toBeGreaterThan(0);

    const events = new TrialRecorder();
    const result = await trial(job('2'), events, { attempt: 2 });
    expect(result.status).toBe('Completed');
    expect(events.lines.some((line) => line.includes('Resumed from checkpoint after epoch 1 of 2'))).toBe(true);
  });

  it('trains with subwords from a gzip file:// channel to a file:// output', async () => {
    const channel = localChannel('subwords', 'corpus.txt.gz', gzipSync(corpus));
    const outputRoot = join(directory, 'local-output');
    const spec = blazingTextJob({
      name: 'skipgram-local',
      hyperParameters: { mode: 'cbow', epochs: '1', vector_dim: '8', min_count: '3', subwords: 'true', buckets: '2000', evaluation: 'false' },
      inputDataConfig: [{ channelName: 'train', uri: `file://${channel}`, compressionType: 'Gzip' }],
      outputPath: `file://${outputRoot}`,
    });
    const result = await trial(spec, new TrialRecorder());
    expect(result).toMatchObject({ status: 'Completed', modelArtifacts: `file://${outputRoot}/skipgram-local/output/model.tar.gz` });
    const model = await archiveFiles(join(outputRoot, 'skipgram-local', 'output', 'model.tar.gz'));
    expect([...model.keys()].sort()).toEqual(['model.bin', 'vectors.bin', 'vectors.txt']);
    expect(result.finalMetrics).toEqual([]);
  });

  it('trains a classifier with a validation channel and reports validation:accuracy as its final metric', async () => {
    const classify = join(sharedData, 'classify');
    const outputRoot = join(directory, 'supervised-output');
    const spec = blazingTextJob({
      name: 'supervised',
      hyperParameters: { mode: 'supervised', epochs: '2', vector_dim: '10' },
      inputDataConfig: [
        { channelName: 'train', uri: `file://${join(classify, 'trec.train')}` },
        { channelName: 'validation', uri: `file://${join(classify, 'trec.test')}` },
      ],
      outputPath: `file://${outputRoot}`,
    });
    const events = new TrialRecorder();
    const result = await trial(spec, events);
    expect(result.status).toBe('Completed');
    expect(result.finalMetrics.map(({ name }) => name)).toEqual(['validation:accuracy']);
    const accuracy = result.finalMetrics[0]!.value;
    expect(accuracy).toBeGreaterThan(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    // Each epoch's values reach the worker too, marked with their epoch; the final one has none.
    const perEpoch = events.metrics.filter(({ name, epoch }) => name === 'validation:accuracy' && epoch !== undefined);
    expect(perEpoch.map(({ epoch }) => epoch)).toEqual([1, 2]);
    const model = await archiveFiles(join(outputRoot, 'supervised', 'output', 'model.tar.gz'));
    expect([...model.keys()].sort()).toEqual(['metrics.json', 'model.bin']);
    expect(JSON.parse(model.get('metrics.json')!.toString()).accuracy).toBeCloseTo(accuracy, 12);
  });

  it('fails with a ClientError, not retryable, when the training data has no labels in supervised mode', async () => {
    const channel = localChannel('unlabeled', 'train.txt', 'just some text without any label\nand another line of it\n');
    const spec = blazingTextJob({
      name: 'unlabeled',
      hyperParameters: { mode: 'supervised', epochs: '1' },
      inputDataConfig: [{ channelName: 'train', uri: `file://${channel}` }],
      outputPath: `file://${join(directory, 'unlabeled-output')}`,
    });
    const result = await trial(spec, new TrialRecorder());
    expect(result).toMatchObject({ status: 'Failed', retryable: false });
    // The engine's words, with the path as the trial sees it.
    expect(result.failureReason).toMatch(/^ClientError: input\/data\/train\b.*label/);
  });

  it('fails, not retryable, naming the URI, when a channel has no object', async () => {
    const uri = `s3://${bucket}/data/missing`;
    const spec = blazingTextJob({
      name: 'missing-input',
      hyperParameters: { mode: 'skipgram' },
      inputDataConfig: [{ channelName: 'train', uri }],
      outputPath: `s3://${bucket}/models`,
    });
    const events = new TrialRecorder();
    const result = await trial(spec, events);
    expect(result).toMatchObject({ status: 'Failed', retryable: false });
    expect(result.failureReason).toBe(`InputObjectNotFound: ${uri}: no object at or below this URI (downloading channel train)`);
    expect(events.statusNames).toEqual(['Starting', 'Downloading', 'Failed']);
  });

  it('stops training on SIGTERM within the grace period', async () => {
    const channel = localChannel('long', 'corpus.txt', corpus);
    const spec = blazingTextJob({
      name: 'stopped-skipgram',
      hyperParameters: { mode: 'skipgram', epochs: '1000', vector_dim: '10', evaluation: 'false' },
      inputDataConfig: [{ channelName: 'train', uri: `file://${channel}` }],
      outputPath: `file://${join(directory, 'stopped-output')}`,
      // Longer than the test's timeout: the test passes only if the trial ends on SIGTERM by itself.
      stopGracePeriodSeconds: 3600,
    });
    const stop = new AbortController();
    const events = new TrialRecorder();
    const running = trial(spec, events, { stop: stop.signal });
    await events.waitForLine(/"event":"progress"/);
    stop.abort('StopRequested');
    const result = await running;
    expect(result).toMatchObject({ status: 'Stopped', stopReason: 'StopRequested', retryable: false });
    expect(result.modelArtifacts).toBeUndefined();
  });
});
