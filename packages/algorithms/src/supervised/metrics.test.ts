import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFastTextModel } from '../formats/fasttext-model.js';
import { writeLines } from '../testing/corpus-files.js';
import { hasFastText, trainFastText } from '../testing/reference-tools.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { SparseRowMatrix } from '../sparse-row-matrix.js';
import { Vocabulary } from '../vocabulary.js';
import { Classifier } from './classifier.js';
import { LabeledDictionary, encodeLabeledFile, type LabeledExamples } from './labeled-data.js';
import { classificationMetrics, precisionAtK } from './metrics.js';

const LABELS = ['__label__a', '__label__b', '__label__c', '__label__d'];
const [A, B, C] = [0, 1, 2];

/** Examples in CSR form; example i has the single feature i, so that a stand-in classifier knows which one it sees. */
function examplesOf(gold: number[][], features: number[][] = gold.map((_, i) => [i])): LabeledExamples {
  const offsets = (rows: number[][]) => Int32Array.from([0, ...rows.map((_, i) => rows.slice(0, i + 1).flat().length)]);
  return {
    exampleCount: gold.length,
    featureOffsets: offsets(features),
    features: Int32Array.from(features.flat()),
    labelOffsets: offsets(gold),
    labels: Int32Array.from(gold.flat()),
    tokenCount: 0,
    warnings: [],
  };
}

/** A classifier whose ranking of each example is given: [label id, probability] best first. */
function rankingClassifier(rankings: [number, number][][]): Classifier {
  const dictionary = new LabeledDictionary(new Vocabulary([], new Float64Array(0)), LABELS, new Float64Array(LABELS.length), { wordNgrams: 1, buckets: 1, minn: 0, maxn: 0 });
  const predictIds = (features: Int32Array, k = 1, threshold = 0) => {
    const ranking = features.length === 0 ? [] : rankings[features[0]!]!.filter(([, p]) => p >= threshold).slice(0, k);
    return { ids: ranking.map(([id]) => id), probabilities: ranking.map(([, p]) => p) };
  };
  return { dictionary, predictIds } as unknown as Classifier;
}

const GOLD = [[A], [A], [B], [B, C], [C], []];
const RANKINGS: [number, number][][] = [
  [[A, 0.7], [B, 0.2], [C, 0.1]],
  [[B, 0.6], [A, 0.3], [C, 0.1]],
  [[B, 0.9], [C, 0.05], [A, 0.05]],
  [[C, 0.5], [B, 0.4], [A, 0.1]],
  [[A, 0.5], [C, 0.45], [B, 0.05]],
  [[A, 1]],
];

