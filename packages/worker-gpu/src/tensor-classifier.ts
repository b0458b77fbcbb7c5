import type * as tfjs from '@tensorflow/tfjs';
import {
  Classifier,
  findNonFinite,
  LABEL_NEGATIVE_TABLE_SIZE,
  buildLabelTree,
  classificationMetrics,
  classifierInputLayout,
  classifierInputMatrix,
  fillLabelNegatives,
  initialInputRows,
  type ClassifierInputLayout,
  type ClassifierWeights,
  type EpochReport,
  type LabelTree,
  type LabeledExamples,
  type SupervisedTrainingOptions,
  type TrainedClassifier,
} from '@blazefleet/algorithms';
import { HyperparameterError, InputDataError, TrainingDivergedError, type SupervisedLoss } from '@blazefleet/core';
import { EpochRandom, epochRandom } from './epoch-random.js';
import type { TensorBackend, TensorBackendName, Tfjs } from './tensor-backend.js';

export interface TensorClassifierOptions extends SupervisedTrainingOptions {
  /** Examples per update; default defaultClassifierBatchSize. */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZES: Record<TensorBackendName, number> = { 'tensorflow-gpu': 1024, tensorflow: 256, cpu: 32 };
const MIN_BATCHES_PER_EPOCH = 200;

/**
 * The backend's batch size (1024 on tensorflow-gpu, 256 on tensorflow, 32 on cpu), at most an epoch's examples / 200,
 * so that a small data set still gets enough updates: TREC (5,452 examples, 5 epochs) scores 0.89 in batches of 27
 * and 0.83 in batches of 1024, 27 updates in all.
 */
function defaultClassifierBatchSize(backend: TensorBackendName, exampleCount: number): number {
  return Math.max(1, Math.min(DEFAULT_BATCH_SIZES[backend], Math.floor(exampleCount / MIN_BATCHES_PER_EPOCH)));
}
const TENSOR_LOSSES: readonly SupervisedLoss[] = ['softmax', 'ns', 'hs'];

/** The model as tensors: input rows (held rows of classifierInputLayout x dim) and output rows (labels x dim). */
export type ClassifierTensors = {
  input: tfjs.Tensor2D;
  output: tfjs.Tensor2D;
};

/**
 * The examples of one update, as index arrays. Features: the input rows the batch reads, each once (`rows`), and per
 * feature of every example in order, its index into `rows` and its example. Loss softmax reads `targets`; ns and hs
 * read logistic units: output row, truth (1 for the target or a right turn of its tree path, else 0) and example.
 */
export interface ClassifierBatch {
  examples: number;
  rows: Int32Array;
  featureRows: Int32Array;
  featureExamples: Int32Array;
  /** Per example: 1 / its feature count. */
  inverseCounts: Float32Array;
  learningRates: Float32Array;
  targets: Int32Array;
  unitRows: Int32Array;
  unitTruths: Float32Array;
  unitExamples: Int32Array;
}

/**
 * One update of fastText's supervised model by a batch: every example's hidden vector (the mean of its input rows)
 * against the same model, gradients by hand as the CPU kernel has them (softmax: lr * (onehot - p); ns and hs:
 * lr * (truth - sigmoid) per unit), the output rows' and input rows' updates of all examples summed (an input row an
 * example has twice gets its share twice).
 *
 * The examples of a batch all see the same model, so a row they share (a label, a frequent word) gets the sum of many
 * stale gradients, which overshoots when large. Each row's sum is scaled by min(1, 1 / c), c = the curvature of the
 * batch's loss along its step: over its uses, lr * the loss's second derivative in the score (softmax:
 * p * (1 - p); logistic units: sigmoid'), times |the other side|^2 (an output row: the hidden vector; an input row:
 * the output rows it met, over the example's row count, as all of an example's rows move together). One example's
 * own step has c < 1 at the usual learning rates, so the cap leaves small batches as SGD has them; counting a row's
 * uses instead (at most 32 at full size) let SST-2 fall from 0.80 to 0.60 accuracy in batches of 256.
 *
 * Returns the new model and the batch's summed loss; disposes none of the tensors it got, but `model.input` may be
 * updated in place (the cpu backend's tensorScatterUpdate writes into it).
 */
export function trainClassifierBatch(tf: Tfjs, model: ClassifierTensors, batch: ClassifierBatch, loss: SupervisedLoss): { model: ClassifierTensors; loss: tfjs.Scalar } {
  return tf.tidy(() => {
    const count = batch.examples;
    const labels = model.output.shape[0];
    const rows = tf.tensor1d(batch.rows, 'int32');
    const featureRows = tf.tensor1d(batch.featureRows, 'int32');
    const featureExamples = tf.tensor1d(batch.featureExamples, 'int32');
    const inverseCounts = tf.tensor2d(batch.inverseCounts, [count, 1]);
    const learningRates = tf.tensor1d(batch.learningRates);
    const batchRows = tf.gather(model.input, rows);
    const hidden = tf.mul<tfjs.Tensor2D>(sumRows(tf, tf.gather(batchRows, featureRows), featureExamples, count), inverseCounts);
    const hiddenSquares = tf.sum(tf.square(hidden), 1, true);
    let hiddenGradient: tfjs.Tensor2D;
    let outputSums: tfjs.Tensor2D;
    let outputCurvatures: tfjs.Tensor;
    let exampleCurvatures: tfjs.Tensor;
    let lossSum: tfjs.Scalar;
    if (loss === 'softmax') {
      const truth = tf.oneHot(tf.tensor1d(batch.targets, 'int32'), labels, 1, 0, 'float32');
      const probabilities = tf.softmax(tf.matMul(hidden, model.output, false, true));
      const rates = tf.expandDims(learningRates, 1);
      const gradient = tf.mul(tf.sub(truth, probabilities), rates);
      hiddenGradient = tf.matMul(gradient, model.output);
      outputSums = tf.matMul(gradient, hidden, true, false);
      const slopes = tf.mul(tf.mul(probabilities, tf.sub(1, probabilities)), rates);
      outputCurvatures = tf.matMul(slopes, hiddenSquares, true, false);
      exampleCurvatures = tf.matMul(slopes, tf.sum(tf.square(model.output), 1, true));
      lossSum = tf.neg(tf.sum(tf.mul(truth, tf.log(tf.add(probabilities, 1e-5)))));
    } else if (batch.unitRows.length === 0) {
      // hs with a single label: its tree has no inner node, so nothing to learn.
      hiddenGradient = tf.zerosLike(hidden);
      outputSums = tf.zerosLike(model.output);
      outputCurvatures = tf.zeros([labels, 1]);
      exampleCurvatures = tf.zeros([count, 1]);
      lossSum = tf.scalar(0);
    } else {
      const unitExamples = tf.tensor1d(batch.unitExamples, 'int32');
      const unitRows = tf.tensor1d(batch.unitRows, 'int32');
      const truths = tf.tensor1d(batch.unitTruths);
      const outputRows = tf.gather(model.output, unitRows);
      const unitHidden = tf.gather(hidden, unitExamples);
      const scores = tf.sigmoid(tf.sum(tf.mul(outputRows, unitHidden), 1));
      const rates = tf.gather(learningRates, unitExamples);
      const gradient = tf.expandDims(tf.mul(tf.sub(truths, scores), rates), 1);
      hiddenGradient = sumRows(tf, tf.mul(outputRows, gradient), unitExamples, count);
      outputSums = sumRows(tf, tf.mul(unitHidden, gradient), unitRows, labels);
      const slopes = tf.expandDims(tf.mul(tf.mul(scores, tf.sub(1, scores)), rates), 1);
      outputCurvatures = sumRows(tf, tf.mul(slopes, tf.gather(hiddenSquares, unitExamples)), unitRows, labels);
      exampleCurvatures = sumRows(tf, tf.mul(slopes, tf.sum(tf.square(outputRows), 1, true)), unitExamples, count);
      const logTruth = tf.mul(truths, tf.log(tf.add(scores, 1e-5)));
      const logFalse = tf.mul(tf.sub(1, truths), tf.log(tf.add(tf.sub(1, scores), 1e-5)));
      lossSum = tf.neg(tf.sum(tf.add(logTruth, logFalse)));
    }
    const output = tf.add<tfjs.Tensor2D>(model.output, tf.mul(outputSums, newtonCaps(tf, outputCurvatures)));
    // All rows of an example move together: its hidden vector moves by its rows' shared step, of curvature 1 / count.
    const rowCurvatures = sumRows(tf, tf.gather(tf.mul(exampleCurvatures, inverseCounts), featureExamples), featureRows, batch.rows.length);
    const featureGradients = tf.gather(tf.mul(hiddenGradient, inverseCounts), featureExamples);
    const updatedRows = tf.add(batchRows, tf.mul(sumRows(tf, featureGradients, featureRows, batch.rows.length), newtonCaps(tf, rowCurvatures)));
    const input = tf.tensorScatterUpdate(model.input, tf.expandDims(rows, 1), updatedRows);
    return { model: { input, output }, loss: lossSum };
  });
}

/** min(1, 1 / curvature) per row (1 / 0 is Infinity). */
function newtonCaps(tf: Tfjs, curvatures: tfjs.Tensor): tfjs.Tensor {
  return tf.minimum(1, tf.reciprocal(curvatures));
}

/**
 * Row i of the result: the sum of the rows of `values` whose `ids` entry is i. tf.scatterND sums repeated indices in
 * one pass on every backend (the pure-JS cpu backend's unsortedSegmentSum takes a pass over the values per segment).
 */
function sumRows(tf: Tfjs, values: tfjs.Tensor, ids: tfjs.Tensor1D, count: number): tfjs.Tensor2D {
  return tf.scatterND(tf.expandDims(ids, 1), values, [count, values.shape[1]!]) as tfjs.Tensor2D;
}

/**
 * trainClassifier on TensorFlow.js tensors, mini-batched: the same data layout, initial model (the kernel's
 * generator), learning-rate schedule (linear decay by examples processed), label sampling (ns: fastText's count^0.5
 * table, read from a seeded position; several labels: a random one), per-epoch validation, early stopping,
 * checkpoints and result, so that runSupervisedJob writes the same model.bin from it. Within a batch the examples see
 * the same model and their updates add up, each row's sum capped by its curvature (see trainClassifierBatch). With
 * batches of one example it is the CPU trainer's SGD on one thread. Deterministic for a seed on
 * the pure-JS cpu backend.
 */
export async function trainClassifierOnTensors(backend: TensorBackend, options: TensorClassifierOptions): Promise<TrainedClassifier> {
  const { tf } = backend;
  const { dictionary, examples, validation, hyperparameters: hp } = options;
  if (!TENSOR_LOSSES.includes(hp.loss)) throw new HyperparameterError('loss', `one of ${TENSOR_LOSSES.join(', ')}`, hp.loss);
  const nlabels = dictionary.labels.length;
  if (examples.exampleCount === 0 || nlabels === 0) throw new InputDataError('training data', 'has no labeled example');
  const batchSize = options.batchSize ?? defaultClassifierBatchSize(backend.name, examples.exampleCount);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize: expected a positive integer, got ${batchSize}`);
  const seed = options.seed ?? 1;
  const dim = hp.vector_dim;
  const layout = classifierInputLayout(dictionary, examples);
  const resumed = options.resumeFrom;
  if (resumed !== undefined) requireWeights(resumed, layout.rowCount, nlabels, dim, 'resumeFrom');

  const exampleCount = examples.exampleCount;
  const totalWork = hp.epochs * exampleCount;
  const builder = new BatchBuilder(examples, layout, hp.loss, hp.learning_rate, totalWork, {
    labels: nlabels,
    negativeSamples: hp.negative_samples,
    ...(hp.loss === 'ns' ? { negatives: labelNegatives(dictionary.labelCounts, seed) } : {}),
    ...(hp.loss === 'hs' ? { tree: buildLabelTree(dictionary.labelCounts) } : {}),
  });
  // The resumed arrays are copied: the cpu backend keeps a tensor's array and may update it in place.
  let model: ClassifierTensors = {
    input: tf.tensor2d(resumed?.input.slice() ?? initialInputRows(layout.rowCount, dim, seed), [layout.rowCount, dim]),
    output: resumed === undefined ? tf.zeros([nlabels, dim]) : tf.tensor2d(resumed.output.slice(), [nlabels, dim]),
  };

  // The model's arrays, valid until the next batch (the cpu backend returns the tensors' own arrays).
  const weights = async (): Promise<ClassifierWeights> => ({
    input: (await model.input.data()) as Float32Array,
    output: (await model.output.data()) as Float32Array,
  });
  const classifierOf = ({ input, output }: ClassifierWeights) => new Classifier(dictionary, hp.loss, dim, classifierInputMatrix(layout, dim, input), output);
  const reports: EpochReport[] = resumed === undefined ? [] : [...resumed.reports];
  let best = resumed?.best;
  // Early stopping after `completed` epochs: no better epoch for `patience` epochs, from min_epochs on.
  const patienceRunOut = (completed: number): boolean =>
    hp.early_stopping && best !== undefined && completed >= hp.min_epochs && completed - best.epoch >= hp.patience && completed < hp.epochs;

  const firstEpoch = resumed?.completedEpochs ?? 0;
  let epoch = firstEpoch;
  let stoppedEarly = patienceRunOut(firstEpoch);
  const totals = { loss: 0, examples: 0 };
  const savedLoss = resumed?.counters.loss ?? [];
  for (let i = 0; i + 1 < savedLoss.length; i += 2) {
    totals.loss += savedLoss[i]!;
    totals.examples += savedLoss[i + 1]!;
  }
  const tokensPerExample = examples.tokenCount / exampleCount;
  const intervalMs = options.progressIntervalMs ?? 1000;
  const started = performance.now();
  let lastReport = started;
  const reported = { ...totals };
  const reportProgress = (done: number, epochLoss: number, epochExamples: number) => {
    lastReport = performance.now();
    if (!options.onProgress) return;
    const seconds = (lastReport - started) / 1000;
    const doneHere = done - firstEpoch * exampleCount;
    const perSecond = seconds > 0 ? doneHere / seconds : 0;
    const loss = totals.loss + epochLoss;
    const lossExamples = totals.examples + epochExamples;
    options.onProgress({
      alpha: hp.learning_rate * (1 - done / totalWork),
      progress: done / totalWork,
      epoch: Math.min(epoch + 1, hp.epochs),
      wordsPerSecond: perSecond * tokensPerExample,
      etaSeconds: perSecond > 0 ? (totalWork - done) / perSecond : Number.POSITIVE_INFINITY,
      loss: lossExamples > reported.examples ? (loss - reported.loss) / (lossExamples - reported.examples) : 0,
    });
    reported.loss = loss;
    reported.examples = lossExamples;
  };

  try {
    for (; epoch < hp.epochs && !stoppedEarly; epoch++) {
      builder.startEpoch(epochRandom(seed, epoch));
      let epochLoss = tf.scalar(0);
      let epochExamples = 0;
      try {
        for (let from = 0; from < exampleCount; ) {
          options.signal?.throwIfAborted();
          const to = Math.min(exampleCount, from + batchSize);
          const batch = builder.build(from, to, epoch * exampleCount);
          if (batch.examples > 0) {
            const step = trainClassifierBatch(tf, model, batch, hp.loss);
            tf.dispose([model.input, model.output]);
            model = step.model;
            const sum = tf.add<tfjs.Scalar>(epochLoss, step.loss);
            tf.dispose([epochLoss, step.loss]);
            epochLoss = sum;
            epochExamples += batch.examples;
          }
          from = to;
          if (options.onProgress && performance.now() - lastReport >= intervalMs) {
            reportProgress(epoch * exampleCount + from, (await epochLoss.data())[0]!, epochExamples);
          }
          // Lets timers and the abort signal's listeners run between batches.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        const lossSum = (await epochLoss.data())[0]!;
        if (!Number.isFinite(lossSum)) throw new TrainingDivergedError(epoch + 1, 'loss became NaN');
        totals.loss += lossSum;
        totals.examples += epochExamples;
        const report: EpochReport = { epoch: epoch + 1, trainLoss: lossSum / Math.max(1, epochExamples) };
        const current = validation || options.onCheckpoint ? await weights() : undefined;
        if (validation && current) {
          report.validationAccuracy = classificationMetrics(classifierOf(current), validation).accuracy;
          if (hp.early_stopping && (best === undefined || report.validationAccuracy > best.accuracy)) {
            best = { epoch: epoch + 1, accuracy: report.validationAccuracy, input: current.input.slice(), output: current.output.slice() };
          }
        }
        reports.push(report);
        options.onEpochEnd?.(report);
        if (options.onCheckpoint && current) {
          const counters = { processed: (epoch + 1) * exampleCount, loss: [totals.loss, totals.examples] };
          await options.onCheckpoint({ completedEpochs: epoch + 1, counters, ...current, reports, best });
        }
      } finally {
        epochLoss.dispose();
      }
      stoppedEarly = patienceRunOut(epoch + 1);
    }
    reportProgress(Math.min(epoch * exampleCount, totalWork), 0, 0);
    const seconds = (performance.now() - started) / 1000;
    const last = await weights();
    if ((findNonFinite(last.input) ?? findNonFinite(last.output)) !== undefined) throw new TrainingDivergedError(epoch, 'weights contain NaN or infinity');
    const keepBest = hp.early_stopping && best !== undefined;
    return {
      hyperparameters: hp,
      classifier: classifierOf(keepBest ? best! : last),
      epochs: reports,
      bestEpoch: keepBest ? best!.epoch : reports.length,
      stoppedEarly,
      seconds,
      tokensPerSecond: seconds > 0 ? ((epoch - firstEpoch) * examples.tokenCount) / seconds : 0,
      threads: 1,
    };
  } finally {
    tf.dispose([model.input, model.output]);
  }
}

function requireWeights(weights: ClassifierWeights, rows: number, labels: number, dim: number, name: string): void {
  if (weights.input.length !== rows * dim || weights.output.length !== labels * dim) {
    throw new RangeError(`${name}: expected ${rows} x ${dim} input and ${labels} x ${dim} output values, got ${weights.input.length} and ${weights.output.length}`);
  }
}

function labelNegatives(counts: Float64Array, seed: number): Int32Array {
  const table = new Int32Array(LABEL_NEGATIVE_TABLE_SIZE);
  fillLabelNegatives(table, counts, seed);
  return table;
}

interface LabelSampling {
  labels: number;
  negativeSamples: number;
  negatives?: Int32Array;
  tree?: LabelTree;
}

/** Builds ClassifierBatch index arrays from the examples, drawing targets and negatives as the CPU kernel does. */
class BatchBuilder {
  /** Per held input row: its index in the batch being built, or -1. */
  readonly #slotOf: Int32Array;
  readonly #unitsPerExample: number;
  #random = new EpochRandom(0);
  #negativeAt = 0;

  constructor(
    readonly examples: LabeledExamples,
    readonly layout: ClassifierInputLayout,
    readonly loss: SupervisedLoss,
    readonly learningRate: number,
    readonly totalWork: number,
    readonly sampling: LabelSampling,
  ) {
    this.#slotOf = new Int32Array(layout.rowCount).fill(-1);
    let longestPath = 0;
    const offsets = sampling.tree?.pathOffsets;
    if (offsets) for (let l = 0; l + 1 < offsets.length; l++) longestPath = Math.max(longestPath, offsets[l + 1]! - offsets[l]!);
    this.#unitsPerExample = loss === 'ns' ? 1 + sampling.negativeSamples : loss === 'hs' ? longestPath : 0;
  }

  startEpoch(random: EpochRandom): void {
    this.#random = random;
    const table = this.sampling.negatives;
    this.#negativeAt = table ? random.below(table.length) : 0;
  }

  /** The batch of examples [from, to); `workBefore` examples were processed before `from` in earlier epochs. */
  build(from: number, to: number, workBefore: number): ClassifierBatch {
    const { featureOffsets, labelOffsets, labels } = this.examples;
    const features = this.layout.features;
    const slotOf = this.#slotOf;
    const featureCount = featureOffsets[to]! - featureOffsets[from]!;
    const rows = new Int32Array(featureCount);
    const featureRows = new Int32Array(featureCount);
    const featureExamples = new Int32Array(featureCount);
    const inverseCounts = new Float32Array(to - from);
    const learningRates = new Float32Array(to - from);
    const targets = new Int32Array(to - from);
    const unitCapacity = (to - from) * this.#unitsPerExample;
    const unitRows = new Int32Array(unitCapacity);
    const unitTruths = new Float32Array(unitCapacity);
    const unitExamples = new Int32Array(unitCapacity);
    const rate = Math.fround(this.learningRate);
    let count = 0;
    let rowCount = 0;
    let at = 0;
    let units = 0;
    for (let e = from; e < to; e++) {
      const fs = featureOffsets[e]!;
      const fe = featureOffsets[e + 1]!;
      const ls = labelOffsets[e]!;
      const le = labelOffsets[e + 1]!;
      if (fe === fs || le === ls) continue;
      // As the kernel: the rate decays with the examples before this one, in float32.
      const progress = Math.min(1, Math.fround((workBefore + e) / this.totalWork));
      learningRates[count] = Math.fround(rate * Math.fround(1 - progress));
      inverseCounts[count] = 1 / (fe - fs);
      const target = labels[le - ls === 1 ? ls : ls + this.#random.below(le - ls)]!;
      targets[count] = target;
      for (let f = fs; f < fe; f++) {
        const row = features[f]!;
        let slot = slotOf[row]!;
        if (slot < 0) {
          slot = slotOf[row] = rowCount;
          rows[rowCount++] = row;
        }
        featureRows[at] = slot;
        featureExamples[at++] = count;
      }
      if (this.loss === 'ns') units = this.#addNegativeSampling(target, count, units, unitRows, unitTruths, unitExamples);
      else if (this.loss === 'hs') units = this.#addPath(target, count, units, unitRows, unitTruths, unitExamples);
      count++;
    }
    for (let r = 0; r < rowCount; r++) slotOf[rows[r]!] = -1;
    // Copies, not views: a backend may hand a typed array's whole buffer to the device.
    return {
      examples: count,
      rows: rows.slice(0, rowCount),
      featureRows: featureRows.slice(0, at),
      featureExamples: featureExamples.slice(0, at),
      inverseCounts: inverseCounts.slice(0, count),
      learningRates: learningRates.slice(0, count),
      targets: targets.slice(0, count),
      unitRows: unitRows.slice(0, units),
      unitTruths: unitTruths.slice(0, units),
      unitExamples: unitExamples.slice(0, units),
    };
  }

  /** The target, then negative_samples labels read on from the table, redrawing the target (none with one label). */
  #addNegativeSampling(target: number, example: number, units: number, rows: Int32Array, truths: Float32Array, examples: Int32Array): number {
    const table = this.sampling.negatives!;
    rows[units] = target;
    truths[units] = 1;
    examples[units++] = example;
    for (let k = 0; k < this.sampling.negativeSamples; k++) {
      let label: number;
      do {
        label = table[this.#negativeAt]!;
        if (++this.#negativeAt === table.length) this.#negativeAt = 0;
      } while (label === target && this.sampling.labels > 1);
      if (label === target) break;
      rows[units] = label;
      truths[units] = 0;
      examples[units++] = example;
    }
    return units;
  }

  /** The inner nodes on the target's tree path, with the side taken at each. */
  #addPath(target: number, example: number, units: number, rows: Int32Array, truths: Float32Array, examples: Int32Array): number {
    const { pathOffsets, pathNodes, pathCodes } = this.sampling.tree!;
    for (let i = pathOffsets[target]!; i < pathOffsets[target + 1]!; i++) {
      rows[units] = pathNodes[i]!;
      truths[units] = pathCodes[i]!;
      examples[units++] = example;
    }
    return units;
  }
}
