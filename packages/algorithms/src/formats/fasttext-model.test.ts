import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SparseRowMatrix } from '../sparse-row-matrix.js';
import { ngramBuckets } from '../subwords.js';
import { writeLines } from '../testing/corpus-files.js';
import { expectInputDataError, expectNoErrorButInputDataError } from '../testing/expect-input-error.js';
import { fastTextRows, hasFastText, trainFastText } from '../testing/reference-tools.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { readFastTextModel, wordVectorsFromFastTextModel, writeFastTextModel, type FastTextModel } from './fasttext-model.js';

const directory = temporaryDirectory('fasttext-model-');

function syntheticModel(): FastTextModel {
  const random = seededRandom(5);
  const words = ['</s>', 'the', 'café', '日本語'];
  const bucket = 20;
  const dim = 3;
  return {
    args: { dim, ws: 5, epoch: 5, minCount: 1, neg: 5, wordNgrams: 2, loss: 'softmax', model: 'sup', bucket, minn: 2, maxn: 4, lrUpdateRate: 100, t: 1e-4 },
    words,
    counts: Float64Array.of(9, 7, 3, 2 ** 40),
    labels: ['__label__a', '__label__b'],
    labelCounts: Float64Array.of(5, 4),
    ntokens: 12345678901,
    input: SparseRowMatrix.dense(Float32Array.from({ length: (words.length + bucket) * dim }, () => random() - 0.5), dim),
    output: Float32Array.from({ length: 2 * dim }, () => random() - 0.5),
  };
}

describe('fastText model format', () => {
  it('round-trips a model with labels', async () => {
    const model = syntheticModel();
    const path = join(directory, 'synthetic.bin');
    await writeFastTextModel(path, model);
    const read = await readFastTextModel(path);
    expect(read.args).toEqual(model.args);
    expect(read.words).toEqual(model.words);
    expect(read.labels).toEqual(model.labels);
    expect(Array.from(read.counts)).toEqual(Array.from(model.counts));
    expect(Array.from(read.labelCounts)).toEqual(Array.from(model.labelCounts));
    expect(read.ntokens).toBe(model.ntokens);
    expect(read.input.rowIds).toBeUndefined();
    expect(Array.from(read.input.values)).toEqual(Array.from(model.input.values));
    expect(Array.from(read.output)).toEqual(Array.from(model.output));
    const again = join(directory, 'synthetic-again.bin');
    await writeFastTextModel(again, read);
    expect(readFileSync(again)).toEqual(readFileSync(path));
  });

  it('writes the zero rows of a sparse input matrix as zeros and reads back only the others', async () => {
    const model = syntheticModel();
    const { dim, rows } = model.input;
    const rowIds = Int32Array.from([0, 1, 2, 3, 5, 6, 17, rows - 1]);
    const values = Float32Array.from({ length: rowIds.length * dim }, (_, i) => i + 1);
    const sparse = { ...model, input: new SparseRowMatrix(rows, dim, values, rowIds) };
    const densePath = join(directory, 'dense-zeros.bin');
    await writeFastTextModel(densePath, { ...model, input: SparseRowMatrix.dense(sparse.input.toDense(), dim) });
    const path = join(directory, 'sparse.bin');
    await writeFastTextModel(path, sparse);
    expect(readFileSync(path)).toEqual(readFileSync(densePath));
    const read = await readFastTextModel(path);
    expect(Array.from(read.input.rowIds!)).toEqual(Array.from(rowIds));
    expect(Array.from(read.input.values)).toEqual(Array.from(values));
    expect(read.input.storedIndex(4)).toBe(-1);
    expect(read.input.storedIndex(17)).toBe(6);
    expect(Array.from(read.output)).toEqual(Array.from(model.output));
  });

  it('averages the word row with its n-gram rows; </s> has none; unknown words use n-grams', () => {
    const model = syntheticModel();
    const vectors = wordVectorsFromFastTextModel(model);
    const row = (index: number): number[] => Array.from(model.input.values.subarray(index * 3, index * 3 + 3));
    const average = (rows: number[][]): number[] => [0, 1, 2].map((d) => rows.reduce((sum, r) => sum + r[d]!, 0) / rows.length);
    const expectClose = (actual: Float32Array | undefined, expected: number[]): void =>
      expected.forEach((value, d) => expect(actual![d]).toBeCloseTo(value, 6));
    expectClose(vectors.vector('</s>'), row(0));
    const cafe = [row(2), ...Array.from(ngramBuckets('café', 2, 4, 20), (b) => row(4 + b))];
    expectClose(vectors.vector('café'), average(cafe));
    expectClose(vectors.vector('cafés'), average(Array.from(ngramBuckets('cafés', 2, 4, 20), (b) => row(4 + b))));
    const noSubwords = wordVectorsFromFastTextModel({ ...model, args: { ...model.args, maxn: 0 } });
    expectClose(noSubwords.vector('café'), row(2));
    expect(noSubwords.vector('cafés')).toBeUndefined();
  });

  it('names what it was reading when the file is wrong or truncated', async () => {
    const path = join(directory, 'broken.bin');
    await writeFastTextModel(path, syntheticModel());
    const valid = readFileSync(path);
    writeFileSync(path, valid.subarray(0, 30));
    await expectInputDataError(readFastTextModel(path), /truncated at byte 30 while reading args\.wordNgrams at byte 28/);
    writeFileSync(path, valid.subarray(0, valid.length - 4));
    await expectInputDataError(readFastTextModel(path), /truncated: the output matrix/);
    const wrongMagic = Uint8Array.from(valid);
    wrongMagic[0] = 0;
    writeFileSync(path, wrongMagic);
    await expectInputDataError(readFastTextModel(path), /not a fastText model/);
    const wrongVersion = Uint8Array.from(valid);
    wrongVersion[4] = 11;
    writeFileSync(path, wrongVersion);
    await expectInputDataError(readFastTextModel(path), /version 11 is not supported/);
    await expectInputDataError(readFastTextModel(join(directory, 'missing.bin')), /file not found/);
  });

  it('fails only with InputDataError on truncated and corrupted files', async () => {
    const random = seededRandom(13);
    const path = join(directory, 'fuzz.bin');
    await writeFastTextModel(path, syntheticModel());
    const valid = readFileSync(path);
    for (let round = 0; round < 60; round++) {
      let bytes: Uint8Array;
      if (round % 2 === 0) bytes = valid.subarray(0, Math.floor(random() * valid.length));
      else {
        bytes = Uint8Array.from(valid);
        for (let i = 0; i < 3; i++) bytes[Math.floor(random() * 200)] = Math.floor(random() * 256);
      }
      writeFileSync(path, bytes);
      await expectNoErrorButInputDataError(readFastTextModel(path));
    }
  });
});

