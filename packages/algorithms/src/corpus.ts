// INTERFACE STUB (helper A implements): keep exported names and signatures.
import type { Vocabulary } from './vocabulary.js';

/** Marks the end of a line in `Corpus.tokens`; windows never cross it. */
export const SENTENCE_END = -1;

export interface Corpus {
  vocabulary: Vocabulary;
  /** Word ids in corpus order on a SharedArrayBuffer; words under min_count removed; SENTENCE_END at line ends. */
  tokens: Int32Array;
  /** Word tokens in `tokens` (markers excluded). */
  tokenCount: number;
  /** Word tokens read, before min_count filtering. */
  rawTokenCount: number;
  /** Lines skipped or bytes replaced, counted, with a reason each. */
  warnings: { reason: string; count: number }[];
}

export interface ReadCorpusOptions {
  minCount: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Streams a plain or gzip corpus once: counts words, applies min_count, returns token ids. */
export async function readCorpus(path: string, options: ReadCorpusOptions): Promise<Corpus> {
  throw new Error('not implemented');
}
