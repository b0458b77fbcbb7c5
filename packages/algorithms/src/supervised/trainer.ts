import { availableParallelism } from 'node:os';
import { InputDataError, TrainingDivergedError, type SupervisedHyperparameters, type TrainingProgress } from '@blazefleet/core';
import { KERNEL_LOSSES, kernelModule } from '../kernels/kernel-module.js';
import { MemoryPlan, compactRows, expandRows, fillActivationTables, paddedStride, shuffle, takeActivationTables, threadScratchBytes } from '../kernels/shared-memory.js';
import { TrainingThreads, findNonFinite } from '../kernels/training-threads.js';
import { Classifier } from './classifier.js';
import { buildLabelTree } from './label-tree.js';
import { classificationMetrics } from './metrics.js';
import type { LabeledDictionary, LabeledExamples } from './labeled-data.js';

export interface EpochReport {
  epoch: number;
  /** Average training loss of the epoch. */
  trainLoss: number;
  /** Top-1 accuracy on the validation set, when one was given. */
  validationAccuracy?: number;
}

export interface SupervisedTrainingOptions {
  dictionary: LabeledDictionary;
  examples: LabeledExamples;
  /** Needed for early_stopping; evaluated after every epoch when given. */
  validation?: LabeledExamples;
  hyperparameters: SupervisedHyperparameters;
  threads?: number;
  seed?: number;
  onProgress?: (progress: TrainingProgress) => void;
  onEpochEnd?: (report: EpochReport) => void;
  signal?: AbortSignal;
  /** Milliseconds between progress events (default 1000). */
  progressIntervalMs?: number;
}

export interface TrainedClassifier {
  hyperparameters: SupervisedHyperparameters;
  classifier: Classifier;
  epochs: EpochReport[];
  /** The epoch whose model was kept (the best one with early stopping, else the last). */
  bestEpoch: number;
  stoppedEarly: boolean;
  seconds: number;
  /** Tokens processed per second, all threads together. */
  tokensPerSecond: number;
  threads: number;
}

/** fastText draws negative labels from a table of label counts^0.5. */
const LABEL_NEGATIVE_TABLE_SIZE = 1 << 20;

/**
 * Trains fastText's supervised model with Hogwild threads on the WebAssembly kernels (plain Hogwild, as fastText:
 * the per-thread hot-row replicas of word2vec measured worse accuracy here, since every example updates the labels): input rows (words, word and
 * character n-grams) averaged into a hidden vector, labels learnt by softmax, negative sampling or hierarchical
 * softmax. With early_stopping, validation accuracy is measured after each epoch and the best epoch's model kept.
 */