describe('classificationMetrics', () => {
  const metrics = classificationMetrics(rankingClassifier(RANKINGS), examplesOf(GOLD));

  it('counts a top-1 hit when the prediction is any gold label, skipping examples without one', () => {
    expect(metrics.examples).toBe(5);
    expect(metrics.accuracy).toBeCloseTo(3 / 5, 12);
  });

  it('builds the confusion matrix from the first gold label (rows) and the prediction (columns)', () => {
    expect(metrics.confusionMatrix.labels).toEqual(LABELS);
    expect(metrics.confusionMatrix.counts).toEqual([
      [1, 1, 0, 0],
      [0, 1, 1, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('scores every label against its first-gold-label class, 0 where nothing was predicted or gold', () => {
    expect(metrics.labels).toEqual([
      { label: '__label__a', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { label: '__label__b', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { label: '__label__c', precision: 0, recall: 0, f1: 0, support: 1 },
      { label: '__label__d', precision: 0, recall: 0, f1: 0, support: 0 },
    ]);
  });

  it('counts an example without a prediction as a miss in no column', () => {
    const withEmpty = classificationMetrics(rankingClassifier(RANKINGS), examplesOf([[A], [A]], [[0], []]));
    expect(withEmpty).toMatchObject({ examples: 2, accuracy: 0.5 });
    expect(withEmpty.confusionMatrix.counts[A]).toEqual([1, 0, 0, 0]);
    expect(withEmpty.labels[A]).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
  });

  it('is 0 accuracy on no examples, not NaN, so that metrics.json stays valid JSON', () => {
    expect(classificationMetrics(rankingClassifier(RANKINGS), examplesOf([]))).toMatchObject({ examples: 0, accuracy: 0 });
  });
});

describe('precisionAtK', () => {
  const classifier = rankingClassifier(RANKINGS);
  const examples = examplesOf(GOLD);

  it('divides correct predictions by predictions made (precision) and by gold labels (recall)', () => {
    // Top 1: a, b, b, c, a against gold a, a, b, {b, c}, c: 3 correct of 5 predictions and 6 gold labels.
    expect(precisionAtK(classifier, examples, 1)).toEqual({ examples: 5, k: 1, precision: 3 / 5, recall: 3 / 6 });
    // Top 2: {a,b} {b,a} {b,c} {c,b} {a,c}: 6 correct of 10 predictions; every gold label is found.
    expect(precisionAtK(classifier, examples, 2)).toEqual({ examples: 5, k: 2, precision: 6 / 10, recall: 6 / 6 });
  });

  it('drops predictions below the threshold, so fewer than k may count', () => {
    // Kept: {a} {b} {b} {c} {a, c}: 4 correct of 6.
    expect(precisionAtK(classifier, examples, 2, 0.45)).toEqual({ examples: 5, k: 2, precision: 4 / 6, recall: 4 / 6 });
  });

  it('is NaN where nothing was predicted or nothing is gold, as fastText prints it', () => {
    const none = precisionAtK(classifier, examples, 1, 1.5);
    expect(none.precision).toBeNaN();
    expect(none.recall).toBe(0);
    expect(precisionAtK(classifier, examplesOf([]), 1).recall).toBeNaN();
  });

  it('skips examples without input features, as fastText skips empty lines', () => {
    expect(precisionAtK(classifier, examplesOf([[A], [A]], [[0], []]), 1)).toEqual({ examples: 1, k: 1, precision: 1, recall: 1 });
  });
});

describe('metrics of a real classifier', () => {
  // Words "good" and "bad" point the hidden vector at the rows of labels pos and neg: predictions are known by construction.
  const words = new Vocabulary(['</s>', 'good', 'bad'], Float64Array.from([4, 2, 2]));
  const dictionary = new LabeledDictionary(words, ['__label__pos', '__label__neg'], Float64Array.from([2, 2]), { wordNgrams: 1, buckets: 1, minn: 0, maxn: 0 });
  const input = Float32Array.from([0, 0, 1, 0, 0, 1, 0, 0]);
  const output = Float32Array.from([10, 0, 0, 10]);
  const classifier = new Classifier(dictionary, 'softmax', 2, SparseRowMatrix.dense(input, 2), output);
  const [EOS, GOOD, BAD] = [0, 1, 2];
  const [POS, NEG] = [0, 1];

  it('scores predictions of the softmax classifier', () => {
    const examples = examplesOf([[POS], [NEG], [NEG], [POS, NEG]], [[GOOD, EOS], [BAD, EOS], [GOOD, EOS], [BAD, EOS]]);
    const metrics = classificationMetrics(classifier, examples);
    expect(metrics.accuracy).toBeCloseTo(3 / 4, 12);
    expect(metrics.confusionMatrix.counts).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(precisionAtK(classifier, examples, 2)).toEqual({ examples: 4, k: 2, precision: 5 / 8, recall: 5 / 5 });
  });
});

describe.skipIf(!hasFastText())('precisionAtK against fasttext test', () => {
  const dir = temporaryDirectory('metrics-test-');
  const random = seededRandom(7);
  const topics = ['alpha beta gamma delta', 'red green blue black', 'one two three four'].map((t) => t.split(' '));
  const line = (): string => {
    const topic = Math.floor(random() * topics.length);
    const second = random() < 0.3 ? ` __label__t${(topic + 1) % topics.length}` : '';
    const words = Array.from({ length: 8 }, () => {
      const from = random() < 0.7 ? topics[topic]! : topics[Math.floor(random() * topics.length)]!;
      return from[Math.floor(random() * from.length)];
    });
    return `__label__t${topic}${second} ${words.join(' ')}`;
  };
  writeLines(join(dir, 'train.txt'), Array.from({ length: 300 }, line));
  writeLines(join(dir, 'test.txt'), Array.from({ length: 200 }, line));

  it('prints the same N, P@k and R@k for a model fastText trained', async () => {
    trainFastText(dir, ['supervised', '-input', 'train.txt', '-output', 'model', '-dim', '8', '-epoch', '5', '-lr', '0.3', '-wordNgrams', '2', '-bucket', '1000', '-minCount', '1', '-seed', '1']);
    const classifier = Classifier.fromFastTextModel(await readFastTextModel(join(dir, 'model.bin')));
    const examples = await encodeLabeledFile(join(dir, 'test.txt'), classifier.dictionary);
    for (const k of [1, 2]) {
      const printed = execFileSync('fasttext', ['test', 'model.bin', 'test.txt', String(k)], { cwd: dir, encoding: 'utf8' });
      const [n, p, r] = printed.trim().split('\n').map((row) => Number(row.split('\t')[1]));
      const ours = precisionAtK(classifier, examples, k);
      expect(ours.examples).toBe(n);
      expect(Number(ours.precision.toPrecision(3))).toBe(p);
      expect(Number(ours.recall.toPrecision(3))).toBe(r);
    }
  });
});
