import { InputDataError, type SupervisedLoss } from '@blazefleet/core';
import type { FastTextModel } from '../formats/fasttext-model.js';
import { MemoryPlan, tableSigmoid } from '../kernels/shared-memory.js';
import { Vocabulary } from '../vocabulary.js';
import { buildLabelTree, type LabelTree } from './label-tree.js';
import { FeatureEncoder, LABEL_PREFIX, LabeledDictionary } from './labeled-data.js';

export interface Prediction {
  /** Label names with the __label__ prefix, best first. */
  labels: string[];
  probabilities: number[];
}

/** fastText's std_log: log(x + 1e-5), so that a zero probability still has a logarithm. */
const stdLog = (x: number) => Math.log(x + 1e-5);

/** Predictions before the input matrix is copied to the WebAssembly kernel's memory, for the rest: when it pays. */
const SIMD_AFTER_PREDICTIONS = 2000;
/** Larger matrices stay in JavaScript only, not to hold two copies. */
const SIMD_MAX_MATRIX_BYTES = 1 << 30;
const SIMD_MAX_ROWS = 1 << 16;

/** The kernel's meanRowsF64 with the input matrix copied into its memory, and the regions of its arguments. */
interface SimdMean {
  meanRows(matrix: number, dim: number, rows: number, count: number, mean: number): void;
  matrix: number;
  rows: Int32Array;
  mean: Float64Array;
}

function simdMean(input: Float32Array, dim: number): SimdMean | undefined {
  if (input.byteLength > SIMD_MAX_MATRIX_BYTES) return undefined;
  const plan = new MemoryPlan();
  const matrix = plan.take(input.byteLength);
  const rows = plan.take(SIMD_MAX_ROWS * 4);
  const mean = plan.take(dim * 8);
  const { memory, kernel } = plan.allocate();
  new Float32Array(memory.buffer, matrix, input.length).set(input);
  const meanRows = (kernel as unknown as { meanRowsF64: SimdMean['meanRows'] }).meanRowsF64;
  return { meanRows, matrix, rows: new Int32Array(memory.buffer, rows, SIMD_MAX_ROWS), mean: new Float64Array(memory.buffer, mean, dim) };
}

/** A trained text classifier: predicts labels of texts the way fastText's predict does, for any of its losses. */
export class Classifier {
  /** The hidden vector of the last prediction: #ownHidden, or the kernel's copy. */
  #hidden: Float64Array;
  readonly #ownHidden: Float64Array;
  readonly #scores: Float64Array;
  #tree: LabelTree | undefined;
  #encoder: FeatureEncoder | undefined;
  /** Scratch of predictIds, reused so that a prediction allocates only its result. */
  #rowStarts = new Int32Array(64);
  #rankedScores = new Float64Array(0);
  #rankedLabels = new Int32Array(0);
  #rankedCount = 0;
  #predictions = 0;
  #simd: SimdMean | undefined;

  constructor(
    readonly dictionary: LabeledDictionary,
    readonly loss: SupervisedLoss,
    readonly dim: number,
    /** (words + buckets) x dim; not to be changed once predictions start (a copy of it may serve them). */
    readonly input: Float32Array,
    /** labels x dim */
    readonly output: Float32Array,
  ) {
    this.#hidden = this.#ownHidden = new Float64Array(dim);
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

  labelName(id: number): string {
    const label = this.dictionary.labels[id]!;
    return label.startsWith(LABEL_PREFIX) ? label : LABEL_PREFIX + label;
  }

  /** Label ids instead of names (for metrics). */
  predictIds(features: Int32Array, k = 1, threshold = 0): { ids: number[]; probabilities: number[] } {
    const labelCount = this.dictionary.labels.length;
    if (features.length === 0 || labelCount === 0 || !(k >= 1)) return { ids: [], probabilities: [] };
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
    // fastText ranks by log(p + 1e-5) and prints its exp, which can exceed 1; the probabilities returned are p itself.
    const count = this.#rankedCount;
    const ids = new Array<number>(count);
    const probabilities = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const label = this.#rankedLabels[i]!;
      ids[i] = label;
      probabilities[i] = this.loss === 'hs' ? Math.min(1, Math.exp(this.#rankedScores[i]!)) : this.#scores[label]!;
    }
    return { ids, probabilities };
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
   * The mean of the feature rows, summed in double precision row after row; by the kernel's meanRowsF64 once it has
   * the matrix. Here dimension-major with eight running sums kept in registers: each sum sees the same additions in
   * the same order as a row-major loop, so both give the same results.
   */
  #computeHidden(features: Int32Array): void {
    if (this.#simd === undefined && ++this.#predictions === SIMD_AFTER_PREDICTIONS) this.#simd = simdMean(this.input, this.dim);
    const simd = this.#simd;
    if (simd !== undefined && features.length <= simd.rows.length) {
      simd.rows.set(features);
      simd.meanRows(simd.matrix, this.dim, simd.rows.byteOffset, features.length, simd.mean.byteOffset);
      this.#hidden = simd.mean;
      return;
    }
    this.#hidden = this.#ownHidden;
    const { dim, input } = this;
    const hidden = this.#hidden;
    const n = features.length;
    let starts = this.#rowStarts;
    if (starts.length < n) starts = this.#rowStarts = new Int32Array(2 * n);
    for (let i = 0; i < n; i++) starts[i] = features[i]! * dim;
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
      for (let i = 0; i < n; i++) {
        const at = starts[i]! + d;
        s0 += input[at]!;
        s1 += input[at + 1]!;
        s2 += input[at + 2]!;
        s3 += input[at + 3]!;
        s4 += input[at + 4]!;
        s5 += input[at + 5]!;
        s6 += input[at + 6]!;
        s7 += input[at + 7]!;
      }
      hidden[d] = s0 / n;
      hidden[d + 1] = s1 / n;
      hidden[d + 2] = s2 / n;
      hidden[d + 3] = s3 / n;
      hidden[d + 4] = s4 / n;
      hidden[d + 5] = s5 / n;
      hidden[d + 6] = s6 / n;
      hidden[d + 7] = s7 / n;
    }
    for (; d < dim; d++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += input[starts[i]! + d]!;
      hidden[d] = s / n;
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
        bucket: this.input.length / this.dim - words.size,
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
