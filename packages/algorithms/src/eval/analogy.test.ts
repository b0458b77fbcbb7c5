import { join } from 'node:path';
import { InputDataError } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { writeLines } from '../testing/corpus-files.js';
import { hasGensim, runSystemPython } from '../testing/reference-tools.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { numberedWords, randomWordVectors } from '../testing/test-vectors.js';
import { WordVectors } from '../word-vectors.js';
import { evaluateAnalogies } from './analogy.js';

const work = temporaryDirectory('analogy-test-');

function writeQuestions(name: string, lines: string[]): string {
  const path = join(work, name);
  writeLines(path, lines);
  return path;
}

/** Vectors where b - a + c is, by construction, nearest to d: pairs differ by a shared offset axis. */
function constructedVectors(): WordVectors {
  const dim = 12;
  const rows: [string, number[]][] = [];
  const axis = (...ones: number[]): number[] => Array.from({ length: dim }, (_, k) => (ones.includes(k) ? 1 : 0));
  ['france', 'germany', 'italy', 'spain'].forEach((w, i) => rows.push([w, axis(i)]));
  ['paris', 'berlin', 'rome', 'madrid'].forEach((w, i) => rows.push([w, axis(i, 8)]));
  ['quick', 'slow', 'loud'].forEach((w, i) => rows.push([w, axis(4 + i)]));
  ['quickly', 'slowly', 'loudly'].forEach((w, i) => rows.push([w, axis(4 + i, 9)]));
  rows.push(['the', axis(10)], ['rare', axis(11)]);
  return new WordVectors(rows.map((r) => r[0]), dim, new Float32Array(rows.flatMap((r) => r[1])));
}

