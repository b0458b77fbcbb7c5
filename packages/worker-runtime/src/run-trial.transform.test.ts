import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrainingJobSpec, type TrainingJobSpec } from '@blazefleet/core';
import { writeModelArchive } from '@blazefleet/algorithms';
import { invocationAnswers, loadServedModel, type ServedModel } from '@blazefleet/model-server';
import { trainTinyClassifier } from '../../model-server/src/testing/tiny-models.js';
import { runTrial, type TrialResult } from './index.js';
import { TrialRecorder } from './testing/trial-recorder.js';
import { trialTestbed } from './testing/trial-testbed.js';

const testbed = trialTestbed('worker-runtime-transform');
const { directory, workRoot, bucket, stores } = testbed;
const modelArchive = join(directory, 'archive', 'model.tar.gz');
let model: ServedModel;

beforeAll(async () => {
  const modelDir = await trainTinyClassifier(directory);
  mkdirSync(join(directory, 'archive'));
  await writeModelArchive(modelDir, ['model.bin'], modelArchive);
  model = await loadServedModel(modelArchive);
});

function transformJob(name: string, data: string, outputPath: string, hyperParameters: Record<string, string> = {}): TrainingJobSpec {
  return parseTrainingJobSpec({
    name,
    algorithm: 'blazingtext-transform',
    hyperParameters,
    inputDataConfig: [
      { channelName: 'model', uri: `file://${modelArchive}` },
      { channelName: 'data', uri: data },
    ],
    outputPath,
    resourceConfig: { instanceType: 'ml.c5.xlarge' },
  });
}

function trial(spec: TrainingJobSpec, events: TrialRecorder): Promise<TrialResult> {
  return runTrial({ spec, attempt: 1, workRoot, events, artifactStores: stores });
}

async function objectText(uri: string): Promise<string> {
  return (await stores(uri).getObject(uri)).toString('utf8');
}

describe('runTrial with blazingtext-transform', () => {
  it('answers the files of an S3 channel into <outputPath>/<key>.out, with progress, metrics and no model', async () => {
    const first = ['ball goal team', 'bread soup', 'match cook salt'];
    const second = ['team team goal', 'salt bread'];
    await testbed.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'instances/first.txt', Body: `${first.join('\n')}\n` }));
    await testbed.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'instances/day/second.txt.gz', Body: gzipSync(second.join('\n')) }));
    const outputPath = `s3://${bucket}/answers`;
    const events = new TrialRecorder();
    const result = await trial(transformJob('transform-s3', `s3://${bucket}/instances/`, outputPath, { k: '2' }), events);

    expect(result).toMatchObject({ status: 'Completed', retryable: false });
    expect(result.modelArtifacts).toBeUndefined();
    expect(events.statusNames).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    const messages = Object.fromEntries(events.statuses.map(({ status, message }) => [status, message]));
    expect(messages).toMatchObject({ Training: 'Transforming the input files', Uploading: 'Uploading the transformed files, metrics and log' });
    const answers = (texts: string[]) => `${invocationAnswers(model, texts.map((text) => ({ text, k: 2 }))).join('\n')}\n`;
    expect(await objectText(`${outputPath}/first.txt.out`)).toBe(answers(first));
    expect(await objectText(`${outputPath}/day/second.txt.gz.out`)).toBe(answers(second));
    const keys = (await stores(outputPath).list(outputPath)).map(({ relativeKey }) => relativeKey);
    expect(keys.sort()).toEqual(['day/second.txt.gz.out', 'first.txt.out', 'transform-s3/output/metrics.json', 'transform-s3/output/train.log']);

    const lines = first.length + second.length;
    expect(result.finalMetrics.map(({ name, value }) => [name, value])).toEqual([
      ['transform:lines', lines],
      ['transform:files', 2],
    ]);
    expect(events.progresses.at(-1)).toMatchObject({ fraction: 1, lines });
    expect(events.progresses.at(-1)!.linesPerSecond).toBeGreaterThan(0);
    const metricsJson = JSON.parse(await objectText(`${outputPath}/transform-s3/output/metrics.json`));
    expect(metricsJson.finalMetrics).toEqual(result.finalMetrics);
    expect(await objectText(`${outputPath}/transform-s3/output/train.log`)).toContain('"message":"first.txt: 3 lines"');
  });

  it('fails with a ClientError naming the file and line of a bad JSON line, uploading no answers', async () => {
    const data = join(directory, 'bad-data');
    mkdirSync(join(data, 'batch'), { recursive: true });
    writeFileSync(join(data, 'batch', 'records.jsonl'), '{"source": "ball goal"}\n"bread"\n{"source": "soup"\n');
    const outputRoot = join(directory, 'bad-output');
    const result = await trial(transformJob('transform-bad', `file://${data}`, `file://${outputRoot}`, { content_type: 'application/jsonlines' }), new TrialRecorder());
    expect(result).toMatchObject({ status: 'Failed', retryable: false });
    expect(result.failureReason).toMatch(/^ClientError: input\/data\/data\/batch\/records\.jsonl: line 3 is not valid JSON: /);
    const uploaded = (await stores(`file://${outputRoot}`).list(`file://${outputRoot}`)).map(({ relativeKey }) => relativeKey);
    expect(uploaded.sort()).toEqual(['transform-bad/output/metrics.json', 'transform-bad/output/train.log']);
  });
});
