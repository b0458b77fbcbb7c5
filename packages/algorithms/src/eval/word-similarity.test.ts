import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputDataError } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { cosine, naiveSpearman } from '../testing/reference-formulas.js';
import { hasScipy, runSystemPython } from '../testing/reference-tools.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { randomWordVectors } from '../testing/test-vectors.js';
import { WordVectors } from '../word-vectors.js';
import { evaluateWordSimilarity, evaluateWordSimilarityFiles, readWordSimilarityFile, type WordPair } from './word-similarity.js';

const BUNDLED = fileURLToPath(new URL('../../data/wordsim/', import.meta.url));
const WS353 = ['EN-WS-353-ALL.txt', 'EN-WS-353-REL.txt', 'EN-WS-353-SIM.txt'];

const work = temporaryDirectory('word-similarity-test-');

/** Random vectors for about 70% of the WS-353 words plus some others, in a seeded order. */
function partialWs353Vectors(dim: number): WordVectors {
  const random = seededRandom(353);
  const ws = new Set(readFileSync(join(BUNDLED, 'EN-WS-353-ALL.txt'), 'utf8').split(/\s+/).filter((w) => /^[a-z]/.test(w)));
  const words = [...ws].filter(() => random() < 0.7).concat(['zzfiller', 'qqfiller']);
  return randomWordVectors(words, dim, () => random() * 2 - 1);
}

/** Independent reference: float64 cosines, ranks by counting, Pearson by raw sums. */
function naiveRho(vectors: WordVectors, pairs: WordPair[]): { rho: number; notFound: number } {
  const cos: number[] = [];
  const gold: number[] = [];
  for (const { a, b, score } of pairs) {
    const i = vectors.words.indexOf(a);
    const j = vectors.words.indexOf(b);
    if (i < 0 || j < 0) continue;
    const u = vectors.matrix.subarray(i * vectors.dim, (i + 1) * vectors.dim);
    const v = vectors.matrix.subarray(j * vectors.dim, (j + 1) * vectors.dim);
    cos.push(cosine(u, v));
    gold.push(score);
  }
  return { rho: naiveSpearman(cos, gold), notFound: pairs.length - cos.length };
}

describe('readWordSimilarityFile', () => {
  it('reads tab- and space-separated lines, skipping blank lines and comments', async () => {
    const path = join(work, 'mixed.txt');
    writeFileSync(path, '# gold\nTiger\tcat\t7.35\r\n\n  car  automobile 8.94 \n');
    expect(await readWordSimilarityFile(path)).toEqual([
      { a: 'Tiger', b: 'cat', score: 7.35 },
      { a: 'car', b: 'automobile', score: 8.94 },
    ]);
  });

  it('names the file and line of a malformed line', async () => {
    const path = join(work, 'broken.txt');
    writeFileSync(path, 'tiger cat 7.35\ntiger cat seven\n');
    const error = await readWordSimilarityFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as InputDataError).source).toBe(`${path}:2`);
    await expect(readWordSimilarityFile(join(work, 'absent.txt'))).rejects.toThrow(InputDataError);
  });
});

describe('evaluateWordSimilarity', () => {
  const vectors = new WordVectors(['king', 'queen', 'man', 'woman'], 2, new Float32Array([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]));

  it('counts pairs with an unknown word in not_found and ranks the rest', () => {
    const pairs = [
      { a: 'King', b: 'queen', score: 9 },
      { a: 'man', b: 'WOMAN', score: 8 },
      { a: 'king', b: 'woman', score: 2 },
      { a: 'king', b: 'dragon', score: 5 },
      { a: 'unicorn', b: 'man', score: 1 },
    ];
    const result = evaluateWordSimilarity(vectors, pairs);
    expect(result.not_found).toBe(2);
    expect(result.total_pairs).toBe(5);
    // cosines: king-queen 0.99, man-woman 0.99, king-woman 0.11; gold 9, 8, 2
    expect(result.spearmans_rho).toBeCloseTo(naiveRho(vectors, pairs.map((p) => ({ ...p, a: p.a.toLowerCase(), b: p.b.toLowerCase() }))).rho, 12);
    expect(result.spearmans_rho).toBeGreaterThan(0.8);
  });

  it('gives unknown words vectors from their n-grams with subwords, so none is missing', () => {
    const dim = 4;
    const buckets = 50;
    const random = seededRandom(3);
    const withSubwords = new WordVectors(['king'], dim, new Float32Array(dim).fill(1), {
      minn: 3,
      maxn: 4,
      buckets,
      ngramVectors: new Float32Array(buckets * dim).map(() => random() - 0.5),
    });
    const result = evaluateWordSimilarity(withSubwords, [
      { a: 'kingdom', b: 'king', score: 9 },
      { a: 'dragon', b: 'king', score: 3 },
      { a: 'castle', b: 'moat', score: 6 },
    ]);
    expect(result.not_found).toBe(0);
  });
});

