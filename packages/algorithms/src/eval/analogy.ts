import { readFile } from 'node:fs/promises';
import { InputDataError } from '@blazefleet/core';
import type { WordVectors } from '../word-vectors.js';

export interface AnalogySection {
  section: string;
  correct: number;
  total: number;
  accuracy: number;
}
export interface AnalogyResult {
  sections: AnalogySection[];
  semantic: { correct: number; total: number; accuracy: number };
  syntactic: { correct: number; total: number; accuracy: number };
  overall: { correct: number; total: number; accuracy: number };
  /** Questions skipped because a word is outside the restricted vocabulary. */
  skipped: number;
}

/** "a is to b as c is to d", lowercased. */
export interface AnalogyQuestion {
  words: [string, string, string, string];
}
export interface AnalogyQuestionSection {
  name: string;
  /** Sections from the first `gram*` one on are syntactic, as in word2vec's compute-accuracy. */
  syntactic: boolean;
  questions: AnalogyQuestion[];
}

/** Reads questions-words.txt style files: `: section` headers, then `a b c d` lines. */
export async function readAnalogyQuestions(path: string): Promise<AnalogyQuestionSection[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputDataError(path, `cannot read analogy file (${(error as Error).message})`);
  }
  const sections: AnalogyQuestionSection[] = [];
  let syntactic = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line.startsWith(':')) {
      const name = line.slice(1).trim();
      syntactic ||= name.startsWith('gram');
      sections.push({ name, syntactic, questions: [] });
      continue;
    }
    const words = line.toLowerCase().split(/\s+/);
    if (words.length !== 4) throw new InputDataError(`${path}:${i + 1}`, `expected "a b c d", got ${JSON.stringify(line)}`);
    if (sections.length === 0) sections.push({ name: '', syntactic, questions: [] });
    sections[sections.length - 1]!.questions.push({ words: words as AnalogyQuestion['words'] });
  }
  return sections;
}

/** Unit rows of the first `rows` words, so that a dot product is a cosine; zero rows stay zero. */
function normalizedRows(vectors: WordVectors, rows: number): Float32Array {
  const dim = vectors.dim;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += vectors.matrix[base + k]! * vectors.matrix[base + k]!;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < dim; k++) out[base + k] = vectors.matrix[base + k]! * scale;
  }
  return out;
}

/** Similarity rows kept per pass over the matrix (floats): 32 MB, enough for a few sections' words at 30,000 rows. */
const SIMILARITY_BUDGET = 1 << 23;

/**
 * similarity[q * rows + w] = cos(query q, word w) for `count` unit query vectors (count x dim, contiguous),
 * in one pass over the matrix. 3CosAdd is linear in these: cos(b - a + c, w) ranks like
 * sim(b, w) - sim(a, w) + sim(c, w), so each question then costs three adds per word instead of a dot
 * product, and questions sharing words (all of a section's questions do) share the dot products.
 * Four queries per sweep of a row: each matrix value is loaded once for four multiply-adds.
 */
function similarityRows(unit: Float32Array, rows: number, dim: number, queries: Float32Array, count: number, out: Float32Array): void {
  for (let w = 0; w < rows; w++) {
    const wb = w * dim;
    let q = 0;
    for (; q + 4 <= count; q += 4) {
      const q0 = q * dim;
      const q1 = q0 + dim;
      const q2 = q1 + dim;
      const q3 = q2 + dim;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let k = 0; k < dim; k++) {
        const x = unit[wb + k]!;
        d0 += queries[q0 + k]! * x;
        d1 += queries[q1 + k]! * x;
        d2 += queries[q2 + k]! * x;
        d3 += queries[q3 + k]! * x;
      }
      out[q * rows + w] = d0;
      out[(q + 1) * rows + w] = d1;
      out[(q + 2) * rows + w] = d2;
      out[(q + 3) * rows + w] = d3;
    }
    for (; q < count; q++) {
      const qb = q * dim;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += queries[qb + k]! * unit[wb + k]!;
      out[q * rows + w] = dot;
    }
  }
}

interface PendingQuestion {
  section: number;
  /** Rows of a, b, c, d in the restricted vocabulary. */
  ids: [number, number, number, number];
}

