import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readFastTextModel, type FastTextModel } from '../formats/fasttext-model.js';
import { fastTextHash, ngramBuckets } from '../subwords.js';
import { expectInputDataError } from '../testing/expect-input-error.js';
import { fastTextRows, hasFastText, trainFastText } from '../testing/reference-tools.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { textInputFiles } from '../testing/text-input-files.js';
import { Vocabulary } from '../vocabulary.js';
import {
  END_OF_LINE,
  LabeledDictionary,
  encodeLabeledFile,
  encodeTokens,
  readLabeledData,
  tokenizeText,
  type FeatureOptions,
  type LabeledExamples,
} from './labeled-data.js';
import { TokenizedLines } from './text-tokenizer.js';

const repositoryRoot = resolve(fileURLToPath(import.meta.url), '../../../../..');
const classifyData = resolve(repositoryRoot, '../shared/data/classify');
const trecTrain = join(classifyData, 'trec.train');
const trecTest = join(classifyData, 'trec.test');

const directory = temporaryDirectory('labeled-data-');
let fileNumber = 0;
function file(content: string | Uint8Array, gzip = false): string {
  const path = join(directory, `data-${fileNumber++}.txt${gzip ? '.gz' : ''}`);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

const NO_NGRAMS: FeatureOptions = { wordNgrams: 1, buckets: 0, minn: 0, maxn: 0 };

function example(examples: LabeledExamples, i: number): { features: number[]; labels: number[] } {
  return {
    features: Array.from(examples.features.subarray(examples.featureOffsets[i]!, examples.featureOffsets[i + 1]!)),
    labels: Array.from(examples.labels.subarray(examples.labelOffsets[i]!, examples.labelOffsets[i + 1]!)),
  };
}

/** fastText's addWordNgrams in BigInt: uint64 arithmetic on int32 hashes sign-extended. */
function referenceWordNgrams(tokens: string[], n: number, buckets: number, nwords: number): number[] {
  const hashes = tokens.map((token) => BigInt.asUintN(64, BigInt(fastTextHash(token) | 0)));
  const rows: number[] = [];
  for (let i = 0; i < hashes.length; i++) {
    let h = hashes[i]!;
    for (let j = i + 1; j < hashes.length && j < i + n; j++) {
      h = BigInt.asUintN(64, h * 116049371n + hashes[j]!);
      rows.push(nwords + Number(h % BigInt(buckets)));
    }
  }
  return rows;
}

function dictionaryOf(words: [string, number][], labels: string[], features: FeatureOptions): LabeledDictionary {
  return new LabeledDictionary(
    new Vocabulary(
      words.map(([word]) => word),
      Float64Array.from(words, ([, count]) => count),
    ),
    labels,
    new Float64Array(labels.length).fill(1),
    features,
  );
}

// normalize_text of fastText's classification-example.sh (without its label prefixing), run by sed itself.
const NORMALIZE_TEXT =
  `tr '[:upper:]' '[:lower:]' | sed -e "s/'/ ' /g" -e 's/"//g' -e 's/\\./ \\. /g' -e 's/<br \\/>/ /g' -e 's/,/ , /g' ` +
  `-e 's/(/ ( /g' -e 's/)/ ) /g' -e 's/\\!/ \\! /g' -e 's/\\?/ \\? /g' -e 's/\\;/ /g' -e 's/\\:/ /g' | tr -s " "`;
const hasSed = spawnSync('sh', ['-c', 'command -v sed && command -v tr'], { stdio: 'ignore' }).status === 0;

function randomText(random: () => number, pieces: string[], length: number): string {
  return Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join('');
}

describe('tokenizeText', () => {
  it('lowercases and splits punctuation off, leaving labels as written', () => {
    expect(tokenizeText(`__label__Pos  It's "GREAT",  (really)! Isn't it? Yes; no: maybe.<br />End`)).toEqual(
      ['__label__Pos', 'it', "'", 's', 'great', ',', '(', 'really', ')', '!', 'isn', "'", 't', 'it', '?', 'yes', 'no', 'maybe', '.', 'end'],
    );
    expect(tokenizeText('one __label__B_x two\t__label__c\r\n')).toEqual(['one', '__label__B_x', 'two', '__label__c']);
    expect(tokenizeText(' \t\v\f\r\n\0')).toEqual([]);
    expect(tokenizeText('ÉTÉ Σίσυφος')).toEqual(['été', 'σίσυφος']);
  });

  it.skipIf(!hasSed)("equals classification-example.sh's normalize_text on random ASCII text", () => {
    const random = seededRandom(7);
    const pieces = ['a', 'B', 'c', 'Z', ' ', ' ', '\t', "'", '"', '.', ',', '(', ')', '!', '?', ';', ':', '<br />', '<br', '/>', '<', '__', 'x_y'];
    const lines = Array.from({ length: 300 }, () => randomText(random, pieces, 1 + Math.floor(random() * 30)));
    const run = spawnSync('sh', ['-c', NORMALIZE_TEXT], { input: lines.join('\n') + '\n', encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    expect(run.status, run.stderr).toBe(0);
    const normalized = run.stdout.split('\n').slice(0, lines.length);
    lines.forEach((line, i) => {
      expect(tokenizeText(line), JSON.stringify(line)).toEqual(normalized[i]!.split(/[ \t\v\f\r]+/).filter((token) => token.length > 0));
    });
  });

  it('reads files (scanning lines in place) exactly as tokenizeText does, each line ended by </s>', () => {
    const random = seededRandom(11);
    const pieces = ['a', 'B', 'é', 'İ', 'Σ', 'ς', ' ', '\t', '\r', '\v', '\f', "'", '"', '.', ',', '(', ')', '!', '?', ';', ':', '<br />', '<BR />', '<br', '<', '_', '__label__', '__LABEL__', 'x'];
    const lines = Array.from({ length: 2000 }, () => randomText(random, pieces, Math.floor(random() * 25)));
    const read = new TokenizedLines();
    for (const line of lines) read.addLine(line);
    expect(read.lineCount).toBe(lines.length);
    lines.forEach((line, i) => {
      const ids = read.ids.subarray(read.lineOffsets[i]!, read.lineOffsets[i + 1]!);
      expect(Array.from(ids, (id) => read.tokens[id]), JSON.stringify(line)).toEqual([...tokenizeText(line), END_OF_LINE]);
    });
    const counted = new Map<string, number>();
    for (const line of lines) for (const token of [...tokenizeText(line), END_OF_LINE]) counted.set(token, (counted.get(token) ?? 0) + 1);
    expect(new Map(read.tokens.map((token, id) => [token, read.counts[id]!]))).toEqual(counted);
  });
});

describe('readLabeledData', () => {
  it('parses labels anywhere in a line, several a line, and sorts words and labels by count', async () => {
    const { dictionary, examples } = await readLabeledData(
      file('__label__b the cat sat\nthe dog __label__a ran __label__b\n__label__c The cat.\n'),
      { minCount: 1, features: NO_NGRAMS },
    );
    expect(dictionary.words.words).toEqual(['the', END_OF_LINE, 'cat', 'sat', 'dog', 'ran', '.']);
    expect(Array.from(dictionary.words.counts)).toEqual([3, 3, 2, 1, 1, 1, 1]);
    expect(dictionary.labels).toEqual(['__label__b', '__label__a', '__label__c']);
    expect(Array.from(dictionary.labelCounts)).toEqual([2, 1, 1]);
    expect(dictionary.labelIndex('__label__c')).toBe(2);
    expect(dictionary.labelIndex('a')).toBe(1);
    expect(dictionary.labelIndex('d')).toBe(-1);
    expect(examples.exampleCount).toBe(3);
    const id = (word: string): number => dictionary.words.indexOf(word);
    expect(example(examples, 0)).toEqual({ features: ['the', 'cat', 'sat', END_OF_LINE].map(id), labels: [0] });
    expect(example(examples, 1)).toEqual({ features: ['the', 'dog', 'ran', END_OF_LINE].map(id), labels: [1, 0] });
    expect(example(examples, 2)).toEqual({ features: ['the', 'cat', '.', END_OF_LINE].map(id), labels: [2] });
    // fastText's ntokens: words, labels and one </s> a line.
    expect(examples.tokenCount).toBe(5 + 6 + 5);
    expect(dictionary.tokenCount).toBe(examples.tokenCount);
    expect(Array.from(examples.tokenCounts!)).toEqual([5, 6, 5]);
    expect(examples.warnings).toEqual([]);
    expect(examples.features.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('drops words under min_count but keeps every label; ties keep first occurrence', async () => {
    const { dictionary, examples } = await readLabeledData(file('__label__x b a\n__label__y a b c\n__label__x d\n'), { minCount: 2, features: NO_NGRAMS });
    expect(dictionary.words.words).toEqual([END_OF_LINE, 'b', 'a']);
    expect(dictionary.labels).toEqual(['__label__x', '__label__y']);
    expect(example(examples, 2)).toEqual({ features: [0], labels: [0] });
  });

  it('gives known words their subword rows and unknown words only theirs; </s> has none', async () => {
    const features = { wordNgrams: 1, buckets: 1000, minn: 2, maxn: 3 };
    const { dictionary, examples } = await readLabeledData(file('__label__x ab ab cd\n__label__y ab\n'), { minCount: 2, features });
    expect(dictionary.words.words).toEqual(['ab', END_OF_LINE]);
    const rows = (word: string): number[] => Array.from(ngramBuckets(word, 2, 3, 1000), (bucket) => 2 + bucket);
    expect(example(examples, 0).features).toEqual([0, ...rows('ab'), 0, ...rows('ab'), ...rows('cd'), 1]);
    expect(example(examples, 1).features).toEqual([0, ...rows('ab'), 1]);
    expect(Array.from(dictionary.subwords!.rows.subarray(dictionary.subwords!.offsets[1], dictionary.subwords!.offsets[2]))).toEqual([]);
  });

  it('hashes word n-grams as fastText does, with uint64 arithmetic on sign-extended hashes', async () => {
    const random = seededRandom(3);
    const vocabulary: [string, number][] = [['w0', 9], ['w1', 8], [END_OF_LINE, 7]];
    for (const buckets of [10_000, 2_000_000, 99_999_989]) {
      for (const n of [2, 3, 5]) {
        const dictionary = dictionaryOf(vocabulary, ['__label__a'], { wordNgrams: n, buckets, minn: 0, maxn: 0 });
        const tokens = Array.from({ length: 60 }, () => (random() < 0.2 ? 'w1' : `t${Math.floor(random() * 1e9).toString(36)}`));
        const expected = [...tokens, END_OF_LINE].filter((token) => dictionary.words.indexOf(token) >= 0).map((token) => dictionary.words.indexOf(token));
        const features = Array.from(encodeTokens(tokens, dictionary));
        expect(features).toEqual([...expected, ...referenceWordNgrams([...tokens, END_OF_LINE], n, buckets, 3)]);
      }
    }
    // Half of all hashes are negative as int32: both signs occur, so sign extension was exercised.
    expect(new Set(['w1', 'tx', 'ty', 'tz', END_OF_LINE].map((token) => (fastTextHash(token) | 0) < 0)).size).toBe(2);
  });

  it('encodes a line of the file as encodeTokens encodes its tokens', async () => {
    const text = "__label__q what's the cat (a cat) doing?\nthe dog, __label__r the cat\n__label__q __label__r a dog's life.\n";
    const features = { wordNgrams: 3, buckets: 5000, minn: 2, maxn: 4 };
    const { dictionary, examples } = await readLabeledData(file(text), { minCount: 2, features });
    text.trimEnd().split('\n').forEach((line, i) => {
      expect(example(examples, i).features).toEqual(Array.from(encodeTokens(tokenizeText(line), dictionary)));
    });
  });

  it('reads gzip the same as plain text', async () => {
    const text = '__label__a x y z\n__label__b y z\n';
    const plain = await readLabeledData(file(text), { minCount: 1, features: { wordNgrams: 2, buckets: 100, minn: 0, maxn: 0 } });
    const gzip = await readLabeledData(file(text, true), { minCount: 1, features: { wordNgrams: 2, buckets: 100, minn: 0, maxn: 0 } });
    expect(gzip).toEqual(plain);
  });

  it('skips and counts lines without a label, not blank lines, and counts invalid UTF-8', async () => {
    // One invalid byte; the U+FFFD written validly in the text is no replacement.
    const bytes = Buffer.concat([Buffer.from('__label__a x \ufffd\nno label here\n\n   \n__label__b y '), Buffer.from([0xff, 0x0a])]);
    const { dictionary, examples } = await readLabeledData(file(bytes), { minCount: 1, features: NO_NGRAMS });
    expect(examples.exampleCount).toBe(2);
    expect(dictionary.words.counts[dictionary.words.indexOf('\ufffd')]).toBe(2);
    expect(examples.warnings).toEqual([
      { reason: 'lines without a __label__ prefix skipped', count: 1 },
      { reason: 'invalid UTF-8 sequences replaced with U+FFFD', count: 1 },
    ]);
  });

  it('takes a final line without a newline as a line', async () => {
    const { dictionary, examples } = await readLabeledData(file('__label__a x\n__label__b y'), { minCount: 1, features: NO_NGRAMS });
    expect(dictionary.words.counts[dictionary.words.indexOf(END_OF_LINE)]).toBe(2);
    expect(example(examples, 1).features).toEqual(['y', END_OF_LINE].map((word) => dictionary.words.indexOf(word)));
  });

  it('rejects unusable training files with an InputDataError naming the file', async () => {
    const missing = join(directory, 'missing.txt');
    await expectInputDataError(readLabeledData(missing, { minCount: 1, features: NO_NGRAMS }), /missing\.txt: file not found/);
    const folder = join(directory, 'folder');
    mkdirSync(folder);
    await expectInputDataError(readLabeledData(folder, { minCount: 1, features: NO_NGRAMS }), /is a directory without input files/);
    for (const empty of ['', '\n \n\t\n']) {
      const path = file(empty);
      await expectInputDataError(readLabeledData(path, { minCount: 1, features: NO_NGRAMS }), new RegExp(`^${path}: is empty`));
    }
    await expectInputDataError(readLabeledData(file('', true), { minCount: 1, features: NO_NGRAMS }), /is empty/);
    const binary = file(Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    await expectInputDataError(readLabeledData(binary, { minCount: 1, features: NO_NGRAMS }), /looks binary/);
    const corrupt = file(gzipSync(Buffer.from('__label__a x\n'.repeat(1000))).subarray(0, 60));
    await expectInputDataError(readLabeledData(corrupt, { minCount: 1, features: NO_NGRAMS }), /gzip|cannot read/);
    await expectInputDataError(readLabeledData(file('just text\nmore text\n'), { minCount: 1, features: NO_NGRAMS }), /no line has a __label__ prefix/);
    await expectInputDataError(readLabeledData(file('__label__a x\n__label__b y\n'), { minCount: 5, features: NO_NGRAMS }), /no labeled line has a word/);
  });

  it.skipIf(!existsSync(trecTrain) || !existsSync(join(classifyData, '20news.train.gz')))(
    'reads the normalised shared sets as fastText splits them',
    async () => {
      for (const name of ['trec.train', 'sst2.train', '20news.train.gz']) {
        const path = join(classifyData, name);
        const bytes = name.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path);
        const lines = bytes.toString('utf8').split('\n').filter((line) => line.length > 0);
        const split = (line: string): string[] => line.split(/[ \t\v\f\r]+/).filter((token) => token.length > 0);
        const words = new Set<string>();
        let tokenCount = 0;
        for (const line of lines) {
          const tokens = split(line);
          tokenCount += tokens.length + 1;
          for (const token of tokens) if (!token.startsWith('__label__')) words.add(token);
        }
        const { dictionary, examples } = await readLabeledData(path, { minCount: 1, features: NO_NGRAMS });
        expect(examples.exampleCount).toBe(lines.length);
        expect(examples.tokenCount).toBe(tokenCount);
        expect(dictionary.words.size).toBe(words.size + 1);
        for (const i of [0, Math.floor(lines.length / 2), lines.length - 1]) {
          const expected = [...split(lines[i]!).filter((token) => !token.startsWith('__label__')), END_OF_LINE];
          expect(example(examples, i).features.map((id) => dictionary.words.words[id])).toEqual(expected);
        }
      }
    },
  );
});

describe('encodeLabeledFile', () => {
  it('encodes with the training dictionary; unknown labels and label-less lines are skipped and counted', async () => {
    const { dictionary } = await readLabeledData(file('__label__a x y\n__label__b y z\n'), { minCount: 1, features: NO_NGRAMS });
    const validation = await encodeLabeledFile(file('__label__b x new\n__label__zz y\n__label__a __label__zz z\nno label\n'), dictionary);
    expect(validation.exampleCount).toBe(2);
    const id = (word: string): number => dictionary.words.indexOf(word);
    expect(example(validation, 0)).toEqual({ features: [id('x'), id(END_OF_LINE)], labels: [1] });
    expect(example(validation, 1)).toEqual({ features: [id('z'), id(END_OF_LINE)], labels: [0] });
    expect(validation.warnings).toEqual([
      { reason: 'lines whose labels are all unknown to the training set skipped', count: 1 },
      { reason: 'labels unknown to the training set ignored (on lines with a known one)', count: 1 },
      { reason: 'lines without a __label__ prefix skipped', count: 1 },
    ]);
    expect(validation.tokenCount).toBe(4 + 3 + 4 + 3);
  });

  it('rejects a set with no example of a known label', async () => {
    const { dictionary } = await readLabeledData(file('__label__a x\n'), { minCount: 1, features: NO_NGRAMS });
    await expectInputDataError(encodeLabeledFile(file('__label__b x\nno label\n'), dictionary), /validation set has no example with a known label/);
    await expectInputDataError(encodeLabeledFile(join(directory, 'nope.txt'), dictionary), /nope\.txt: file not found/);
  });
});

describe('labeled data in a directory', () => {
  it('reads its files in key order as one set, the same as their concatenation, for training and validation', async () => {
    const { folder, file: concatenation } = textInputFiles('labeled-directory');
    const random = seededRandom(5);
    const vocabulary = ['red', 'green', 'blue', 'dark', 'light', 'very'];
    const lines = (count: number): string =>
      Array.from({ length: count }, () => {
        const words = Array.from({ length: 1 + Math.floor(random() * 6) }, () => vocabulary[Math.floor(random() * vocabulary.length)]);
        return `__label__${random() < 0.5 ? 'warm' : 'cold'} ${words.join(' ')}`;
      }).join('\n') + '\n';
    const parts = ['a/one.txt.gz', 'b.txt', 'c/d/two.txt'].map((key) => [key, lines(80)] as const);
    const root = folder('train', Object.fromEntries([...parts].reverse()));
    const features: FeatureOptions = { wordNgrams: 2, buckets: 1000, minn: 0, maxn: 0 };
    const fromDirectory = await readLabeledData(root, { minCount: 2, features });
    const fromFile = await readLabeledData(concatenation(parts.map(([, text]) => text).join('')), { minCount: 2, features });
    expect(fromDirectory.dictionary.words.words).toEqual(fromFile.dictionary.words.words);
    expect(fromDirectory.dictionary.labels).toEqual(fromFile.dictionary.labels);
    expect(fromDirectory.dictionary.tokenCount).toBe(fromFile.dictionary.tokenCount);
    expect(fromDirectory.examples).toEqual(fromFile.examples);

    const validationParts = { 'x.txt': lines(30), 'y.txt.gz': lines(30) };
    const validation = await encodeLabeledFile(folder('valid', validationParts), fromFile.dictionary);
    expect(validation).toEqual(await encodeLabeledFile(concatenation(validationParts['x.txt'] + validationParts['y.txt.gz']), fromFile.dictionary));
  });
});

/** Softmax probabilities per label from a fastText model's matrices: hidden = mean of input rows, scores = output . hidden. */
function softmaxProbabilities(model: FastTextModel, features: Int32Array): number[] {
  const { dim } = model.args;
  const hidden = new Float64Array(dim);
  const input = model.input.toDense();
  for (const row of features) for (let d = 0; d < dim; d++) hidden[d]! += input[row * dim + d]!;
  for (let d = 0; d < dim; d++) hidden[d]! /= features.length;
  const scores = model.labels.map((_, label) => {
    let score = 0;
    for (let d = 0; d < dim; d++) score += model.output[label * dim + d]! * hidden[d]!;
    return score;
  });
  const top = Math.max(...scores);
  const exps = scores.map((score) => Math.exp(score - top));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

describe.skipIf(!hasFastText() || !existsSync(trecTrain) || !existsSync(trecTest))('features equal to fastText', () => {
  const trainLines = readFileSync(trecTrain, 'utf8').split('\n').slice(0, 300);
  const testLines = readFileSync(trecTest, 'utf8').split('\n').slice(0, 40);
  const settings = [
    { name: 'word bigrams', args: ['-wordNgrams', '2'] },
    { name: 'word trigrams', args: ['-wordNgrams', '3'] },
    { name: 'word bigrams and character n-grams', args: ['-wordNgrams', '2', '-minn', '2', '-maxn', '4'] },
  ];
  for (const setting of settings) {
    it(`predicts fastText's probabilities from our features (${setting.name})`, async () => {
      const work = join(directory, `fasttext-${setting.args.join('')}`);
      mkdirSync(work);
      writeFileSync(join(work, 'train.txt'), trainLines.join('\n') + '\n');
      const common = ['-input', 'train.txt', '-output', 'm', '-bucket', '10000', '-dim', '10', '-epoch', '20', '-lr', '0.5', '-minCount', '1'];
      trainFastText(work, ['supervised', ...common, ...setting.args]);
      const model = await readFastTextModel(join(work, 'm.bin'));
      const { wordNgrams, bucket, minn, maxn } = model.args;
      const features = { wordNgrams, buckets: bucket, minn, maxn };
      const dictionary = new LabeledDictionary(new Vocabulary(model.words, model.counts), model.labels, model.labelCounts, features);

      // Our dictionary of the same file holds the same entries (tie order aside) and counts the same tokens.
      const ours = await readLabeledData(join(work, 'train.txt'), { minCount: 1, features });
      const entries = (words: string[], counts: Float64Array): string[] => words.map((word, i) => `${word} ${counts[i]}`).sort();
      expect(entries(ours.dictionary.words.words, ours.dictionary.words.counts)).toEqual(entries(model.words, model.counts));
      expect(Array.from(ours.dictionary.words.counts)).toEqual(Array.from(model.counts));
      expect(entries(ours.dictionary.labels, ours.dictionary.labelCounts)).toEqual(entries(model.labels, model.labelCounts));
      expect(ours.examples.tokenCount).toBe(model.ntokens);

      const predicted = fastTextRows(['predict-prob', 'm.bin', '-', '3'], { cwd: work, input: testLines.join('\n') + '\n' });
      expect(predicted).toHaveLength(testLines.length);
      const withoutWordNgrams = new LabeledDictionary(dictionary.words, dictionary.labels, dictionary.labelCounts, { ...features, wordNgrams: 1 });
      let largestControlGap = 0;
      testLines.forEach((line, i) => {
        const probabilities = softmaxProbabilities(model, encodeTokens(tokenizeText(line), dictionary));
        const control = softmaxProbabilities(model, encodeTokens(tokenizeText(line), withoutWordNgrams));
        const row = predicted[i]!;
        for (let k = 0; k < row.length; k += 2) {
          const label = model.labels.indexOf(row[k]!);
          expect(label).toBeGreaterThanOrEqual(0);
          expect(probabilities[label]!).toBeCloseTo(Number(row[k + 1]), 4);
          largestControlGap = Math.max(largestControlGap, Math.abs(control[label]! - Number(row[k + 1])));
        }
      });
      // The comparison can fail: leaving the word n-gram rows out moves the probabilities well beyond the tolerance.
      expect(largestControlGap).toBeGreaterThan(1e-3);
    });
  }
});