export async function trainClassifier(options: SupervisedTrainingOptions): Promise<TrainedClassifier> {
  const { dictionary, examples, validation, hyperparameters: hp } = options;
  const seed = options.seed ?? 1;
  const nwords = dictionary.words.size;
  const nlabels = dictionary.labels.length;
  if (examples.exampleCount === 0 || nlabels === 0) throw new InputDataError('training data', 'has no labeled example');
  const threadCount = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.ceil(examples.exampleCount / 64)));
  const dim = hp.vector_dim;
  const stride = paddedStride(dim);
  const features = dictionary.features;
  // As fastText: without word or character n-grams there is nothing to hash, so no bucket rows.
  const buckets = features.wordNgrams > 1 || features.maxn > 0 ? features.buckets : 0;
  const inputRows = nwords + buckets;
  const tree = hp.loss === 'hs' ? buildLabelTree(dictionary.labelCounts) : undefined;

  const module = kernelModule();
  const scratchBytes = threadScratchBytes(stride, 1, hp.negative_samples, 1, 1, 0);
  const plan = new MemoryPlan();
  const tables = takeActivationTables(plan);
  const at = {
    input: plan.take(inputRows * stride * 4),
    output: plan.take(nlabels * stride * 4),
    negatives: plan.take(hp.loss === 'ns' ? LABEL_NEGATIVE_TABLE_SIZE * 4 : 0),
    treeOffsets: plan.take(tree ? tree.pathOffsets.byteLength : 0),
    treeNodes: plan.take(tree ? tree.pathNodes.byteLength : 0),
    treeCodes: plan.take(tree ? tree.pathCodes.byteLength : 0),
    featureOffsets: plan.take(examples.featureOffsets.byteLength),
    features: plan.take(examples.features.byteLength),
    labelOffsets: plan.take(examples.labelOffsets.byteLength),
    labels: plan.take(examples.labels.byteLength),
    threads: Array.from({ length: threadCount }, () => ({ scratch: plan.take(scratchBytes), scores: plan.take(nlabels * 4) })),
  };
  const { memory, kernel } = plan.allocate();
  const buffer = memory.buffer;
  fillActivationTables(memory, tables);
  kernel.fillUniform(at.input, inputRows, dim, stride, 1 / dim, BigInt(seed) * 2654435761n + 17n);
  if (hp.loss === 'ns') {
    const negatives = new Int32Array(buffer, at.negatives, LABEL_NEGATIVE_TABLE_SIZE);
    fillLabelNegatives(negatives, dictionary.labelCounts);
    shuffle(negatives, seed);
  }
  if (tree) {
    new Int32Array(buffer, at.treeOffsets, tree.pathOffsets.length).set(tree.pathOffsets);
    new Int32Array(buffer, at.treeNodes, tree.pathNodes.length).set(tree.pathNodes);
    new Int32Array(buffer, at.treeCodes, tree.pathCodes.length).set(tree.pathCodes);
  }
  new Int32Array(buffer, at.featureOffsets, examples.featureOffsets.length).set(examples.featureOffsets);
  new Int32Array(buffer, at.features, examples.features.length).set(examples.features);
  new Int32Array(buffer, at.labelOffsets, examples.labelOffsets.length).set(examples.labelOffsets);
  new Int32Array(buffer, at.labels, examples.labels.length).set(examples.labels);

  const threads = new TrainingThreads(
    module,
    memory,
    hp.epochs * examples.exampleCount,
    at.threads.map((slot, t) => ({
      kind: 'supervised' as const,
      start: Math.floor((t * examples.exampleCount) / threadCount),
      end: Math.floor(((t + 1) * examples.exampleCount) / threadCount),
      learningRate: hp.learning_rate,
      configure: [
        dim, stride, at.input, at.output, 0, 0, 0, tables.sigmoid, tables.logs, 0, 0, 0, 1, hp.negative_samples, 1, 1, 0,
        slot.scratch, BigInt.asUintN(64, BigInt(seed) * 1_000_003n + BigInt(t) + 1n),
      ],
      configureSupervised: [
        nlabels, KERNEL_LOSSES[hp.loss], at.negatives, hp.loss === 'ns' ? LABEL_NEGATIVE_TABLE_SIZE : 0, at.treeOffsets,
        at.treeNodes, at.treeCodes, slot.scores, 0,
      ],
      featureOffsets: at.featureOffsets,
      features: at.features,
      labelOffsets: at.labelOffsets,
      labels: at.labels,
    })),
  );

  const tokensPerExample = examples.tokenCount / examples.exampleCount;
  let epoch = 0;
  const started = performance.now();
  const stopReporting = threads.reportProgress(
    options.onProgress,
    (done, seconds) => ({
      alpha: hp.learning_rate * (1 - done / threads.totalWork),
      epoch: Math.min(epoch + 1, hp.epochs),
      wordsPerSecond: seconds > 0 ? (done * tokensPerExample) / seconds : 0,
    }),
    options.progressIntervalMs,
  );
  const classifierOnModel = () =>
    new Classifier(
      dictionary,
      hp.loss,
      dim,
      compactRows(memory, at.input, inputRows, dim, stride),
      compactRows(memory, at.output, nlabels, dim, stride),
    );
  const reports: EpochReport[] = [];
  let best: { epoch: number; accuracy: number; input: Float32Array; output: Float32Array } | undefined;
  let stoppedEarly = false;
  let lossBefore = 0;
  let examplesBefore = 0;
  try {
    for (; epoch < hp.epochs; epoch++) {
      if (await threads.runEpoch(epoch, options.signal)) throw new TrainingDivergedError(epoch + 1, 'loss became NaN');
      const totals = threads.lossTotals();
      const report: EpochReport = { epoch: epoch + 1, trainLoss: (totals.loss - lossBefore) / Math.max(1, totals.examples - examplesBefore) };
      lossBefore = totals.loss;
      examplesBefore = totals.examples;
      if (validation) {
        const classifier = classifierOnModel();
        report.validationAccuracy = classificationMetrics(classifier, validation).accuracy;
        if (hp.early_stopping && (best === undefined || report.validationAccuracy > best.accuracy)) {
          best = { epoch: epoch + 1, accuracy: report.validationAccuracy, input: classifier.input.slice(), output: classifier.output.slice() };
        }
        expandRows(memory, at.input, inputRows, dim, stride);
        expandRows(memory, at.output, nlabels, dim, stride);
      }
      reports.push(report);
      options.onEpochEnd?.(report);
      if (hp.early_stopping && best && epoch + 1 >= hp.min_epochs && epoch + 1 - best.epoch >= hp.patience && epoch + 1 < hp.epochs) {
        stoppedEarly = true;
        epoch++;
        break;
      }
    }
  } finally {
    await threads.terminate();
    stopReporting();
  }
  const seconds = (performance.now() - started) / 1000;
  const last = classifierOnModel();
  if ((findNonFinite(last.input) ?? findNonFinite(last.output)) !== undefined) throw new TrainingDivergedError(epoch, 'weights contain NaN or infinity');
  const kept = hp.early_stopping && best ? new Classifier(dictionary, hp.loss, dim, best.input, best.output) : last;
  return {
    hyperparameters: hp,
    classifier: kept,
    epochs: reports,
    bestEpoch: hp.early_stopping && best ? best.epoch : reports.length,
    stoppedEarly,
    seconds,
    tokensPerSecond: (reports.length * examples.tokenCount) / seconds,
    threads: threadCount,
  };
}

/** Labels in proportion to count^0.5 (fastText's NegativeSamplingLoss table). */
function fillLabelNegatives(table: Int32Array, counts: Float64Array): void {
  let total = 0;
  for (const c of counts) total += Math.sqrt(c);
  let at = 0;
  for (let l = 0; l < counts.length; l++) {
    const end = l === counts.length - 1 ? table.length : Math.min(table.length, at + Math.max(1, Math.round((Math.sqrt(counts[l]!) / total) * table.length)));
    table.fill(l, at, end);
    at = end;
  }
}
