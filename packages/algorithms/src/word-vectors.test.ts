import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeWord2VecText } from './formats/word2vec-text.js';
import { ngramBuckets } from './subwords.js';
import { cosine } from './testing/reference-formulas.js';
import { hasGensim, runSystemPython } from './testing/reference-tools.js';
import { seededRandom } from './testing/seeded-random.js';
import { temporaryDirectory } from './testing/temporary-directory.js';
import { numberedWords, randomWordVectors } from './testing/test-vectors.js';
import { WordVectors } from './word-vectors.js';

function randomVectors(count: number, dim: number, seed: number): WordVectors {
  const random = seededRandom(seed);
  return randomWordVectors(numberedWords(count), dim, () => random() - 0.5);
}

describe('WordVectors', () => {
  const vectors = randomVectors(500, 16, 1);

  it('looks words up and computes cosine similarity', () => {
    expect(vectors.indexOf('w7')).toBe(7);
    expect(vectors.indexOf('nope')).toBe(-1);
    expect(vectors.vector('nope')).toBeUndefined();
    expect(Array.from(vectors.vector('w3')!)).toEqual(Array.from(vectors.matrix.subarray(48, 64)));
    expect(vectors.similarity('w1', 'w2')).toBeCloseTo(cosine(vectors.vector('w1')!, vectors.vector('w2')!), 6);
    expect(vectors.similarity('w1', 'w1')).toBeCloseTo(1, 6);
    expect(vectors.similarity('w1', 'nope')).toBeUndefined();
  });

  it('mostSimilar ranks like a brute-force full sort and skips the query words', () => {
    const query = new Float64Array(16);
    for (const [word, sign] of [['w1', 1], ['w2', 1], ['w3', -1]] as const) {
      const v = vectors.vector(word)!;
      const norm = Math.hypot(...v);
      for (let d = 0; d < 16; d++) query[d]! += (sign * v[d]!) / norm;
    }
    const expected = vectors.words
      .map((word, row) => ({ word, similarity: cosine(query, vectors.matrix.subarray(row * 16, row * 16 + 16)) }))
      .filter(({ word }) => !['w1', 'w2', 'w3'].includes(word))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, 7);
    const result = vectors.mostSimilar(['w1', 'w2'], ['w3'], 7);
    expect(result.map((r) => r.word)).toEqual(expected.map((r) => r.word));
    result.forEach((r, i) => expect(r.similarity).toBeCloseTo(expected[i]!.similarity, 5));
  });

  it('mostSimilar handles k beyond the vocabulary and unknown query words', () => {
    const small = randomVectors(5, 4, 2);
    expect(small.mostSimilar(['w0'], [], 100)).toHaveLength(4);
    expect(small.mostSimilar(['unknown'])).toEqual([]);
    expect(small.mostSimilar([], [])).toEqual([]);
    const restricted = small.mostSimilar(['w0'], [], 10, 3);
    expect(restricted.map((r) => r.word).sort()).toEqual(['w1', 'w2']);
  });

  it('gives unknown words the average of their n-gram vectors with subwords', () => {
    const buckets = 50;
    const random = seededRandom(3);
    const ngramVectors = Float32Array.from({ length: buckets * 4 }, () => random());
    const withSubwords = new WordVectors(['known'], 4, new Float32Array(4), { minn: 2, maxn: 3, buckets, ngramVectors });
    const ids = ngramBuckets('unknown', 2, 3, buckets);
    const expected = [0, 1, 2, 3].map((d) => Array.from(ids).reduce((sum, id) => sum + ngramVectors[id * 4 + d]!, 0) / ids.length);
    Array.from(withSubwords.vector('unknown')!).forEach((value, d) => expect(value).toBeCloseTo(expected[d]!, 5));
    expect(withSubwords.vector('known')).toEqual(new Float32Array(4));
  });
});

describe.skipIf(!hasGensim())('mostSimilar against gensim', () => {
  const directory = temporaryDirectory('word-vectors-');

  it('returns the same neighbours and scores as KeyedVectors.most_similar', async () => {
    const vectors = randomVectors(300, 10, 9);
    const path = join(directory, 'vectors.txt');
    await writeWord2VecText(path, vectors);
    const script = [
      'import json, sys',
      'from gensim.models import KeyedVectors',
      'kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=False)',
      "print(json.dumps([[w, float(s)] for w, s in kv.most_similar(positive=['w4', 'w5'], negative=['w6'], topn=8)]))",
    ].join('\n');
    const run = runSystemPython(script, [path]);
    expect(run.stderr).not.toMatch(/Error/);
    const gensim = JSON.parse(run.stdout) as [string, number][];
    const ours = vectors.mostSimilar(['w4', 'w5'], ['w6'], 8);
    expect(ours.map((r) => r.word)).toEqual(gensim.map(([word]) => word));
    ours.forEach((r, i) => expect(r.similarity).toBeCloseTo(gensim[i]![1], 5));
  });
});
