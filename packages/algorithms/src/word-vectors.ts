import { ngramBuckets } from './subwords.js';

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
  #ids: Map<string, number> | undefined;
  #unitRows: Float32Array | undefined;

  constructor(
    readonly words: string[],
    readonly dim: number,
    /** words.length x dim, row-major. */
    readonly matrix: Float32Array,
    readonly subwords?: SubwordVectors,
  ) {}

  /** The word's row, or -1 when it is not in the vocabulary. */
  indexOf(word: string): number {
    if (this.#ids === undefined) {
      this.#ids = new Map();
      for (let i = 0; i < this.words.length; i++) this.#ids.set(this.words[i]!, i);
    }
    return this.#ids.get(word) ?? -1;
  }

  /** A copy of the word's vector; for unknown words the average of its n-gram vectors with subwords, else undefined. */
  vector(word: string): Float32Array | undefined {
    const dim = this.dim;
    const row = this.indexOf(word);
    if (row >= 0) return this.matrix.slice(row * dim, (row + 1) * dim);
    const subwords = this.subwords;
    if (subwords === undefined) return undefined;
    const buckets = ngramBuckets(word, subwords.minn, subwords.maxn, subwords.buckets);
    if (buckets.length === 0) return undefined;
    const sum = new Float32Array(dim);
    const ngrams = subwords.ngramVectors;
    for (let i = 0; i < buckets.length; i++) {
      const offset = buckets[i]! * dim;
      for (let d = 0; d < dim; d++) sum[d]! += ngrams[offset + d]!;
    }
    const scale = Math.fround(1 / buckets.length);
    for (let d = 0; d < dim; d++) sum[d]! *= scale;
    return sum;
  }

  /** Cosine similarity; undefined when either word has no vector, 0 when either vector is zero. */
  similarity(a: string, b: string): number | undefined {
    const va = this.vector(a);
    const vb = this.vector(b);
    if (va === undefined || vb === undefined) return undefined;
    let dot = 0;
    let normA = 0;
    let normB = 0;
    for (let d = 0; d < this.dim; d++) {
      dot += va[d]! * vb[d]!;
      normA += va[d]! * va[d]!;
      normB += vb[d]! * vb[d]!;
    }
    return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
  }

  /**
   * Cosine nearest neighbours of sum(positive) - sum(negative), excluding the query words (gensim's most_similar:
   * the mean of the query's unit vectors, normalized, scored against every unit row). Empty when a query word has
   * no vector. `restrictVocab` limits the candidates to the first rows (the most frequent words), as gensim's
   * restrict_vocab does.
   */
  mostSimilar(positive: string[], negative: string[] = [], k = 10, restrictVocab = this.words.length): SimilarWord[] {
    const dim = this.dim;
    const query = new Float64Array(dim);
    const excluded = new Set<number>();
    for (const [words, sign] of [
      [positive, 1],
      [negative, -1],
    ] as const) {
      for (const word of words) {
        const vector = this.vector(word);
        if (vector === undefined) return [];
        const row = this.indexOf(word);
        if (row >= 0) excluded.add(row);
        const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
        if (norm > 0) for (let d = 0; d < dim; d++) query[d]! += (sign * vector[d]!) / norm;
      }
    }
    let queryNorm = 0;
    for (let d = 0; d < dim; d++) queryNorm += query[d]! * query[d]!;
    if (queryNorm === 0) return [];
    const unitQuery = new Float32Array(dim);
    for (let d = 0; d < dim; d++) unitQuery[d] = query[d]! / Math.sqrt(queryNorm);
    const candidates = Math.min(restrictVocab, this.words.length);
    let excludedCandidates = 0;
    for (const row of excluded) if (row < candidates) excludedCandidates++;
    return this.#topByDot(unitQuery, excluded, candidates, Math.min(k, candidates - excludedCandidates));
  }

  /** Partial top-k selection with a min-heap of (score, row) held in typed arrays; no per-row allocation. */
  #topByDot(query: Float32Array, excluded: Set<number>, candidates: number, k: number): SimilarWord[] {
    if (k <= 0) return [];
    const dim = this.dim;
    const rows = this.#unitMatrix();
    const heapScores = new Float64Array(k);
    const heapRows = new Int32Array(k);
    let size = 0;
    for (let row = 0; row < candidates; row++) {
      if (excluded.has(row)) continue;
      const offset = row * dim;
      let score = 0;
      for (let d = 0; d < dim; d++) score += rows[offset + d]! * query[d]!;
      if (size < k) {
        // Sift up.
        let i = size++;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!worse(score, row, heapScores[parent]!, heapRows[parent]!)) break;
          heapScores[i] = heapScores[parent]!;
          heapRows[i] = heapRows[parent]!;
          i = parent;
        }
        heapScores[i] = score;
        heapRows[i] = row;
      } else if (worse(heapScores[0]!, heapRows[0]!, score, row)) {
        // Replace the root (the worst kept) and sift down.
        let i = 0;
        for (;;) {
          const left = 2 * i + 1;
          if (left >= k) break;
          const right = left + 1;
          let child = left;
          if (right < k && worse(heapScores[right]!, heapRows[right]!, heapScores[left]!, heapRows[left]!)) child = right;
          if (!worse(heapScores[child]!, heapRows[child]!, score, row)) break;
          heapScores[i] = heapScores[child]!;
          heapRows[i] = heapRows[child]!;
          i = child;
        }
        heapScores[i] = score;
        heapRows[i] = row;
      }
    }
    const order = Array.from({ length: size }, (_, i) => i).sort((a, b) =>
      worse(heapScores[a]!, heapRows[a]!, heapScores[b]!, heapRows[b]!) ? 1 : -1,
    );
    return order.map((i) => ({ word: this.words[heapRows[i]!]!, similarity: heapScores[i]! }));
  }

  /** Rows scaled to unit length, computed once; zero rows stay zero. */
  #unitMatrix(): Float32Array {
    if (this.#unitRows === undefined) {
      const dim = this.dim;
      const unit = new Float32Array(this.words.length * dim);
      for (let row = 0; row < this.words.length; row++) {
        const offset = row * dim;
        let norm = 0;
        for (let d = 0; d < dim; d++) norm += this.matrix[offset + d]! * this.matrix[offset + d]!;
        if (norm === 0) continue;
        const scale = 1 / Math.sqrt(norm);
        for (let d = 0; d < dim; d++) unit[offset + d] = this.matrix[offset + d]! * scale;
      }
      this.#unitRows = unit;
    }
    return this.#unitRows;
  }
}

/** Ranking order of candidates: lower score is worse; on equal scores the later row is worse. */
function worse(scoreA: number, rowA: number, scoreB: number, rowB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && rowA > rowB);
}
