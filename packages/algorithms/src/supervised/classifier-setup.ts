import { MemoryPlan, inputInitSeed, shuffle } from '../kernels/shared-memory.js';
import { SparseRowMatrix, rowSlots } from '../sparse-row-matrix.js';
import type { LabeledDictionary, LabeledExamples } from './labeled-data.js';

export { buildLabelTree, type LabelTree } from './label-tree.js';

// What every classifier trainer (the WebAssembly one, the tensor one) starts from, so that all start the same model.

/** fastText draws negative labels from a table of label counts^0.5. */
export const LABEL_NEGATIVE_TABLE_SIZE = 1 << 20;

/** The rows of a classifier's input matrix that training holds, and the examples' features as indices into them. */
export interface ClassifierInputLayout {
  /** The model's input matrix: `words` rows, then `buckets` hash bucket rows (none without word or character n-grams, as fastText). */
  words: number;
  buckets: number;
  /** The ids of the rows held (see storedInputRows); undefined when they are the words' rows alone. */
  storedRows: Int32Array | undefined;
  /** How many rows are held. */
  rowCount: number;
  /** examples.features as indices of held rows (examples.features itself when every row is held). */
  features: Int32Array;
}

export function classifierInputLayout(dictionary: LabeledDictionary, examples: LabeledExamples): ClassifierInputLayout {
  const words = dictionary.words.size;
  const { features } = dictionary;
  // As fastText: without word or character n-grams there is nothing to hash, so no bucket rows.
  const buckets = features.wordNgrams > 1 || features.maxn > 0 ? features.buckets : 0;
  if (buckets === 0) return { words, buckets, storedRows: undefined, rowCount: words, features: examples.features };
  const storedRows = storedInputRows(examples.features, words, buckets);
  const slots = rowSlots(storedRows, words + buckets);
  const held = new Int32Array(examples.features.length);
  for (let i = 0; i < held.length; i++) held[i] = slots[examples.features[i]!]!;
  return { words, buckets, storedRows, rowCount: storedRows.length, features: held };
}

/** The model's input matrix with the held rows' values (rowCount x dim, packed). */
export function classifierInputMatrix(layout: ClassifierInputLayout, dim: number, values: Float32Array): SparseRowMatrix {
  return new SparseRowMatrix(layout.words + layout.buckets, dim, values, layout.storedRows);
}

/**
 * The input rows a model stores: every word's, and the n-gram buckets that training examples use. Training never
 * updates the other buckets; fastText leaves them at their random initial values, which only add noise to the hidden
 * vector of a text with n-grams unseen in training. Here they are zero and not stored: the predicted ranking is that
 * of the same text without its unseen n-grams, and a model with 2 M buckets takes megabytes instead of 800 MB.
 */
function storedInputRows(features: Int32Array, nwords: number, buckets: number): Int32Array {
  const used = new Uint8Array(buckets);
  let count = 0;
  for (let i = 0; i < features.length; i++) {
    const bucket = features[i]! - nwords;
    if (bucket >= 0 && used[bucket] === 0) {
      used[bucket] = 1;
      count++;
    }
  }
  const rows = new Int32Array(nwords + count);
  for (let w = 0; w < nwords; w++) rows[w] = w;
  for (let b = 0, at = nwords; b < buckets; b++) if (used[b] === 1) rows[at++] = nwords + b;
  return rows;
}

/** The initial input rows (rowCount x dim, packed): Uniform(-1/dim, 1/dim) from the kernel's generator, as trainClassifier starts. */
export function initialInputRows(rowCount: number, dim: number, seed: number): Float32Array {
  const plan = new MemoryPlan();
  const at = plan.take(rowCount * dim * 4);
  const { memory, kernel } = plan.allocate();
  kernel.fillUniform(at, rowCount, dim, dim, 1 / dim, inputInitSeed(seed));
  return new Float32Array(memory.buffer, at, rowCount * dim).slice();
}

/** Fills `table` with labels in proportion to count^0.5 (fastText's NegativeSamplingLoss table), shuffled by `seed`. */
export function fillLabelNegatives(table: Int32Array, counts: Float64Array, seed: number): void {
  let total = 0;
  for (const c of counts) total += Math.sqrt(c);
  let at = 0;
  for (let l = 0; l < counts.length; l++) {
    const end = l === counts.length - 1 ? table.length : Math.min(table.length, at + Math.max(1, Math.round((Math.sqrt(counts[l]!) / total) * table.length)));
    table.fill(l, at, end);
    at = end;
  }
  shuffle(table, seed);
}