/** 3CosAdd over the pending questions, whose words are all among `queries`; adds correct answers per section. */
function answer(
  unit: Float32Array,
  rows: number,
  dim: number,
  canonical: Int32Array,
  pending: PendingQuestion[],
  queries: Float32Array,
  slotOf: Map<number, number>,
  similarity: Float32Array,
  correct: number[],
): void {
  similarityRows(unit, rows, dim, queries, slotOf.size, similarity);
  for (const { section, ids } of pending) {
    const [a, b, c, d] = ids;
    const sa = slotOf.get(a)! * rows;
    const sb = slotOf.get(b)! * rows;
    const sc = slotOf.get(c)! * rows;
    let best = -1;
    let bestScore = -Infinity;
    for (let w = 0; w < rows; w++) {
      const score = similarity[sb + w]! - similarity[sa + w]! + similarity[sc + w]!;
      if (score <= bestScore) continue;
      const id = canonical[w]!;
      if (id === a || id === b || id === c) continue;
      best = w;
      bestScore = score;
    }
    if (best >= 0 && canonical[best] === d) correct[section]!++;
  }
}

function ratio(correct: number, total: number): { correct: number; total: number; accuracy: number } {
  return { correct, total, accuracy: total === 0 ? 0 : correct / total };
}

/**
 * Google analogy set (questions-words.txt): 3CosAdd over the `restrictVocab` most frequent words, case-insensitive,
 * as word2vec's compute-accuracy and gensim's evaluate_word_analogies score it. The answer is the nearest
 * restricted word to b - a + c (unit vectors) other than a, b and c; questions with any word outside the
 * restricted vocabulary are skipped, counted in `skipped` and in no total.
 */
export async function evaluateAnalogies(vectors: WordVectors, path: string, restrictVocab = 30000): Promise<AnalogyResult> {
  return scoreAnalogies(vectors, await readAnalogyQuestions(path), restrictVocab);
}

export function scoreAnalogies(vectors: WordVectors, sections: AnalogyQuestionSection[], restrictVocab = 30000): AnalogyResult {
  const rows = Math.min(restrictVocab, vectors.words.length);
  const dim = vectors.dim;
  const unit = normalizedRows(vectors, rows);
  // Words differing only in case are one word; the most frequent spelling stands for it.
  const rowOf = new Map<string, number>();
  const canonical = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const key = vectors.words[r]!.toLowerCase();
    if (!rowOf.has(key)) rowOf.set(key, r);
    canonical[r] = rowOf.get(key)!;
  }

  const correct = sections.map(() => 0);
  const totals = sections.map(() => 0);
  let skipped = 0;
  const wordsPerPass = Math.max(16, Math.min(1024, Math.floor(SIMILARITY_BUDGET / Math.max(rows, 1))));
  const similarity = new Float32Array(wordsPerPass * rows);
  const queries = new Float32Array(wordsPerPass * dim);
  const slotOf = new Map<number, number>();
  let pending: PendingQuestion[] = [];
  const flush = (): void => {
    if (pending.length > 0) answer(unit, rows, dim, canonical, pending, queries, slotOf, similarity, correct);
    pending = [];
    slotOf.clear();
  };

  sections.forEach((section, s) => {
    for (const question of section.questions) {
      const ids = question.words.map((word) => rowOf.get(word) ?? -1) as PendingQuestion['ids'];
      if (ids.includes(-1)) {
        skipped++;
        continue;
      }
      totals[s]!++;
      const fresh = new Set(ids.slice(0, 3).filter((id) => !slotOf.has(id))).size;
      if (slotOf.size + fresh > wordsPerPass) flush();
      for (const id of ids.slice(0, 3)) {
        if (!slotOf.has(id)) {
          queries.set(unit.subarray(id * dim, (id + 1) * dim), slotOf.size * dim);
          slotOf.set(id, slotOf.size);
        }
      }
      pending.push({ section: s, ids });
    }
  });
  flush();

  const sum = (values: number[], pick: (s: number) => boolean): number =>
    values.reduce((acc, v, s) => acc + (pick(s) ? v : 0), 0);
  const isSemantic = (s: number): boolean => !sections[s]!.syntactic;
  const isSyntactic = (s: number): boolean => sections[s]!.syntactic;
  return {
    sections: sections.map((section, s) => ({ section: section.name, ...ratio(correct[s]!, totals[s]!) })),
    semantic: ratio(sum(correct, isSemantic), sum(totals, isSemantic)),
    syntactic: ratio(sum(correct, isSyntactic), sum(totals, isSyntactic)),
    overall: ratio(sum(correct, () => true), sum(totals, () => true)),
    skipped,
  };
}