describe('evaluateAnalogies', () => {
  it('scores 3CosAdd answers known by construction, per section and semantic/syntactic', async () => {
    const capitals: [string, string][] = [['France', 'Paris'], ['Germany', 'Berlin'], ['Italy', 'Rome'], ['Spain', 'Madrid']];
    const semantic = capitals.flatMap(([a, b], i) => capitals.filter((_, j) => j !== i).map(([c, d]) => `${a} ${b} ${c} ${d}`));
    const path = writeQuestions('constructed.txt', [
      ': capital-common-countries',
      ...semantic,
      ': gram1-adjective-to-adverb',
      'quick quickly slow slowly',
      'slow slowly loud loudly',
      'quick quickly loud quickly', // wrong by construction: the expected answer is b, which is excluded
      'quick quickly slow dragonly', // skipped: unknown word
      'quick quickly rare rarely', // skipped: unknown word
      ': family',
      'loud loudly quick quickly', // after a gram section: counted as syntactic
    ]);
    const result = await evaluateAnalogies(constructedVectors(), path);
    expect(result.sections).toEqual([
      { section: 'capital-common-countries', correct: 12, total: 12, accuracy: 1 },
      { section: 'gram1-adjective-to-adverb', correct: 2, total: 3, accuracy: 2 / 3 },
      { section: 'family', correct: 1, total: 1, accuracy: 1 },
    ]);
    expect(result.semantic).toEqual({ correct: 12, total: 12, accuracy: 1 });
    expect(result.syntactic).toEqual({ correct: 3, total: 4, accuracy: 0.75 });
    expect(result.overall).toEqual({ correct: 15, total: 16, accuracy: 15 / 16 });
    expect(result.skipped).toBe(2);
  });

  it('only considers and answers with the restrictVocab most frequent words', async () => {
    const vectors = constructedVectors();
    const path = writeQuestions('restricted.txt', [': capital-common-countries', 'france paris germany berlin', 'france paris spain madrid']);
    // madrid is row 7: with 7 rows it is outside, so its question is skipped
    const result = await evaluateAnalogies(vectors, path, 7);
    expect(result.overall).toEqual({ correct: 1, total: 1, accuracy: 1 });
    expect(result.skipped).toBe(1);
  });

  it('names the line of a malformed question', async () => {
    const path = writeQuestions('broken.txt', [': s', 'a b c d', 'a b c']);
    await expect(evaluateAnalogies(constructedVectors(), path)).rejects.toThrow(`${path}:3`);
    await expect(evaluateAnalogies(constructedVectors(), join(work, 'absent.txt'))).rejects.toThrow(InputDataError);
  });

  // Random vectors, random questions; d is the brute-force answer for two questions in three and a random word otherwise.
  const random = seededRandom(11);
  const dim = 16;
  const vectors = randomWordVectors(numberedWords(20000), dim, () => random() * 2 - 1);
  const { words: vocabulary, matrix } = vectors;
  const restrict = 15000;
  const units = vocabulary.map((_, i) => {
    const v = Array.from(matrix.subarray(i * dim, (i + 1) * dim));
    const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / n);
  });
  const unit = (i: number): number[] => units[i]!;
  const bruteForce = (a: number, b: number, c: number): number => {
    const [ua, ub, uc] = [unit(a), unit(b), unit(c)];
    const x = ub.map((v, k) => v - ua[k]! + uc[k]!);
    let best = -1;
    let bestScore = -Infinity;
    for (let w = 0; w < restrict; w++) {
      if (w === a || w === b || w === c) continue;
      const uw = unit(w);
      const score = x.reduce((s, v, k) => s + v * uw[k]!, 0);
      if (score > bestScore) [best, bestScore] = [w, score];
    }
    return best;
  };
  const lines: string[] = [];
  let expectedCorrect = 0;
  let expectedSkipped = 0;
  for (let q = 0; q < 400; q++) {
    if (q % 100 === 0) lines.push(q < 200 ? `: section-${q}` : `: gram-${q}`);
    const pick = (): number => Math.floor(random() * (q % 25 === 0 ? vocabulary.length : restrict));
    const [a, b, c] = [pick(), pick(), pick()];
    if (a === b || b === c || a === c) continue;
    if (Math.max(a, b, c) >= restrict) {
      expectedSkipped++;
      lines.push(`w${a} w${b} w${c} w0`);
      continue;
    }
    const answer = bruteForce(a, b, c);
    const d = q % 3 === 0 ? Math.floor(random() * restrict) : answer;
    if (d === answer) expectedCorrect++;
    lines.push((q % 2 ? `W${a} w${b} W${c} w${d}` : `w${a} w${b} w${c} W${d}`));
  }
  const questionsPath = writeQuestions('random.txt', lines);

  it('agrees with a brute-force cosine search over many questions and several passes', async () => {
    const result = await evaluateAnalogies(vectors, questionsPath, restrict);
    expect(expectedSkipped).toBeGreaterThan(0);
    expect(expectedCorrect).toBeGreaterThan(200);
    expect(result.skipped).toBe(expectedSkipped);
    expect(result.overall.correct).toBe(expectedCorrect);
    expect(result.overall.total).toBe(lines.filter((l) => !l.startsWith(':')).length - expectedSkipped);
    expect(result.semantic.total + result.syntactic.total).toBe(result.overall.total);
  });

  it.skipIf(!hasGensim())("agrees with gensim's evaluate_word_analogies", async () => {
    const vectorsPath = join(work, 'random-vectors.txt');
    const text = [`${vocabulary.length} ${dim}`, ...vocabulary.map((w, i) => `${w} ${Array.from(matrix.subarray(i * dim, (i + 1) * dim)).join(' ')}`)];
    writeLines(vectorsPath, text);
    const script = `
import json, sys, logging
from gensim.models import KeyedVectors
kv = KeyedVectors.load_word2vec_format(sys.argv[1])
score, sections = kv.evaluate_word_analogies(sys.argv[2], restrict_vocab=int(sys.argv[3]), case_insensitive=True)
print(json.dumps([[s['section'], len(s['correct']), len(s['incorrect'])] for s in sections]))
`;
    const run = runSystemPython(script, [vectorsPath, questionsPath, String(restrict)]);
    expect(run.status, run.stderr).toBe(0);
    const gensim = JSON.parse(run.stdout) as [string, number, number][];
    const ours = await evaluateAnalogies(vectors, questionsPath, restrict);
    const gensimSections = gensim.filter(([name]) => name !== 'Total accuracy');
    expect(ours.sections.map((s) => [s.section.toUpperCase(), s.correct, s.total - s.correct])).toEqual(
      gensimSections.map(([name, c, i]) => [name.toUpperCase(), c, i]),
    );
  });
});
