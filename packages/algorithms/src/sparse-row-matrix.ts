/**
 * A rows x dim float32 matrix that stores only some of its rows; the others are zero. A classifier with 2 M hash
 * buckets updates the rows of the n-grams its training set has, typically a few percent of them: stored this way,
 * the model takes megabytes instead of 800 MB in memory and on disk (where the zero rows are holes of a sparse file).
 */
export class SparseRowMatrix {
  #index: Int32Array | undefined;

  constructor(
    readonly rows: number,
    readonly dim: number,
    /** The stored rows in row order: rowIds.length x dim, or rows x dim when rowIds is undefined. */
    readonly values: Float32Array,
    /** Ascending ids of the stored rows; undefined when every row is stored. */
    readonly rowIds?: Int32Array,
  ) {
    const stored = rowIds === undefined ? rows : rowIds.length;
    if (values.length !== stored * dim) throw new RangeError(`expected ${stored} x ${dim} values, got ${values.length}`);
  }

  static dense(values: Float32Array, dim: number): SparseRowMatrix {
    return new SparseRowMatrix(values.length / dim, dim, values);
  }

  get storedRows(): number {
    return this.rowIds === undefined ? this.rows : this.rowIds.length;
  }

  /** Where row `row` is in values (in rows), or -1 when it is a zero row. */
  storedIndex(row: number): number {
    if (this.rowIds === undefined) return row;
    this.#index ??= rowSlots(this.rowIds, this.rows);
    return this.#index[row] ?? -1;
  }

  /** Every row, zeros included. */
  toDense(): Float32Array {
    if (this.rowIds === undefined) return this.values;
    const dense = new Float32Array(this.rows * this.dim);
    this.rowIds.forEach((id, at) => dense.set(this.values.subarray(at * this.dim, (at + 1) * this.dim), id * this.dim));
    return dense;
  }
}

/** Row id -> its place among the stored rows `rowIds`, or -1. */
export function rowSlots(rowIds: Int32Array, rows: number): Int32Array {
  const slots = new Int32Array(rows).fill(-1);
  for (let at = 0; at < rowIds.length; at++) slots[rowIds[at]!] = at;
  return slots;
}