describe('evaluateWordSimilarityFiles', () => {
  const vectors = partialWs353Vectors(16);

  it('writes BlazingText eval.json: WS-353 ALL/REL/SIM and mean_rho, equal to an independent computation', async () => {
    const json = await evaluateWordSimilarityFiles(vectors);
    expect(Object.keys(json)).toEqual([...WS353, 'mean_rho']);
    const totals = [353, 252, 203];
    let sum = 0;
    for (const [i, name] of WS353.entries()) {
      const entry = json[name] as { not_found: number; spearmans_rho: number; total_pairs: number };
      const reference = naiveRho(vectors, await readWordSimilarityFile(join(BUNDLED, name)));
      expect(entry.total_pairs).toBe(totals[i]);
      expect(entry.not_found).toBe(reference.notFound);
      expect(entry.not_found).toBeGreaterThan(0);
      expect(entry.spearmans_rho).toBeCloseTo(reference.rho, 10);
      sum += entry.spearmans_rho;
    }
    expect(json.mean_rho).toBeCloseTo(sum / 3, 12);
  });

  it('includes extra gold files, keyed by base name, in mean_rho', async () => {
    const extra = join(work, 'my-gold.txt');
    writeFileSync(extra, 'tiger cat 7\nking queen 8\nbread butter 6\nzzfiller qqfiller 1\nnope nada 3\n');
    const json = await evaluateWordSimilarityFiles(vectors, [extra]);
    expect(Object.keys(json)).toEqual([...WS353, 'mean_rho', 'my-gold.txt']);
    const mine = json['my-gold.txt'] as { total_pairs: number; not_found: number };
    expect(mine.total_pairs).toBe(5);
    const rhos = [...WS353, 'my-gold.txt'].map((k) => (json[k] as { spearmans_rho: number }).spearmans_rho);
    expect(json.mean_rho).toBeCloseTo(rhos.reduce((a, b) => a + b, 0) / 4, 12);
    await expect(evaluateWordSimilarityFiles(vectors, [join(work, 'EN-WS-353-ALL.txt')])).rejects.toThrow(InputDataError);
  });

  it.skipIf(!hasScipy())('agrees with scipy.stats.spearmanr over a vectors.txt to 1e-6', async () => {
    const path = join(work, 'vectors.txt');
    const lines = [`${vectors.words.length} ${vectors.dim}`];
    for (const [i, word] of vectors.words.entries()) {
      lines.push(`${word} ${Array.from(vectors.matrix.subarray(i * vectors.dim, (i + 1) * vectors.dim)).join(' ')}`);
    }
    writeFileSync(path, lines.join('\n') + '\n');
    const script = `
import json, sys, numpy as np
from scipy.stats import spearmanr
rows = open(sys.argv[1]).read().split('\\n')[1:]
vec = {r.split(' ')[0]: np.array([float(x) for x in r.split(' ')[1:]]) for r in rows if r}
out = {}
for path in sys.argv[2:]:
    sims, gold, missing, total = [], [], 0, 0
    for line in open(path):
        a, b, s = line.split()
        total += 1
        if a in vec and b in vec:
            u, v = vec[a], vec[b]
            sims.append(u @ v / np.sqrt((u @ u) * (v @ v))); gold.append(float(s))
        else:
            missing += 1
    out[path.split('/')[-1]] = {'not_found': missing, 'spearmans_rho': spearmanr(sims, gold).correlation, 'total_pairs': total}
print(json.dumps(out))
`;
    const run = runSystemPython(script, [path, ...WS353.map((n) => join(BUNDLED, n))]);
    expect(run.stderr).toBe('');
    const reference = JSON.parse(run.stdout) as Record<string, { not_found: number; spearmans_rho: number; total_pairs: number }>;
    const json = await evaluateWordSimilarityFiles(vectors);
    for (const name of WS353) {
      const ours = json[name] as { not_found: number; spearmans_rho: number; total_pairs: number };
      expect(ours.not_found).toBe(reference[name]!.not_found);
      expect(ours.total_pairs).toBe(reference[name]!.total_pairs);
      expect(Math.abs(ours.spearmans_rho - reference[name]!.spearmans_rho)).toBeLessThan(1e-6);
    }
  });
});
