// INTERFACE STUB (helper B implements): keep exported names and signatures.
import type { WordVectors } from '../word-vectors.js';

export interface WordPair {
  a: string;
  b: string;
  score: number;
}

/** One gold set's result, exactly BlazingText's eval.json entry. */
export interface WordSimilarityResult {
  not_found: number;
  spearmans_rho: number;
  total_pairs: number;
}

/** eval.json as BlazingText writes it: one entry per gold file name, plus mean_rho. */
export type EvalJson = Record<string, WordSimilarityResult | number> & { mean_rho: number };

/** Reads "word1<TAB or space>word2<sep>score" lines; a clear error naming the file and line for malformed ones. */
export async function readWordSimilarityFile(path: string): Promise<WordPair[]> {
  throw new Error('not implemented');
}

/** Spearman correlation of cosine similarities against gold scores over the pairs whose words both have vectors. */
export function evaluateWordSimilarity(vectors: WordVectors, pairs: WordPair[]): WordSimilarityResult {
  throw new Error('not implemented');
}

/** WS-353 ALL/REL/SIM (bundled) plus any extra gold files, keyed by file name, with mean_rho over all of them. */
export async function evaluateWordSimilarityFiles(vectors: WordVectors, extraFiles?: string[]): Promise<EvalJson> {
  throw new Error('not implemented');
}
