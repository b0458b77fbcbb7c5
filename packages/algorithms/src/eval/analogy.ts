// INTERFACE STUB (helper B implements): keep exported names and signatures.
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

/** Google analogy set (questions-words.txt): 3CosAdd over the `restrictVocab` most frequent words, case-insensitive. */
export async function evaluateAnalogies(vectors: WordVectors, path: string, restrictVocab?: number): Promise<AnalogyResult> {
  throw new Error('not implemented');
}
