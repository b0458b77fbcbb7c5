import type { Word2VecHyperparameters } from '@blazefleet/core';
import type { SubwordIndex } from '../subwords.js';
import type { Vocabulary } from '../vocabulary.js';
import { instantiateKernel, kernelModule } from './kernel-module.js';

/** Tokens copied into a thread's wasm buffer per kernel call: big enough to amortise the call, small enough for fine-grained progress. */
export const CHUNK_TOKENS = 1 << 16;
export const NEGATIVE_TABLE_SIZE = 10_000_000;
const TABLE_SIZE = 512;
const MAX_SIGMOID = 8;
const PAGE = 65536;
/** Rows of the most frequent words that each thread replicates when there are several threads (see the kernels). */
const HOT_WORDS = 4096;
/** Below this the kernel's own static data and stack live. */
const BASE = PAGE;

/** Byte offsets of everything the kernels read, in one shared WebAssembly memory. */
export interface ModelLayout {
  dim: number;
  /** Floats from one row to the next: dim rounded up to whole 64-byte cache lines. */
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
  bytes: number;
}

const align = (n: number) => Math.ceil(n / 64) * 64;

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
  const stride = Math.ceil(dim / 16) * 16;
  const nwords = vocabulary.size;
  const inputRows = nwords + (subwords ? hp.buckets : 0);
  let maxRowsPerWord = 1;
  if (subwords) {
    for (let w = 0; w < nwords; w++) maxRowsPerWord = Math.max(maxRowsPerWord, 1 + subwords.offsets[w + 1]! - subwords.offsets[w]!);
  }
  const module = kernelModule();
  // A throwaway instance on a small memory answers scratchBytes, which depends only on the shape.
  const probe = instantiateKernel(module, new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }));
  const hotWords = threads > 1 ? Math.min(nwords, HOT_WORDS) : 0;
  const scratchBytes = probe.scratchBytes(stride, hp.window_size, hp.negative_samples, hp.batch_size, maxRowsPerWord, hotWords);

  let at = BASE;
  const take = (bytes: number) => {
    const start = at;
    at = align(at + bytes);
    return start;
  };
  const layout: ModelLayout = {
    dim,
    stride,
    nwords,
    inputRows,
    input: take(inputRows * stride * 4),
    output: take(nwords * stride * 4),
    negatives: take(NEGATIVE_TABLE_SIZE * 4),
    negativesSize: NEGATIVE_TABLE_SIZE,
    keep: take(nwords * 4),
    sigmoid: take((TABLE_SIZE + 1) * 4),
    logs: take((TABLE_SIZE + 1) * 4),
    subwordOffsets: subwords ? take(subwords.offsets.byteLength) : 0,
    subwordRows: subwords ? take(subwords.rows.byteLength) : 0,
    maxRowsPerWord,
    hotWords,
    threads: [],
    bytes: 0,
  };
  for (let t = 0; t < threads; t++) layout.threads.push({ scratch: take(scratchBytes), chunk: take(CHUNK_TOKENS * 4) });
  layout.bytes = at;

  const pages = Math.ceil(at / PAGE);
  if (pages > 65536) {
    throw new RangeError(
      `the model needs ${(at / 2 ** 30).toFixed(1)} GiB, over WebAssembly's 4 GiB: lower vector_dim or buckets`,
    );
  }
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const buffer = memory.buffer;

  const kernel = instantiateKernel(module, memory);
  kernel.fillUniform(layout.input, inputRows, dim, stride, 1 / dim, BigInt(seed) * 2654435761n + 17n);
  const negatives = new Int32Array(buffer, layout.negatives, NEGATIVE_TABLE_SIZE);
  negatives.set(vocabulary.negativeTable(NEGATIVE_TABLE_SIZE));
  shuffle(negatives, seed);
  new Float32Array(buffer, layout.keep, nwords).set(vocabulary.keepProbabilities(hp.sampling_threshold));
  const sigmoid = new Float32Array(buffer, layout.sigmoid, TABLE_SIZE + 1);
  for (let i = 0; i <= TABLE_SIZE; i++) {
    const x = (i * 2 * MAX_SIGMOID) / TABLE_SIZE - MAX_SIGMOID;
    sigmoid[i] = 1 / (1 + Math.exp(-x));
  }
  const logs = new Float32Array(buffer, layout.logs, TABLE_SIZE + 1);
  for (let i = 0; i <= TABLE_SIZE; i++) logs[i] = Math.log((i + 1e-5) / TABLE_SIZE);
  if (subwords) {
    new Int32Array(buffer, layout.subwordOffsets, subwords.offsets.length).set(subwords.offsets);
    // The kernel indexes input rows directly: n-gram bucket b lives at row nwords + b.
    const rows = new Int32Array(buffer, layout.subwordRows, subwords.rows.length);
    for (let i = 0; i < rows.length; i++) rows[i] = nwords + subwords.rows[i]!;
  }
  return { memory, layout };
}

/** Seeded Fisher-Yates shuffle (xorshift32). */
function shuffle(values: Int32Array, seed: number): void {
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = values.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const j = state % (i + 1);
    const v = values[i]!;
    values[i] = values[j]!;
    values[j] = v;
  }
}
