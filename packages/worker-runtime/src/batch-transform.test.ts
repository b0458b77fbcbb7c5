import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HyperparameterError, InputDataError } from '@blazefleet/core';
import { writeModelArchive, writeWord2VecText } from '@blazefleet/algorithms';
import { invocationAnswers, loadServedModel, servedWordVectors, type ServedModel } from '@blazefleet/model-server';
import { temporaryDirectory } from '../../algorithms/src/testing/temporary-directory.js';
import { randomVectors, trainTinyClassifier, TOPIC_WORDS } from '../../model-server/src/testing/tiny-models.js';
import type { BlazingTextEvent } from './blazingtext-events.js';
import { modelSource, runBatchTransform } from './batch-transform.js';

const directory = temporaryDirectory('worker-runtime-batch-transform-');
const WORDS = [...TOPIC_WORDS.sport, ...TOPIC_WORDS.food];

/** Writes each file of `files` (key to contents) below a fresh folder and returns it. */
function dataFolder(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(directory, name, 'data');
  for (const [key, contents] of Object.entries(files)) {
    mkdirSync(join(dir, key, '..'), { recursive: true });
    writeFileSync(join(dir, key), contents);
  }
  return dir;
}

async function transform(name: string, model: ServedModel, hyperparameters: Record<string, unknown>, files: Record<string, string | Buffer>) {
  const events: BlazingTextEvent[] = [];
  const outputDir = join(directory, name, 'output');
  await runBatchTransform({ model, hyperparameters, dataDir: dataFolder(name, files), outputDir, onEvent: (event) => events.push(event) });
  const output = (key: string) => readFileSync(join(outputDir, `${key}.out`), 'utf8');
  return { events, output };
}

/** `lines` lines of five topic words, the same for the same seed. */
function texts(lines: number, seed: number): string[] {
  let state = seed;
  const next = () => (state = (state * 16807) % 2147483647) % WORDS.length;
  return Array.from({ length: lines }, () => Array.from({ length: 5 }, () => WORDS[next()]).join(' '));
}

const classifier = trainTinyClassifier(directory).then((dir) => loadServedModel(dir));
const wordVectors = servedWordVectors(randomVectors(WORDS, 4, 7));

