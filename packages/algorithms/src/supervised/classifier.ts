import { InputDataError, type SupervisedLoss } from '@blazefleet/core';
import type { FastTextModel } from '../formats/fasttext-model.js';
import { MemoryPlan, tableSigmoid } from '../kernels/shared-memory.js';
import { SparseRowMatrix } from '../sparse-row-matrix.js';
import { Vocabulary } from '../vocabulary.js';
import { buildLabelTree, type LabelTree } from './label-tree.js';
import { FeatureEncoder, LABEL_PREFIX, LabeledDictionary } from './labeled-data.js';

export interface Prediction {
  /** Label names with the __label__ prefix, best first. */
  labels: string[];
  probabilities: number[];
}

const NEWLINE = 0x0a;
const utf8Decoder = new TextDecoder();

/** fastText's std_log: log(x + 1e-5), so that a zero probability still has a logarithm. */
const stdLog = (x: number) => Math.log(x + 1e-5);

/** Predictions before the input matrix is copied to the WebAssembly kernel's memory, for the rest: when it pays. */
const SIMD_AFTER_PREDICTIONS = 2000;
/** Larger matrices stay in JavaScript only, not to hold two copies. */
const SIMD_MAX_MATRIX_BYTES = 1 << 30;
/** A matrix read straight into the kernel's memory may take most of WebAssembly's 4 GiB. */
const KERNEL_STORAGE_MAX_BYTES = 3.5 * 2 ** 30;
const SIMD_MAX_ROWS = 1 << 16;

/** The kernel's meanRowsF32 with the input matrix in its memory, and the regions of its arguments. */
interface SimdMean {
  meanRows(matrix: number, dim: number, rows: number, count: number, divisor: number, mean: number): void;
  matrix: number;
  rows: Int32Array;
  mean: Float32Array;
}

/** The kernels whose memory holds a matrix of classifierInputStorage, by the memory's buffer. */
const kernelMeans = new WeakMap<ArrayBufferLike, SimdMean>();

/** A kernel on a memory with room for a matrix of `matrixBytes` and meanRowsF32's arguments; the matrix is at `matrix`. */
function simdKernel(matrixBytes: number, dim: number): { simd: SimdMean; memory: WebAssembly.Memory } {
  const plan = new MemoryPlan();
  const matrix = plan.take(matrixBytes);
  const rows = plan.take(SIMD_MAX_ROWS * 4);
  const mean = plan.take(dim * 4);
  const { memory, kernel } = plan.allocate();
  const meanRows = (kernel as unknown as { meanRowsF32: SimdMean['meanRows'] }).meanRowsF32;
  return { simd: { meanRows, matrix, rows: new Int32Array(memory.buffer, rows, SIMD_MAX_ROWS), mean: new Float32Array(memory.buffer, mean, dim) }, memory };
}

function simdMean(input: Float32Array, dim: number): SimdMean | undefined {
  if (input.byteLength > SIMD_MAX_MATRIX_BYTES) return undefined;
  const { simd, memory } = simdKernel(input.byteLength, dim);
  new Float32Array(memory.buffer, simd.matrix, input.length).set(input);
  return simd;
}

/**
 * Storage for readFastTextModel's input matrix in the memory of a prediction kernel, so that a classifier of that
 * model computes hidden vectors with SIMD from the first prediction, without a second copy of the matrix.
 */
export function classifierInputStorage(floats: number, cols: number): Float32Array {
  if (floats * 4 > KERNEL_STORAGE_MAX_BYTES) return new Float32Array(floats);
  const { simd, memory } = simdKernel(floats * 4, cols);
  kernelMeans.set(memory.buffer, simd);
  return new Float32Array(memory.buffer, simd.matrix, floats);
}

