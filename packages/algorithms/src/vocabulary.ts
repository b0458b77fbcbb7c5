const NEGATIVE_SAMPLING_POWER = 0.75;

/** The indices of the counts that are at least minCount, the largest count first; ties keep index order. */
export function frequentFirst(counts: Float64Array, minCount: number): Int32Array {
  let kept = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i]! >= minCount) kept++;
  const order = new Int32Array(kept);
  for (let i = 0, at = 0; i < counts.length; i++) if (counts[i]! >= minCount) order[at++] = i;
  return order.sort((a, b) => counts[b]! - counts[a]! || a - b);
}

/** Words kept after min_count, sorted by count descending (ties: first occurrence first). */
export class Vocabulary {
  #ids: Map<string, number> | undefined;
  #totalCount = -1;

  constructor(
    readonly words: string[],
    readonly counts: Float64Array,
  ) {}

  /** The words counted at least minCount times, most frequent first; ties keep the order given (first occurrence). */
  static fromCounts(words: readonly string[], counts: Float64Array, minCount: number): Vocabulary {
    const order = frequentFirst(counts.subarray(0, words.length), minCount);
    const kept: string[] = new Array(order.length);
    const keptCounts = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) {
      kept[i] = words[order[i]!]!;
      keptCounts[i] = counts[order[i]!]!;
    }
    return new Vocabulary(kept, keptCounts);
  }
  get size(): number {
    return this.words.length;
  }
  /** Sum of counts of the kept words. */
  get totalCount(): number {
    if (this.#totalCount < 0) {
      let total = 0;
      for (let i = 0; i < this.counts.length; i++) total += this.counts[i]!;
      this.#totalCount = total;
    }
    return this.#totalCount;
  }
  /** The word's id, or -1 when it is not in the vocabulary. */
  indexOf(word: string): number {
    if (this.#ids === undefined) {
      this.#ids = new Map();
      for (let i = 0; i < this.words.length; i++) this.#ids.set(this.words[i]!, i);
    }
    return this.#ids.get(word) ?? -1;
  }
  /**
   * Probability of keeping each word under frequency subsampling (word2vec/fastText formula, clamped to 1):
   * with f = count / totalCount, p = sqrt(t / f) + t / f.
   */
  keepProbabilities(samplingThreshold: number): Float32Array {
    const keep = new Float32Array(this.size);
    const total = this.totalCount;
    for (let i = 0; i < keep.length; i++) {
      const ratio = samplingThreshold / (this.counts[i]! / total);
      keep[i] = Math.min(1, Math.sqrt(ratio) + ratio);
    }
    return keep;
  }
  /**
   * Unigram^0.75 negative sampling table of word ids (word2vec's InitUnigramTable). Word i fills the slots from the
   * rounded cumulative share of the words before it to its own, and every word gets at least one slot when the table
   * has as many slots as there are words.
   */
  negativeTable(size: number): Int32Array {
    const table = new Int32Array(size);
    const words = this.size;
    if (words === 0 || size === 0) return table;
    let totalPower = 0;
    for (let i = 0; i < words; i++) totalPower += Math.pow(this.counts[i]!, NEGATIVE_SAMPLING_POWER);
    let cumulative = 0;
    let start = 0;
    for (let i = 0; i < words && start < size; i++) {
      cumulative += Math.pow(this.counts[i]!, NEGATIVE_SAMPLING_POWER);
      // Slots are held back so that each later word still gets one.
      const latest = size - (words - 1 - i);
      const share = Math.round((cumulative / totalPower) * size);
      const end = i === words - 1 ? size : Math.min(size, Math.max(start + 1, Math.min(share, latest)));
      table.fill(i, start, end);
      start = end;
    }
    return table;
  }
}