describe('runBatchTransform', () => {
  it('answers each line of each file as /invocations does, into <key>.out, gzip files and folders included', async () => {
    const model = await classifier;
    const plain = [...texts(3, 1), '', 'Goal! The TEAM won the match.'];
    const gzipped = texts(4, 2);
    const { events, output } = await transform('classifier', model, { k: '2' }, {
      'part-1.txt': `${plain.join('\r\n')}\r\n`,
      'more/part-2.txt.gz': gzipSync(gzipped.join('\n')),
    });
    const expected = (lines: string[]) => invocationAnswers(model, lines.map((text) => ({ text, k: 2 })));
    // A blank line is an instance too: answer i is line i.
    expect(output('part-1.txt').split('\n')).toEqual([...expected(plain), '']);
    expect(output('more/part-2.txt.gz').split('\n')).toEqual([...expected(gzipped), '']);
    expect(JSON.parse(output('part-1.txt').split('\n')[0]!).label).toHaveLength(2);

    const total = plain.length + gzipped.length;
    const progress = events.filter((event) => event.event === 'progress');
    expect(progress.at(-1)).toMatchObject({ progress: 1, lines: total });
    expect(events.filter((event) => event.event === 'log').map((event) => event.fields)).toEqual([
      { file: 'more/part-2.txt.gz', lines: gzipped.length },
      { file: 'part-1.txt', lines: plain.length },
    ]);
    expect(events.filter((event) => event.event === 'metric')).toEqual([
      { event: 'metric', name: 'transform:lines', value: total },
      { event: 'metric', name: 'transform:files', value: 2 },
    ]);
  });

  it('reads JSON Lines records and strings, a record\'s own k winning; blank lines are skipped', async () => {
    const model = await classifier;
    const records = ['{"source": "ball goal team"}', '', '"bread soup salt"', '{"source": "cook match", "k": "2"}'];
    const { output } = await transform('jsonlines', model, { content_type: 'application/jsonlines' }, { 'records.jsonl': records.join('\n') });
    const expected = invocationAnswers(model, [
      { text: 'ball goal team', k: 1 },
      { text: 'bread soup salt', k: 1 },
      { text: 'cook match', k: 2 },
    ]);
    expect(output('records.jsonl')).toBe(`${expected.join('\n')}\n`);
  });

  it('answers word vectors, unknown words with zeros, over files read in many chunks', async () => {
    // Over 1 MiB of input: read in several chunks, answered in several writes.
    const lines = [...texts(250_000, 3).map((text) => text.split(' ')[0]!), 'unknown'];
    const { events, output } = await transform('vectors', wordVectors, {}, { 'words.txt': `${lines.join('\n')}\n` });
    const answers = output('words.txt').split('\n');
    expect(answers).toHaveLength(lines.length + 1);
    for (const at of [0, 123_456, 249_999]) expect(answers[at]).toBe(invocationAnswers(wordVectors, [{ text: lines[at]!, k: undefined }])[0]);
    expect(JSON.parse(answers[250_000]!)).toEqual({ vector: [0, 0, 0, 0], word: 'unknown' });
    expect(events.filter((event) => event.event === 'metric').map((event) => event.value)).toEqual([lines.length, 1]);
  });

  it('names the file and the line of a line it cannot read', async () => {
    const model = await classifier;
    const jsonLines = { content_type: 'application/jsonlines' };
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'a.jsonl': '"fine"\n\n{"source": "also fine"}\n{not json}\n' }, /^line 4 is not valid JSON: /],
      [{ 'b.jsonl': '"fine"\n{"source": 5}\n' }, /^line 2: source: expected a string, got 5$/],
      [{ 'c.jsonl': '{"source": "x", "k": 0}\n' }, /^line 1: k: expected a positive integer, got 0$/],
    ];
    for (const [[file, contents], reason] of cases.map(([files, reason]) => [Object.entries(files)[0]!, reason] as const)) {
      const error = await transform(`bad-${file}`, model, jsonLines, { [file]: contents }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InputDataError);
      expect((error as InputDataError).source).toBe(join(directory, `bad-${file}`, 'data', file));
      expect((error as InputDataError).reason).toMatch(reason);
    }
  });

  it('refuses k for a word-vector model, and hyperparameters it does not know', async () => {
    const kError = await transform('vectors-k', wordVectors, { k: '2' }, { 'a.txt': 'ball\n' }).catch((caught: unknown) => caught);
    expect(kError).toMatchObject({ field: 'k', expected: expect.stringMatching(/k is for classifiers/) });
    const unknown = await transform('unknown-hp', wordVectors, { mode: 'skipgram' }, { 'a.txt': 'ball\n' }).catch((caught: unknown) => caught);
    expect(unknown).toBeInstanceOf(HyperparameterError);
    expect(unknown).toMatchObject({ field: 'mode' });
  });
});

describe('modelSource', () => {
  function channel(name: string, files: string[]): string {
    const dir = join(directory, 'model-channels', name);
    for (const file of files) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), 'x');
    }
    return dir;
  }

  it("finds the model.tar.gz of a training job's output folder, else the only file, else takes the folder", async () => {
    const jobFolder = channel('job', ['output/model.tar.gz', 'output/metrics.json', 'output/train.log']);
    expect(await modelSource(jobFolder)).toBe(join(jobFolder, 'output', 'model.tar.gz'));
    const single = channel('single', ['classifier-v2.tar.gz']);
    expect(await modelSource(single)).toBe(join(single, 'classifier-v2.tar.gz'));
    const extracted = channel('extracted', ['vectors.bin', 'vectors.txt']);
    expect(await modelSource(extracted)).toBe(extracted);
  });

  it('refuses a folder of several models', async () => {
    const dir = channel('several', ['a/model.tar.gz', 'b/model.tar.gz']);
    await expect(modelSource(dir)).rejects.toThrow(/holds 2 model\.tar\.gz \(a\/model\.tar\.gz, b\/model\.tar\.gz\): expected one model/);
  });

  it('gives what loadServedModel loads: a model.tar.gz of word vectors', async () => {
    const modelDir = join(directory, 'archived-vectors');
    mkdirSync(modelDir);
    await writeWord2VecText(join(modelDir, 'vectors.txt'), randomVectors(WORDS, 4, 7));
    const dir = channel('archive', []);
    mkdirSync(join(dir, 'output'), { recursive: true });
    await writeModelArchive(modelDir, ['vectors.txt'], join(dir, 'output', 'model.tar.gz'));
    const model = await loadServedModel(await modelSource(dir));
    expect(invocationAnswers(model, [{ text: 'ball', k: undefined }])).toEqual(invocationAnswers(wordVectors, [{ text: 'ball', k: undefined }]));
  });
});
