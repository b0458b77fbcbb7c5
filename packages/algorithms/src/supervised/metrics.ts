import type { Classifier } from './classifier.js';
import type { LabeledExamples } from './labeled-data.js';

export interface LabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Examples whose (first) gold label is this one. */
  support: number;
}

/** metrics.json: top-1 accuracy, per-label precision/recall/F1 and the confusion matrix (rows gold, columns predicted). */
export interface ClassificationMetrics {
  examples: number;
  accuracy: number;
  labels: LabelMetrics[];
  confusionMatrix: { labels: string[]; counts: number[][] };
}

/** Whether labels[from..to) holds `id`. */
function holds(labels: Int32Array, from: number, to: number, id: number): boolean {
  for (let j = from; j < to; j++) if (labels[j] === id) return true;
  return false;
}

/** 0 instead of NaN for a label never predicted or never gold: JSON has no NaN, and scikit-learn reports 0 there too. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/**
 * Scores the top-1 prediction of every example that has a gold label. Accuracy counts a hit when the prediction is any
 * of the example's gold labels; per-label scores and the confusion matrix take the first gold label as the true class,
 * so that every example lands in exactly one row. An example the classifier makes no prediction for counts as a miss
 * and appears in no column.
 */
export function classificationMetrics(classifier: Classifier, examples: LabeledExamples): ClassificationMetrics {
  const names = classifier.dictionary.labels;
  const labelCount = names.length;
  const counts = Array.from({ length: labelCount }, () => new Array<number>(labelCount).fill(0));
  const support = new Array<number>(labelCount).fill(0);
  const predicted = new Array<number>(labelCount).fill(0);
  let scored = 0;
  let hits = 0;
  for (let i = 0; i < examples.exampleCount; i++) {
    const labelsFrom = examples.labelOffsets[i]!;
    const labelsTo = examples.labelOffsets[i + 1]!;
    if (labelsTo === labelsFrom) continue;
    scored++;
    const gold = examples.labels[labelsFrom]!;
    support[gold]!++;
    const features = examples.features.subarray(examples.featureOffsets[i]!, examples.featureOffsets[i + 1]!);
    const top = classifier.predictIds(features, 1, 0).ids[0];
    if (top === undefined) continue;
    predicted[top]!++;
    counts[gold]![top]!++;
    if (holds(examples.labels, labelsFrom, labelsTo, top)) hits++;
  }
  const labels = names.map((label, id): LabelMetrics => {
    const correct = counts[id]![id]!;
    const precision = ratio(correct, predicted[id]!);
    const recall = ratio(correct, support[id]!);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: support[id]! };
  });
  return { examples: scored, accuracy: ratio(hits, scored), labels, confusionMatrix: { labels: [...names], counts } };
}

/** fastText's `test`: N, precision@k and recall@k over all gold labels. */
export interface PrecisionAtK {
  examples: number;
  k: number;
  precision: number;
  recall: number;
}

/**
 * What fastText's `test` prints (FastText::test and Meter::log): over the examples with a label and an input feature,
 * precision = correct predictions / predictions made and recall = correct predictions / gold labels, where a
 * prediction is one of the top k with probability >= threshold and is correct when it is among the example's gold
 * labels. NaN when there is nothing to divide by, as fastText has it.
 */
export function precisionAtK(classifier: Classifier, examples: LabeledExamples, k: number, threshold = 0): PrecisionAtK {
  let scored = 0;
  let gold = 0;
  let predictions = 0;
  let correct = 0;
  for (let i = 0; i < examples.exampleCount; i++) {
    const labelsFrom = examples.labelOffsets[i]!;
    const labelsTo = examples.labelOffsets[i + 1]!;
    const featuresFrom = examples.featureOffsets[i]!;
    const featuresTo = examples.featureOffsets[i + 1]!;
    if (labelsTo === labelsFrom || featuresTo === featuresFrom) continue;
    scored++;
    gold += labelsTo - labelsFrom;
    const { ids } = classifier.predictIds(examples.features.subarray(featuresFrom, featuresTo), k, threshold);
    predictions += ids.length;
    for (const id of ids) if (holds(examples.labels, labelsFrom, labelsTo, id)) correct++;
  }
  return {
    examples: scored,
    k,
    precision: predictions === 0 ? Number.NaN : correct / predictions,
    recall: gold === 0 ? Number.NaN : correct / gold,
  };
}
