import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeModelArchive } from '@blazefleet/algorithms';
import { invocationAnswers, loadServedModel } from '@blazefleet/model-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { trainTinyClassifier } from '../packages/model-server/src/testing/tiny-models.js';
import { writeTinyCorpus } from './blazefleet-cli.js';
import { TestFleet } from './fleet-support.js';

const dir = temporaryDirectory('blazefleet-fleet-transform-');
const bucket = 'transform-test';
let fleet: TestFleet;
/** The classifier's training output folder, with model.bin. */
let classifierDir: string;


function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** The lines of an S3 object of answers, without the empty string after the last newline. */
async function answerLines(key: string): Promise<string[]> {
  const text = (await fleet.get(bucket, key)).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

beforeAll(async () => {
  fleet = await TestFleet.start();
  await fleet.createBucket(bucket);
  const corpus = join(dir, 'corpus.txt');
  writeTinyCorpus(corpus, 2000);
  await fleet.put(bucket, 'corpus/corpus.txt', readFileSync(corpus));
  classifierDir = await trainTinyClassifier(dir);
  const archive = join(dir, 'classifier', 'model.tar.gz');
  mkdirSync(join(dir, 'classifier'));
  await writeModelArchive(classifierDir, ['model.bin'], archive);
  await fleet.put(bucket, 'models/classifier/model.tar.gz', readFileSync(archive));
  fleet.startWorker(join(dir, 'work'));
  await fleet.workers[0]!.waitForLog(/worker started/);
});

afterAll(() => fleet?.stop());

describe('batch transform on the fleet', () => {
  it('answers word vectors with a model trained on the fleet, its output folder as the model', async () => {
    const training = fleet.cli([
      'submit',
      writeJson('w2v.json', {
        name: 'w2v',
        algorithm: 'blazingtext',
        hyperParameters: { mode: 'skipgram', epochs: '1', vector_dim: '8', min_count: '2', evaluation: 'false' },
        inputDataConfig: [{ channelName: 'train', uri: `s3://${bucket}/corpus/` }],
        outputPath: `s3://${bucket}/output`,
        resourceConfig: { instanceType: 'ml.c5.xlarge' },
      }),
      '--wait',
    ]);
    expect(training.code, training.stdout + training.stderr).toBe(0);
    const first = ['king', 'queen', 'no-such-word', 'car'];
    const second = ['dog', 'money', 'palace'];
    await fleet.put(bucket, 'words/a.txt', `${first.join('\n')}\n`);
    await fleet.put(bucket, 'words/later/b.txt.gz', gzipSync(second.join('\n')));

    const run = fleet.cli([
      'transform', '--model', `s3://${bucket}/output/w2v/output/`, '--input', `s3://${bucket}/words/`, '--output', `s3://${bucket}/vectors/`,
      '--name', 'words-1', '--wait',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('Submitted batch transform words-1 (ml.c5.xlarge, cpu pool)');
    for (const status of ['Downloading', 'Training', 'Uploading', 'Completed']) expect(run.stdout).toContain(` words-1 ${status}: `);
    const lines = first.length + second.length;
    expect(run.stdout).toContain(`words-1 completed: ${lines} lines of 2 files answered into s3://${bucket}/vectors/;`);

    const modelFile = join(dir, 'w2v-model.tar.gz');
    writeFileSync(modelFile, await fleet.get(bucket, 'output/w2v/output/model.tar.gz'));
    const model = await loadServedModel(modelFile);
    const expected = (words: string[]) => invocationAnswers(model, words.map((text) => ({ text, k: undefined })));
    expect(await answerLines('vectors/a.txt.out')).toEqual(expected(first));
    expect(await answerLines('vectors/later/b.txt.gz.out')).toEqual(expected(second));
    expect(JSON.parse((await answerLines('vectors/a.txt.out'))[0]!).vector).toHaveLength(8);

    const job = fleet.describeJob('words-1');
    expect(job).toMatchObject({ status: 'Completed', algorithm: 'blazingtext-transform', attempts: 1 });
    expect(job.modelArtifacts).toBeUndefined();
    expect(Object.fromEntries(job.finalMetrics.map((m: { metricName: string; value: number }) => [m.metricName, m.value]))).toEqual({
      'transform:lines': lines,
      'transform:files': 2,
    });
    const logs = fleet.cli(['logs', 'words-1']);
    expect(logs.stdout).toMatch(new RegExp(`"event":"progress","progress":1,"lines":${lines},`));
    const text = fleet.cli(['jobs', 'describe', 'words-1']).stdout;
    expect(text).toContain('Algorithm:          blazingtext-transform');
  });

  it('answers the top-k labels of a classifier as blazefleet predict does, from a model.tar.gz', async () => {
    const texts = ['ball goal team match', 'bread soup', 'cook salt bread goal', 'team'];
    await fleet.put(bucket, 'texts/part-0.txt', `${texts.join('\n')}\n`);
    const run = fleet.cli([
      'transform', '--model', `s3://${bucket}/models/classifier/model.tar.gz`, '--input', `s3://${bucket}/texts/part-0.txt`,
      '--output', `s3://${bucket}/labels`, '--name', 'labels-1', '--k', '2', '--wait',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const input = join(dir, 'texts.txt');
    writeFileSync(input, `${texts.join('\n')}\n`);
    const predicted = fleet.cli(['predict', '--model', classifierDir, '--input', input, '--format', 'json', '-k', '2']);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(await answerLines('labels/part-0.txt.out')).toEqual(predicted.stdout.trimEnd().split('\n'));
    expect(fleet.describeJob('labels-1').hyperParameters).toEqual({ k: '2' });
  });

  it('fails a transform with a bad JSON line, naming the file and the line, without retrying it', async () => {
    await fleet.put(bucket, 'records/ok.jsonl', '{"source": "ball goal"}\n');
    await fleet.put(bucket, 'records/bad.jsonl', '"bread soup"\n{"source": "team", "k": 2,}\n');
    const run = fleet.cli([
      'transform', '--model', `s3://${bucket}/models/classifier/model.tar.gz`, '--input', `s3://${bucket}/records/`,
      '--output', `s3://${bucket}/records-out/`, '--name', 'records-1', '--content-type', 'application/jsonlines', '--wait',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/records-1 failed: ClientError: input\/data\/data\/bad\.jsonl: line 2 is not valid JSON: /);
    expect(fleet.describeJob('records-1')).toMatchObject({ status: 'Failed', attempts: 1 });
    expect(await fleet.keys(bucket, 'records-out/')).toEqual(['records-out/records-1/output/metrics.json', 'records-out/records-1/output/train.log']);
  });

  it('names the option of a bad value, and the field of a bad transform spec', () => {
    const uris = ['--model', `s3://${bucket}/models/classifier/model.tar.gz`, '--input', `s3://${bucket}/texts/`, '--output', `s3://${bucket}/out/`];
    const cases: [string[], string][] = [
      [['transform', '--input', `s3://${bucket}/texts/`, '--output', `s3://${bucket}/out/`], '--model URI is required'],
      [['transform', ...uris, '--k', '0'], '-k: expected an integer in [1, 1000000], got "0"'],
      [['transform', ...uris, '--content-type', 'text/csv'], '--content-type: expected one of text/plain, application/jsonlines, got "text/csv"'],
      [['transform', ...uris.slice(0, 2), '--input', 'in/', ...uris.slice(4)], '--input: expected s3://bucket/prefix or file://path, got "in/"'],
      [['transform', ...uris, '--instance-type', 'ml.c5.xlarg'], '--instance-type: unknown instance type "ml.c5.xlarg"'],
    ];
    const spec = {
      name: 'bad-transform',
      algorithm: 'blazingtext-transform',
      hyperParameters: { mode: 'supervised' },
      inputDataConfig: [{ channelName: 'data', uri: `s3://${bucket}/texts/` }],
      outputPath: `s3://${bucket}/out/`,
      resourceConfig: { instanceType: 'ml.c5.xlarge' },
    };
    const specPath = writeJson('bad-transform.json', spec);
    cases.push(
      [['submit', specPath], 'hyperParameters.mode: expected a known blazingtext-transform hyperparameter'],
      [['submit', specPath], 'inputDataConfig: expected a channel named model (required by blazingtext-transform)'],
    );
    for (const [args, message] of cases) {
      const run = fleet.cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(message);
    }
    const help = fleet.cli(['transform', '--help']);
    expect(help.stdout).toContain('Usage: blazefleet transform --model URI --input URI --output URI');
  });
});
