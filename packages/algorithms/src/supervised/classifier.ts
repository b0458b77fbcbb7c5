import { InputDataError, type SupervisedLoss } from '@blazefleet/core';
import type { FastTextModel } from '../formats/fasttext-model.js';
import { tableSigmoid } from '../kernels/shared-memory.js';
import { Vocabulary } from '../vocabulary.js';
import { buildLabelTree, type LabelTree } from './label-tree.js';
import { LABEL_PREFIX, LabeledDictionary, encodeTokens, tokenizeText } from './labeled-data.js';

export interface Prediction {
  /** Label names with the __label__ prefix, best first. */
  labels: string[];
  probabilities: number[];
}

/** fastText's std_log: log(x + 1e-5), so that a zero probability still has a logarithm. */
const stdLog = (x: number) => Math.log(x + 1e-5);

/** A trained text classifier: predicts labels of texts the way fastText's predict does, for any of its losses. */
export class Classifier {
  readonly #hidden: Float64Array;
  readonly #scores: Float64Array;
  #tree: LabelTree | undefined;

  constructor(
    readonly dictionary: LabeledDictionary,
    readonly loss: SupervisedLoss,
    readonly dim: number,
    /** (words + buckets) x dim */
    readonly input: Float32Array,
    /** labels x dim */
    readonly output: Float32Array,
  ) {
    this.#hidden = new Float64Array(dim);
    this.#scores = new Float64Array(dictionary.labels.length);
  }

  /** Top-k labels with probability >= threshold, for one text (tokenized with tokenizeText). */
  predict(text: string, k = 1, threshold = 0): Prediction {
    return this.predictFeatures(encodeTokens(tokenizeText(text), this.dictionary), k, threshold);
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
    if (features.length === 0 || this.dictionary.labels.length === 0) return { ids: [], probabilities: [] };
    const hidden = this.#computeHidden(features);
    const best: [number, number][] = []; // [fastText's log score, label], kept sorted best first, at most k
    const offer = (logProbability: number, label: number) => {
      if (best.length === k && logProbability <= best[k - 1]![0]) return;
      let at = best.length;
      while (at > 0 && best[at - 1]![0] < logProbability) at--;
      best.splice(at, 0, [logProbability, label]);
      if (best.length > k) best.pop();
    };
    if (this.loss === 'hs') {
      this.#tree ??= buildLabelTree(this.dictionary.labelCounts);
      this.#searchTree(hidden, k, threshold, 2 * this.#tree.labels - 2, 0, best, offer);
    } else {
      const scores = this.#scores;
      for (let j = 0; j < scores.length; j++) scores[j] = this.#dot(hidden, j);
      if (this.loss === 'softmax') {
        let max = -Infinity;
        for (let j = 0; j < scores.length; j++) max = Math.max(max, scores[j]!);
        let sum = 0;
        for (let j = 0; j < scores.length; j++) sum += scores[j] = Math.exp(scores[j]! - max);
        for (let j = 0; j < scores.length; j++) scores[j]! /= sum;
      } else {
        // fastText's BinaryLogisticLoss::computeOutput reads sigmoid from its table, and so do we, to predict the same.
        for (let j = 0; j < scores.length; j++) scores[j] = tableSigmoid(scores[j]!);
      }
      for (let j = 0; j < scores.length; j++) if (scores[j]! >= threshold) offer(stdLog(scores[j]!), j);
    }
    // fastText ranks by log(p + 1e-5) and prints its exp, which can exceed 1; the probabilities returned are p itself.
    const probability = (b: [number, number]) => (this.loss === 'hs' ? Math.min(1, Math.exp(b[0])) : this.#scores[b[1]]!);
    return { ids: best.map((b) => b[1]), probabilities: best.map(probability) };
  }

  /** fastText's HierarchicalSoftmaxLoss::dfs: walks the label tree, pruning below the threshold or the k-th best. */
  #searchTree(hidden: Float64Array, k: number, threshold: number, node: number, score: number, best: [number, number][], offer: (s: number, l: number) => void): void {
    const tree = this.#tree!;
    if (score < stdLog(threshold)) return;
    if (best.length === k && score < best[k - 1]![0]) return;
    if (tree.left[node] === -1 && tree.right[node] === -1) {
      offer(score, node);
      return;
    }
    const f = 1 / (1 + Math.exp(-this.#dot(hidden, node - tree.labels)));
    this.#searchTree(hidden, k, threshold, tree.left[node]!, score + stdLog(1 - f), best, offer);
    this.#searchTree(hidden, k, threshold, tree.right[node]!, score + stdLog(f), best, offer);
  }

  #computeHidden(features: Int32Array): Float64Array {
    const { dim, input } = this;
    const hidden = this.#hidden.fill(0);
    for (let i = 0; i < features.length; i++) {
      const row = features[i]! * dim;
      for (let d = 0; d < dim; d++) hidden[d]! += input[row + d]!;
    }
    for (let d = 0; d < dim; d++) hidden[d]! /= features.length;
    return hidden;
  }

  #dot(hidden: Float64Array, row: number): number {
    const { dim, output } = this;
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
