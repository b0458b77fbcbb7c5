// INTERFACE STUB (helper A implements): keep exported names and signatures.
/** Words kept after min_count, sorted by count descending (ties: first occurrence first). */
export class Vocabulary {
  constructor(
    readonly words: string[],
    readonly counts: Float64Array,
  ) {}
  get size(): number {
    return this.words.length;
  }
  /** Sum of counts of the kept words. */
  get totalCount(): number {
    throw new Error('not implemented');
  }
  indexOf(word: string): number {
    throw new Error('not implemented');
  }
  /** Probability of keeping each word under frequency subsampling (word2vec/fastText formula, clamped to 1). */
  keepProbabilities(samplingThreshold: number): Float32Array {
    throw new Error('not implemented');
  }
  /** Unigram^0.75 negative sampling table of word ids. */
  negativeTable(size: number): Int32Array {
    throw new Error('not implemented');
  }
}
