import type { Word2VecHyperparameters } from '@blazefleet/core';
import { CHUNK_TOKENS, MemoryPlan, fillActivationTables, inputInitSeed, paddedStride, takeActivationTables, threadScratchBytes } from '../kernels/shared-memory.js';
import { NEGATIVE_TABLE_SIZE, shuffledNegativeTable } from './sampling-tables.js';
import type { SubwordIndex } from '../subwords.js';
import type { Vocabulary } from '../vocabulary.js';

/** Rows of the most frequent words that each thread replicates when there are several threads (see the kernels). */
const HOT_ROWS = 4096;

/** Byte offsets of everything the kernels read, in one shared WebAssembly memory. */
export interface ModelLayout {
  dim: number;
  /** Floats from one row to the next (see paddedStride). */
  stride: number;
  nwords: number;
  inputRows: number;
  input: number;
  output: number;
  negatives: number;
  negativesSize: number;
  keep: number;
  sigmoid: number;
  logs: number;
  subwordOffsets: number;
  subwordRows: number;
  maxRowsPerWord: number;
  /** Most frequent words whose rows each thread replicates; 0 with one thread. */
  hotWords: number;
  /** Per thread: scratch, then the token chunk buffer. */
  threads: { scratch: number; chunk: number }[];
}

/**
 * Lays out and fills the model memory: input rows initialised uniformly in +-1/dim (fastText's scheme, which
 * measured better than word2vec's +-0.5/dim on WS-353), output rows zero, the negative table shuffled (the
 * kernels read it sequentially), keep probabilities, sigmoid/log tables and the subword index.
 */
export function createModelMemory(
  vocabulary: Vocabulary,
  hp: Word2VecHyperparameters,
  subwords: SubwordIndex | undefined,
  threads: number,
  seed: number,
): { memory: WebAssembly.Memory; layout: ModelLayout } {
  const dim = hp.vector_dim;
  const stride = paddedStride(dim);
  const nwords = vocabulary.size;
  const inputRows = nwords + (subwords ? hp.buckets : 0);
  let maxRowsPerWord = 1;
  if (subwords) {
    for (let w = 0; w < nwords; w++) maxRowsPerWord = Math.max(maxRowsPerWord, 1 + subwords.offsets[w + 1]! - subwords.offsets[w]!);
  }
  const hotWords = threads > 1 ? Math.min(nwords, HOT_ROWS) : 0;
  const scratchBytes = threadScratchBytes(stride, hp.window_size, hp.negative_samples, hp.batch_size, maxRowsPerWord, hotWords);

  const plan = new MemoryPlan();
  const tables = takeActivationTables(plan);
  const layout: ModelLayout = {
    dim,
    stride,
    nwords,
    inputRows,
    input: plan.take(inputRows * stride * 4),
    output: plan.take(nwords * stride * 4),
    negatives: plan.take(NEGATIVE_TABLE_SIZE * 4),
    negativesSize: NEGATIVE_TABLE_SIZE,
    keep: plan.take(nwords * 4),
    ...tables,
    subwordOffsets: subwords ? plan.take(subwords.offsets.byteLength) : 0,
    subwordRows: subwords ? plan.take(subwords.rows.byteLength) : 0,
    maxRowsPerWord,
    hotWords,
    threads: [],
  };
  for (let t = 0; t < threads; t++) layout.threads.push({ scratch: plan.take(scratchBytes), chunk: plan.take(CHUNK_TOKENS * 4) });

  const { memory, kernel } = plan.allocate();
  const buffer = memory.buffer;
  kernel.fillUniform(layout.input, inputRows, dim, stride, 1 / dim, inputInitSeed(seed));
  new Int32Array(buffer, layout.negatives, NEGATIVE_TABLE_SIZE).set(shuffledNegativeTable(vocabulary, seed));
  new Float32Array(buffer, layout.keep, nwords).set(vocabulary.keepProbabilities(hp.sampling_threshold));
  fillActivationTables(memory, tables);
  if (subwords) {
    new Int32Array(buffer, layout.subwordOffsets, subwords.offsets.length).set(subwords.offsets);
    // The kernel indexes input rows directly: n-gram bucket b lives at row nwords + b.
    const rows = new Int32Array(buffer, layout.subwordRows, subwords.rows.length);
    for (let i = 0; i < rows.length; i++) rows[i] = nwords + subwords.rows[i]!;
  }
  return { memory, layout };
}
