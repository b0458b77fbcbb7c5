// INTERFACE STUB (helper A implements): keep exported names and signatures.

/** Character n-gram vectors, so that unknown words get vectors (subwords: true). */
export interface SubwordVectors {
  minn: number;
  maxn: number;
  buckets: number;
  /** buckets x dim, row-major. */
  ngramVectors: Float32Array;
}

export interface SimilarWord {
  word: string;
  similarity: number;
}

/** Final word vectors (one row per vocabulary word) and, with subwords, the n-gram vectors. */
export class WordVectors {
  constructor(
    readonly words: string[],
    readonly dim: number,
    /** words.length x dim, row-major. */
    readonly matrix: Float32Array,
    readonly subwords?: SubwordVectors,
  ) {}
  indexOf(word: string): number {
    throw new Error('not implemented');
  }
  /** The word's vector; for unknown words the average of its n-gram vectors with subwords, else undefined. */
  vector(word: string): Float32Array | undefined {
    throw new Error('not implemented');
  }
  similarity(a: string, b: string): number | undefined {
    throw new Error('not implemented');
  }
  /** Cosine nearest neighbours of sum(positive) - sum(negative), excluding the query words (gensim's most_similar). */
  mostSimilar(positive: string[], negative: string[] = [], k = 10): SimilarWord[] {
    throw new Error('not implemented');
  }
}