/** A trained text classifier: predicts labels of texts the way fastText's predict does, for any of its losses. */
export class Classifier {
  /** The hidden vector of the last prediction: #ownHidden, or the kernel's copy. */
  #hidden: Float32Array;
  readonly #ownHidden: Float32Array;
  readonly #scores: Float64Array;
  #tree: LabelTree | undefined;
  #encoder: FeatureEncoder | undefined;
  /** Scratch of predictIds, reused so that a prediction allocates only its result. */
  #rowStarts = new Int32Array(64);
  #rankedScores = new Float64Array(0);
  #rankedLabels = new Int32Array(0);
  #rankedCount = 0;
  #labelNames: string[] | undefined;
  #predictions = 0;
  #simd: SimdMean | undefined;

  constructor(
    readonly dictionary: LabeledDictionary,
    readonly loss: SupervisedLoss,
    readonly dim: number,
    /** (words + buckets) x dim; not to be changed once predictions start (a copy of it may serve them). */
    readonly input: SparseRowMatrix,
    /** labels x dim */
    readonly output: Float32Array,
  ) {
    this.#hidden = this.#ownHidden = new Float32Array(dim);
    if (input.dim !== dim) throw new RangeError(`input matrix has ${input.dim} columns, expected ${dim}`);
    this.#scores = new Float64Array(dictionary.labels.length);
  }

  /** Top-k labels with probability >= threshold, for one text (tokenized with tokenizeText). */
  predict(text: string, k = 1, threshold = 0): Prediction {
    this.#encoder ??= new FeatureEncoder(this.dictionary);
    return this.predictFeatures(this.#encoder.encodeText(text), k, threshold);
  }

  /** The same for already encoded input rows (LabeledExamples features of one example). */
  predictFeatures(features: Int32Array, k = 1, threshold = 0): Prediction {
    const { ids, probabilities } = this.predictIds(features, k, threshold);
    return { labels: ids.map((id) => this.labelName(id)), probabilities };
  }

  /**
   * predict without result objects, for many texts: ranks the labels and returns how many there are; rankedLabel(i)
   * and rankedProbability(i) read them, best first, until the next prediction.
   */
  rankText(text: string, k = 1, threshold = 0): number {
    this.#encoder ??= new FeatureEncoder(this.dictionary);
    return this.#rank(this.#encoder.encodeText(text), k, threshold);
  }

  /**
   * rankText for every line of the UTF-8 text `bytes` (lines end with \n; the last one may not), calling onLine with
   * the count after ranking each: ASCII lines are read off the bytes, without strings.
   */
  rankLines(bytes: Uint8Array, k: number, threshold: number, onLine: (count: number) => void): void {
    const encoder = (this.#encoder ??= new FeatureEncoder(this.dictionary));
    for (let start = 0; start < bytes.length; ) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end < 0) end = bytes.length;
      const features = encoder.encodeBytes(bytes, start, end) ?? encoder.encodeText(utf8Decoder.decode(bytes.subarray(start, end)));
      onLine(this.#rank(features, k, threshold));
      start = end + 1;
    }
  }

  rankedLabel(i: number): number {
    return this.#rankedLabels[i]!;
  }

  rankedProbability(i: number): number {
    return this.loss === 'hs' ? Math.min(1, Math.exp(this.#rankedScores[i]!)) : this.#scores[this.#rankedLabels[i]!]!;
  }

  /** The label's name with the __label__ prefix. */
  labelName(id: number): string {
    this.#labelNames ??= this.dictionary.labels.map((label) => (label.startsWith(LABEL_PREFIX) ? label : LABEL_PREFIX + label));
    return this.#labelNames[id]!;
  }

  /** Label ids instead of names (for metrics). */
  predictIds(features: Int32Array, k = 1, threshold = 0): { ids: number[]; probabilities: number[] } {
    const count = this.#rank(features, k, threshold);
    const ids = new Array<number>(count);
    const probabilities = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      ids[i] = this.rankedLabel(i);
      probabilities[i] = this.rankedProbability(i);
    }
    return { ids, probabilities };
  }

  /** Ranks the top-k labels with probability >= threshold into #rankedLabels/#rankedScores; returns how many. */
  #rank(features: Int32Array, k: number, threshold: number): number {
    const labelCount = this.dictionary.labels.length;
    if (features.length === 0 || labelCount === 0 || !(k >= 1)) return 0;
    this.#computeHidden(features);
    this.#startRanking(Math.min(k, labelCount));
    if (this.loss === 'hs') {
      this.#tree ??= buildLabelTree(this.dictionary.labelCounts);
      this.#searchTree(k, stdLog(threshold), 2 * this.#tree.labels - 2, 0);
    } else {
      const scores = this.#scores;
      for (let j = 0; j < labelCount; j++) scores[j] = this.#dot(j);
      if (this.loss === 'softmax') {
        let max = -Infinity;
        for (let j = 0; j < labelCount; j++) max = Math.max(max, scores[j]!);
        let sum = 0;
        for (let j = 0; j < labelCount; j++) sum += scores[j] = Math.exp(scores[j]! - max);
        for (let j = 0; j < labelCount; j++) scores[j]! /= sum;
      } else {
        // fastText's BinaryLogisticLoss::computeOutput reads sigmoid from its table, and so do we, to predict the same.
        for (let j = 0; j < labelCount; j++) scores[j] = tableSigmoid(scores[j]!);
      }
      for (let j = 0; j < labelCount; j++) if (scores[j]! >= threshold) this.#offer(stdLog(scores[j]!), j, k);
    }
    // fastText ranks by log(p + 1e-5) and prints its exp, which can exceed 1; rankedProbability gives p itself.
    return this.#rankedCount;
  }

  /** Empties the ranking, with room for `capacity` labels and the one being inserted. */
  #startRanking(capacity: number): void {
    if (this.#rankedScores.length <= capacity) {
      this.#rankedScores = new Float64Array(capacity + 1);
      this.#rankedLabels = new Int32Array(capacity + 1);
    }
    this.#rankedCount = 0;
  }

