import { describe, expect, it } from 'vitest';
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

function classifier(loss: 'softmax' | 'ns' | 'hs', dim: number): Classifier {
  const words = [END_OF_LINE, ...Array.from({ length: 60 }, (_, i) => `w${i}`)];
  const labels = ['__label__a', '__label__b', '__label__c', '__label__d', '__label__e'];
  const buckets = 500;
  const dictionary = new LabeledDictionary(
    new Vocabulary(words, Float64Array.from(words, (_, i) => 100 - i)),
    labels,
    Float64Array.of(50, 40, 30, 20, 10),
    { wordNgrams: 2, buckets, minn: 0, maxn: 0 },
  );
  return new Classifier(dictionary, loss, dim, randomMatrix((words.length + buckets) * dim, 7), randomMatrix(labels.length * dim, 11));
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
      `w1 ${END_OF_LINE} w2 w3`,
      ' \t w12\r\n w13 \v\f w14\0w15 ',
      'İstanbul w1 ÉCOLE w2',
    ];
    for (const text of [...samples, ...texts.slice(0, 50)]) {
      expect(Array.from(encoder.encodeText(text)), text).toEqual(Array.from(encodeTokens(tokenizeText(text), dictionary)));
    }
  });
});
