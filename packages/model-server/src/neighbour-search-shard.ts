/** What a search thread gets at its start: the shared unit rows and the range of them it scans. */
export interface ShardData {
  unitRows: SharedArrayBuffer;
  dim: number;
  from: number;
  to: number;
}

/** A query to a search thread: the unit query vector and how many of its best rows to send back. */
export interface ShardQuery {
  id: number;
  query: Float32Array;
  count: number;
}

/** A search thread's best rows for query `id`, in no particular order. */
export interface ShardAnswer {
  id: number;
  scores: Float64Array;
  rows: Int32Array;
}
