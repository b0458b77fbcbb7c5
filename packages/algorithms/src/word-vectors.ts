import { offerRowsByDot, TopRows, writeUnitRows, type ScoredRow } from './nearest-rows.js';
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

/** A unit query vector for a nearest-neighbour search, and the rows of the words it was made of. */
export interface SimilarityQuery {
  vector: Float32Array;
  excludedRows: number[];
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
   * The query of mostSimilar: the mean of the unit vectors of `positive` minus those of `negative`, scaled to unit
   * length, and the vocabulary rows of the query words, which neighbour lists leave out. Undefined when a query word
   * has no vector or the mean is zero.
   */
  similarityQuery(positive: readonly string[], negative: readonly string[] = []): SimilarityQuery | undefined {
    const dim = this.dim;
    const query = new Float64Array(dim);
    const excluded = new Set<number>();
    for (const [words, sign] of [
      [positive, 1],
      [negative, -1],
    ] as const) {
      for (const word of words) {
        const vector = this.vector(word);
        if (vector === undefined) return undefined;
        const row = this.indexOf(word);
        if (row >= 0) excluded.add(row);
        const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
        if (norm > 0) for (let d = 0; d < dim; d++) query[d]! += (sign * vector[d]!) / norm;
      }
    }
    let queryNorm = 0;
    for (let d = 0; d < dim; d++) queryNorm += query[d]! * query[d]!;
    if (queryNorm === 0) return undefined;
    const unitQuery = new Float32Array(dim);
    for (let d = 0; d < dim; d++) unitQuery[d] = query[d]! / Math.sqrt(queryNorm);
    return { vector: unitQuery, excludedRows: [...excluded] };
  }

  /**
   * Cosine nearest neighbours of sum(positive) - sum(negative), excluding the query words (gensim's most_similar:
   * the mean of the query's unit vectors, normalized, scored against every unit row). Empty when a query word has
   * no vector. `restrictVocab` limits the candidates to the first rows (the most frequent words), as gensim's
   * restrict_vocab does.
   */
  mostSimilar(positive: string[], negative: string[] = [], k = 10, restrictVocab = this.words.length): SimilarWord[] {
    const query = this.similarityQuery(positive, negative);
    if (query === undefined) return [];
    const candidates = Math.min(restrictVocab, this.words.length);
    const excluded = query.excludedRows.filter((row) => row < candidates);
    const wanted = Math.min(k, candidates - excluded.length);
    if (wanted <= 0) return [];
    // The best rows without the query words are among the best `wanted + excluded` of all rows.
    const top = new TopRows(wanted + excluded.length);
    offerRowsByDot(this.#unitMatrix(), this.dim, query.vector, 0, candidates, top);
    return this.similarWords(top.best(), query.excludedRows, wanted);
  }

  /** The first `k` of `ranked` rows that are not `excludedRows`, as words with their scores. */
  similarWords(ranked: readonly ScoredRow[], excludedRows: readonly number[], k: number): SimilarWord[] {
    const similar: SimilarWord[] = [];
    for (const { row, score } of ranked) {
      if (similar.length === k) break;
      if (!excludedRows.includes(row)) similar.push({ word: this.words[row]!, similarity: score });
    }
    return similar;
  }

  /** Rows scaled to unit length, computed once. */
  #unitMatrix(): Float32Array {
    if (this.#unitRows === undefined) {
      this.#unitRows = new Float32Array(this.matrix.length);
      writeUnitRows(this.matrix, this.dim, this.#unitRows);
    }
    return this.#unitRows;
  }
}
