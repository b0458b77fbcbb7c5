/** One row kept by TopRows, with its score. */
export interface ScoredRow {
  row: number;
  score: number;
}

/**
 * The best `capacity` (score, row) pairs offered so far: a min-heap held in typed arrays, its root the worst kept,
 * so that offering allocates nothing. On equal scores the lower row ranks first.
 */
export class TopRows {
  readonly scores: Float64Array;
  readonly rows: Int32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.rows = new Int32Array(capacity);
  }

  /** Whether (score, row) would be kept: there is room, or it ranks above the worst kept. */
  admits(score: number, row: number): boolean {
    return this.size < this.capacity || worse(this.scores[0]!, this.rows[0]!, score, row);
  }

  offer(score: number, row: number): void {
    if (!this.admits(score, row)) return;
    const scores = this.scores;
    const rows = this.rows;
    if (this.size < this.capacity) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(score, row, scores[parent]!, rows[parent]!)) break;
        scores[i] = scores[parent]!;
        rows[i] = rows[parent]!;
        i = parent;
      }
      scores[i] = score;
      rows[i] = row;
      return;
    }
    // Replace the root and sift down.
    const size = this.size;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && worse(scores[right]!, rows[right]!, scores[left]!, rows[left]!)) child = right;
      if (!worse(scores[child]!, rows[child]!, score, row)) break;
      scores[i] = scores[child]!;
      rows[i] = rows[child]!;
      i = child;
    }
    scores[i] = score;
    rows[i] = row;
  }

  /** The kept rows, best first. */
  best(): ScoredRow[] {
    const kept = Array.from({ length: this.size }, (_, i) => ({ row: this.rows[i]!, score: this.scores[i]! }));
    return kept.sort((a, b) => (worse(a.score, a.row, b.score, b.row) ? 1 : -1));
  }
}

/** Ranking order: a lower score is worse; on equal scores the later row is worse. */
function worse(scoreA: number, rowA: number, scoreB: number, rowB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && rowA > rowB);
}

/**
 * Offers rows [from, to) of a row-major float32 matrix (`dim` columns) to `top`, scored by their dot product with
 * `query`: with unit rows and a unit query, cosine similarity. Exact; four accumulators let the products of a row
 * run in parallel, and only rows that beat the worst kept reach the heap.
 */
export function offerRowsByDot(matrix: Float32Array, dim: number, query: Float32Array, from: number, to: number, top: TopRows): void {
  const unrolled = dim - (dim % 4);
  for (let row = from; row < to; row++) {
    const offset = row * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d < unrolled; d += 4) {
      s0 += matrix[offset + d]! * query[d]!;
      s1 += matrix[offset + d + 1]! * query[d + 1]!;
      s2 += matrix[offset + d + 2]! * query[d + 2]!;
      s3 += matrix[offset + d + 3]! * query[d + 3]!;
    }
    for (; d < dim; d++) s0 += matrix[offset + d]! * query[d]!;
    const score = s0 + s1 + s2 + s3;
    if (top.admits(score, row)) top.offer(score, row);
  }
}

/** Writes `matrix`'s rows scaled to unit length into `target` (the same shape); zero rows stay zero. */
export function writeUnitRows(matrix: Float32Array, dim: number, target: Float32Array): void {
  const rows = matrix.length / dim;
  for (let row = 0; row < rows; row++) {
    const offset = row * dim;
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += matrix[offset + d]! * matrix[offset + d]!;
    if (norm === 0) {
      target.fill(0, offset, offset + dim);
      continue;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) target[offset + d] = matrix[offset + d]! * scale;
  }
}