  /** Inserts a label into the best-first ranking of at most k (fastText's log score, label) pairs. */
  #offer(logProbability: number, label: number, k: number): void {
    const scores = this.#rankedScores;
    const labels = this.#rankedLabels;
    const count = this.#rankedCount;
    if (count === k && logProbability <= scores[k - 1]!) return;
    let at = count;
    for (; at > 0 && scores[at - 1]! < logProbability; at--) {
      scores[at] = scores[at - 1]!;
      labels[at] = labels[at - 1]!;
    }
    scores[at] = logProbability;
    labels[at] = label;
    this.#rankedCount = count === k ? k : count + 1;
  }

  /** fastText's HierarchicalSoftmaxLoss::dfs: walks the label tree, pruning below the threshold or the k-th best. */
  #searchTree(k: number, logThreshold: number, node: number, score: number): void {
    const tree = this.#tree!;
    if (score < logThreshold) return;
    if (this.#rankedCount === k && score < this.#rankedScores[k - 1]!) return;
    if (tree.left[node] === -1 && tree.right[node] === -1) {
      this.#offer(score, node, k);
      return;
    }
    const f = 1 / (1 + Math.exp(-this.#dot(node - tree.labels)));
    this.#searchTree(k, logThreshold, tree.left[node]!, score + stdLog(1 - f));
    this.#searchTree(k, logThreshold, tree.right[node]!, score + stdLog(f));
  }

  /**
   * fastText's hidden vector: the mean of the feature rows, added row after row in float32 and multiplied by the
   * float32 1/n (Vector::addRow, Vector::mul); by the kernel's meanRowsF32 when it has the matrix. Zero rows (not
   * stored) count in n but are not added: adding zeros would not change the sums. Here dimension-major with eight
   * running sums kept in registers: each sum sees the same float32 additions in the same order as the kernel's lanes.
   */
  #computeHidden(features: Int32Array): void {
    const { dim, input } = this;
    if (this.#simd === undefined) {
      const values = input.values;
      const ready = kernelMeans.get(values.buffer);
      if (ready !== undefined && ready.matrix === values.byteOffset) this.#simd = ready;
      else if (++this.#predictions === SIMD_AFTER_PREDICTIONS) this.#simd = simdMean(values, dim);
    }
    const n = features.length;
    const simd = this.#simd !== undefined && n <= this.#simd.rows.length ? this.#simd : undefined;
    if (simd === undefined && this.#rowStarts.length < n) this.#rowStarts = new Int32Array(2 * n);
    const rows = simd === undefined ? this.#rowStarts : simd.rows;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const at = input.storedIndex(features[i]!);
      if (at >= 0) rows[m++] = at;
    }
    if (simd !== undefined) {
      simd.meanRows(simd.matrix, dim, simd.rows.byteOffset, m, n, simd.mean.byteOffset);
      this.#hidden = simd.mean;
      return;
    }
    this.#hidden = this.#ownHidden;
    const hidden = this.#hidden;
    const values = input.values;
    const scale = Math.fround(1 / n);
    const f = Math.fround;
    for (let i = 0; i < m; i++) rows[i] = rows[i]! * dim;
    let d = 0;
    for (; d + 8 <= dim; d += 8) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      for (let i = 0; i < m; i++) {
        const at = rows[i]! + d;
        s0 = f(s0 + values[at]!);
        s1 = f(s1 + values[at + 1]!);
        s2 = f(s2 + values[at + 2]!);
        s3 = f(s3 + values[at + 3]!);
        s4 = f(s4 + values[at + 4]!);
        s5 = f(s5 + values[at + 5]!);
        s6 = f(s6 + values[at + 6]!);
        s7 = f(s7 + values[at + 7]!);
      }
      hidden[d] = s0 * scale;
      hidden[d + 1] = s1 * scale;
      hidden[d + 2] = s2 * scale;
      hidden[d + 3] = s3 * scale;
      hidden[d + 4] = s4 * scale;
      hidden[d + 5] = s5 * scale;
      hidden[d + 6] = s6 * scale;
      hidden[d + 7] = s7 * scale;
    }
    for (; d < dim; d++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum = f(sum + values[rows[i]! + d]!);
      hidden[d] = sum * scale;
    }
  }

  #dot(row: number): number {
    const { dim, output } = this;
    const hidden = this.#hidden;
    let sum = 0;
    for (let d = 0, at = row * dim; d < dim; d++, at++) sum += hidden[d]! * output[at]!;
    return sum;
  }

  static fromFastTextModel(model: FastTextModel): Classifier {
    const { args } = model;
    if (args.model !== 'sup') throw new InputDataError('model', `is a ${args.model} word-vector model, not a classifier (supervised)`);
    if (args.loss === 'ova') throw new InputDataError('model', "uses loss 'ova', which Blazefleet does not support (softmax, ns, hs)");
    const words = new Vocabulary(model.words, model.counts);
    const dictionary = new LabeledDictionary(words, model.labels, model.labelCounts, {
      wordNgrams: args.wordNgrams,
      buckets: args.bucket,
      minn: args.minn,
      maxn: args.maxn,
    });
    return new Classifier(dictionary, args.loss, args.dim, model.input, model.output);
  }

  /** fastText .bin contents, so that `fasttext predict` reads what Blazefleet trained. */
  toFastTextModel(args: { epoch: number; lr: number; neg: number; minCount?: number; ntokens?: number }): FastTextModel {
    const { words, labels, labelCounts, features } = this.dictionary;
    return {
      args: {
        dim: this.dim,
        ws: 5,
        epoch: args.epoch,
        minCount: args.minCount ?? 1,
        neg: args.neg,
        wordNgrams: features.wordNgrams,
        loss: this.loss,
        model: 'sup',
        bucket: this.input.rows - words.size,
        minn: features.minn,
        maxn: features.maxn,
        lrUpdateRate: 100,
        t: 1e-4,
      },
      words: words.words,
      counts: words.counts,
      labels,
      labelCounts,
      ntokens: args.ntokens ?? 0,
      input: this.input,
      output: this.output,
    };
  }
}
