import { describe, expect, it } from 'vitest';
import { SparseRowMatrix } from '../sparse-row-matrix.js';
import { Vocabulary } from '../vocabulary.js';
import { Classifier } from './classifier.js';
import { END_OF_LINE, FeatureEncoder, LabeledDictionary, encodeTokens, tokenizeText } from './labeled-data.js';

/** Deterministic pseudo-random floats in [-1, 1), so that the test needs no trained model. */
function randomMatrix(length: number, seed: number): Float32Array {
  const values = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

/** The classifier of the tests; `zeroRows` makes every third bucket row zero, stored densely or left out (sparse). */
function classifier(loss: 'softmax' | 'ns' | 'hs', dim: number, zeroRows?: 'dense' | 'sparse'): Classifier {
  const words = [END_OF_LINE, ...Array.from({ length: 60 }, (_, i) => `w${i}`)];
  const labels = ['__label__a', '__label__b', '__label__c', '__label__d', '__label__e'];
  const buckets = 500;
  const dictionary = new LabeledDictionary(
    new Vocabulary(words, Float64Array.from(words, (_, i) => 100 - i)),
    labels,
    Float64Array.of(50, 40, 30, 20, 10),
    { wordNgrams: 2, buckets, minn: 0, maxn: 0 },
  );
  const rows = words.length + buckets;
  const values = randomMatrix(rows * dim, 7);
  let input = SparseRowMatrix.dense(values, dim);
  if (zeroRows !== undefined) {
    const zero = (row: number) => row >= words.length && row % 3 === 0;
    const kept = Int32Array.from({ length: rows }, (_, row) => row).filter((row) => !zero(row));
    for (let row = 0; row < rows; row++) if (zero(row)) values.fill(0, row * dim, (row + 1) * dim);
    const stored = new Float32Array(kept.length * dim);
    kept.forEach((row, at) => stored.set(values.subarray(row * dim, (row + 1) * dim), at * dim));
    input = zeroRows === 'dense' ? SparseRowMatrix.dense(values, dim) : new SparseRowMatrix(rows, dim, stored, kept);
  }
  return new Classifier(dictionary, loss, dim, input, randomMatrix(labels.length * dim, 11));
}

const texts = Array.from({ length: 2600 }, (_, i) => Array.from({ length: 1 + (i % 23) }, (_, j) => `w${(i * 7 + j * 13) % 70}`).join(' '));

describe('Classifier after many predictions (hidden vector by the WebAssembly kernel)', () => {
  it.each([
    ['softmax', 13],
    ['ns', 16],
    ['hs', 24],
  ] as const)('predicts exactly as a fresh classifier does, loss %s, dim %i', (loss, dim) => {
    const warm = classifier(loss, dim);
    const late = texts.map((text) => warm.predict(text, 3)).slice(-400);
    const fresh = classifier(loss, dim);
    expect(texts.slice(-400).map((text) => fresh.predict(text, 3))).toEqual(late);
  });
});

describe('Classifier with zero rows left out of its input matrix', () => {
  it.each(['softmax', 'ns', 'hs'] as const)('predicts exactly as with the zeros stored, loss %s (both hidden-vector paths)', (loss) => {
    const sparse = classifier(loss, 12, 'sparse');
    const dense = classifier(loss, 12, 'dense');
    expect(sparse.input.storedRows).toBeLessThan(dense.input.storedRows);
    expect(texts.map((text) => sparse.predict(text, 3))).toEqual(texts.map((text) => dense.predict(text, 3)));
  });
});

describe('FeatureEncoder.encodeText', () => {
  it('encodes as encodeTokens(tokenizeText(text)) does, on texts the scanner takes and texts it leaves', () => {
    const { dictionary } = classifier('softmax', 4);
    const encoder = new FeatureEncoder(dictionary);
    const samples = [
      '',
      'w1 w2 w3',
      'W1, w2 (w3)! w4? unknown w5.',
      "it's w7;w8:w9<br />w10 <br w11",
      'w1 "w2" w3',
      'w1 __label__a w2',
      'w1 __LABEL__B w2',
      '__label__a w1 w2',
      '__label__a __label__b, w3 w4.',
      'w1 __label__c,d (w5) __label__e',
      'w1__label__f w2 __LABEL__G,w3 x__label__h',
      '\t__label__a\tw1 __label__İ w2',
      'İ __label__a w1',
      `w1 ${END_OF_LINE} w2 w3`,
      ' \t w12\r\n w13 \v\f w14\0w15 ',
      'İstanbul w1 ÉCOLE w2',
    ];
    for (const text of [...samples, ...texts.slice(0, 50)]) {
      expect(Array.from(encoder.encodeText(text)), text).toEqual(Array.from(encodeTokens(tokenizeText(text), dictionary)));
    }
  });
});

describe('FeatureEncoder.encodeBytes', () => {
  const pieces = ['w1', 'W2', 'w33', 'w69', 'x', 'unknown', '__label__a', '__LABEL__b', '__label__', '<br />', '<BR />', '<br', '</s>',
    '</S>', '<', '"', "'", '.', ',', '(', ')', '!', '?', ';', ':', '_', ' ', ' ', ' ', '\t', '\v', '\f', '\0', '\r', 'é', 'İ'];

  it('encodes the bytes of ASCII lines as encodeText does, and leaves the lines it does not cover to it', () => {
    const { dictionary } = classifier('softmax', 4);
    const encoder = new FeatureEncoder(dictionary);
    const utf8 = new TextEncoder();
    let state = 17;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    let covered = 0;
    for (let line = 0; line < 4000; line++) {
      const text = Array.from({ length: random(14) }, () => pieces[random(pieces.length)]!).join(random(3) === 0 ? '' : ' ');
      // Bytes around the line, to check that only [start, end) is read.
      const bytes = utf8.encode(`ab ${text}\nw1`);
      const fromBytes = encoder.encodeBytes(bytes, 3, bytes.length - 3);
      const expected = Array.from(encodeTokens(tokenizeText(text), dictionary));
      if (fromBytes === undefined) {
        expect(/[\u0080-\uffff"]|<\/s>/i.test(text), text).toBe(true);
        continue;
      }
      covered++;
      expect(Array.from(fromBytes), JSON.stringify(text)).toEqual(expected);
    }
    expect(covered).toBeGreaterThan(1000);
  });
});