describe.skipIf(!hasFastText())('fastText model format against the fasttext tool', () => {
  const lines = ['le café est naïve', 'the cat sat on the mat', '日本語 hello world', 'über straße the cat café'];
  writeLines(join(directory, 'tiny.txt'), Array.from({ length: 30 }, (_, i) => lines[i % lines.length]!));
  writeLines(join(directory, 'labelled.txt'), Array.from({ length: 30 }, (_, i) => `__label__${i % 3} ${lines[i % lines.length]}`));
  const train = (args: string[]): void => trainFastText(directory, [...args, '-dim', '8', '-epoch', '2', '-minCount', '1']);

  it('reads a skipgram model and writes it back byte for byte', async () => {
    train(['skipgram', '-input', 'tiny.txt', '-output', 'sg', '-minn', '3', '-maxn', '6', '-bucket', '1000']);
    const model = await readFastTextModel(join(directory, 'sg.bin'));
    expect(model.args).toMatchObject({ dim: 8, model: 'sg', loss: 'ns', bucket: 1000, minn: 3, maxn: 6, epoch: 2 });
    expect(model.words).toContain('</s>');
    expect(model.words).toContain('日本語');
    expect(model.input.toDense()).toHaveLength((model.words.length + 1000) * 8);
    expect(model.output).toHaveLength(model.words.length * 8);
    await writeFastTextModel(join(directory, 'sg-again.bin'), model);
    expect(readFileSync(join(directory, 'sg-again.bin'))).toEqual(readFileSync(join(directory, 'sg.bin')));
  });

  it('gives the vectors of print-word-vectors for known and unknown words', async () => {
    const vectors = wordVectorsFromFastTextModel(await readFastTextModel(join(directory, 'sg.bin')));
    const words = ['café', 'naïve', '日本語', 'the', '</s>', 'cafés', 'naïveté', '日本', 'zzzz', 'straßen'];
    const printed = fastTextRows(['print-word-vectors', 'sg.bin'], { cwd: directory, input: words.join('\n') + '\n' });
    expect(printed.map((fields) => fields[0])).toEqual(words);
    let nonZero = 0;
    for (const fields of printed) {
      const ours = vectors.vector(fields[0]!)!;
      fields.slice(1).forEach((value, d) => {
        expect(Math.abs(ours[d]! - Number(value))).toBeLessThan(1e-4);
        if (Number(value) !== 0) nonZero++;
      });
    }
    expect(nonZero).toBeGreaterThan(words.length * 4);
  });

  it('writes models that the fasttext tool loads and reads as we do', async () => {
    const synthetic = syntheticModel();
    const model: FastTextModel = {
      ...synthetic,
      args: { ...synthetic.args, model: 'sg', loss: 'ns', wordNgrams: 1 },
      labels: [],
      labelCounts: new Float64Array(0),
      output: synthetic.input.values.slice(0, synthetic.words.length * 3),
    };
    await writeFastTextModel(join(directory, 'ours.bin'), model);
    const vectors = wordVectorsFromFastTextModel(model);
    const words = ['the', 'café', '日本語', 'cafés', 'unknown'];
    const printed = fastTextRows(['print-word-vectors', 'ours.bin'], { cwd: directory, input: words.join(' ') + '\n' });
    expect(printed.map((fields) => fields[0])).toEqual(words);
    for (const fields of printed) {
      const ours = vectors.vector(fields[0]!)!;
      fields.slice(1).forEach((value, d) => expect(Math.abs(ours[d]! - Number(value))).toBeLessThan(1e-4));
    }
  });

  it('reads a supervised model with labels and writes it back byte for byte', async () => {
    train(['supervised', '-input', 'labelled.txt', '-output', 'sup', '-wordNgrams', '2', '-bucket', '500']);
    const model = await readFastTextModel(join(directory, 'sup.bin'));
    expect(model.args).toMatchObject({ model: 'sup', loss: 'softmax', wordNgrams: 2, bucket: 500 });
    expect(model.labels.sort()).toEqual(['__label__0', '__label__1', '__label__2']);
    expect(model.output).toHaveLength(3 * 8);
    await writeFastTextModel(join(directory, 'sup-again.bin'), await readFastTextModel(join(directory, 'sup.bin')));
    expect(readFileSync(join(directory, 'sup-again.bin'))).toEqual(readFileSync(join(directory, 'sup.bin')));
  });
});
