import { availableParallelism } from 'node:os';
import { InputDataError, TrainingDivergedError, type SupervisedHyperparameters, type TrainingProgress } from '@blazefleet/core';
import { KERNEL_LOSSES, kernelModule } from '../kernels/kernel-module.js';
import { MemoryPlan, compactRows, expandRows, fillActivationTables, inputInitSeed, paddedStride, restoreRows, takeActivationTables, threadScratchBytes } from '../kernels/shared-memory.js';
import { TrainingThreads, findNonFinite, type ThreadCounters } from '../kernels/training-threads.js';
import { Classifier } from './classifier.js';
import { LABEL_NEGATIVE_TABLE_SIZE, classifierInputLayout, classifierInputMatrix, fillLabelNegatives } from './classifier-setup.js';
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

/** The model of one epoch: the stored input rows (see storedInputRows) and the output rows, packed. */
export interface ClassifierWeights {
  input: Float32Array;
  output: Float32Array;
}

/** Everything training needs to go on after a completed epoch (with the data, hyperparameters and seed it ran with). */
export interface ClassifierTrainingState extends ClassifierWeights {
  completedEpochs: number;
  counters: ThreadCounters;
  /** The reports of the epochs so far. */
  reports: EpochReport[];
  /** With early_stopping: the best epoch so far by validation accuracy, and its model. */
  best?: ClassifierWeights & { epoch: number; accuracy: number };
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
  /**
   * A state that onCheckpoint gave, of the same data, hyperparameters (epochs may be more) and seed: training goes on
   * after its last epoch. With one thread the result is then the same as that of a run never interrupted.
   */
  resumeFrom?: ClassifierTrainingState;
  /** Called after every epoch with the state, training paused until it resolves; the arrays are valid until then. */
  onCheckpoint?: (state: ClassifierTrainingState) => Promise<void>;
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

/**
 * Trains fastText's supervised model with Hogwild threads on the WebAssembly kernels (plain Hogwild, as fastText:
 * the per-thread hot-row replicas of word2vec measured worse accuracy here, since every example updates the labels): input rows (words, word and
 * character n-grams) averaged into a hidden vector, labels learnt by softmax, negative sampling or hierarchical
 * softmax. With early_stopping, validation accuracy is measured after each epoch and the best epoch's model kept.
 */
export async function trainClassifier(options: SupervisedTrainingOptions): Promise<TrainedClassifier> {
  const { dictionary, examples, validation, hyperparameters: hp } = options;
  const seed = options.seed ?? 1;
  const nlabels = dictionary.labels.length;
  if (examples.exampleCount === 0 || nlabels === 0) throw new InputDataError('training data', 'has no labeled example');
  const threadCount = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.ceil(examples.exampleCount / 64)));
  const dim = hp.vector_dim;
  const stride = paddedStride(dim);
  const layout = classifierInputLayout(dictionary, examples);
  const inputRows = layout.rowCount;
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
  kernel.fillUniform(at.input, inputRows, dim, stride, 1 / dim, inputInitSeed(seed));
  if (hp.loss === 'ns') {
    fillLabelNegatives(new Int32Array(buffer, at.negatives, LABEL_NEGATIVE_TABLE_SIZE), dictionary.labelCounts, seed);
  }
  if (tree) {
    new Int32Array(buffer, at.treeOffsets, tree.pathOffsets.length).set(tree.pathOffsets);
    new Int32Array(buffer, at.treeNodes, tree.pathNodes.length).set(tree.pathNodes);
    new Int32Array(buffer, at.treeCodes, tree.pathCodes.length).set(tree.pathCodes);
  }
  new Int32Array(buffer, at.featureOffsets, examples.featureOffsets.length).set(examples.featureOffsets);
  new Int32Array(buffer, at.features, layout.features.length).set(layout.features);
  new Int32Array(buffer, at.labelOffsets, examples.labelOffsets.length).set(examples.labelOffsets);
  new Int32Array(buffer, at.labels, examples.labels.length).set(examples.labels);
  const resumed = options.resumeFrom;
  if (resumed !== undefined) {
    restoreRows(memory, at.input, inputRows, dim, stride, resumed.input);
    restoreRows(memory, at.output, nlabels, dim, stride, resumed.output);
  }

  const threads = new TrainingThreads(
    module,
    memory,
    hp.epochs * examples.exampleCount,
    at.threads.map((slot, t) => ({
      kind: 'supervised' as const,
      start: Math.floor((t * examples.exampleCount) / threadCount),
      end: Math.floor(((t + 1) * examples.exampleCount) / threadCount),
      learningRate: hp.learning_rate,
      seed,
      configure: [dim, stride, at.input, at.output, 0, 0, 0, tables.sigmoid, tables.logs, 0, 0, 0, 1, hp.negative_samples, 1, 1, 0, slot.scratch],
      configureSupervised: [
        nlabels, KERNEL_LOSSES[hp.loss], at.negatives, hp.loss === 'ns' ? LABEL_NEGATIVE_TABLE_SIZE : 0, at.treeOffsets,
        at.treeNodes, at.treeCodes, slot.scores, 0,
      ],
      featureOffsets: at.featureOffsets,
      features: at.features,
      labelOffsets: at.labelOffsets,
      labels: at.labels,
    })),
    resumed?.counters,
  );

  const tokensPerExample = examples.tokenCount / examples.exampleCount;
  const firstEpoch = resumed?.completedEpochs ?? 0;
  let epoch = firstEpoch;
  const started = performance.now();
  const stopReporting = threads.reportProgress(
    options.onProgress,
    (done, doneHere, seconds) => ({
      alpha: hp.learning_rate * (1 - done / threads.totalWork),
      epoch: Math.min(epoch + 1, hp.epochs),
      wordsPerSecond: seconds > 0 ? (doneHere * tokensPerExample) / seconds : 0,
    }),
    options.progressIntervalMs,
  );
  const inputMatrix = (values: Float32Array) => classifierInputMatrix(layout, dim, values);
  const classifierOnModel = () =>
    new Classifier(
      dictionary,
      hp.loss,
      dim,
      inputMatrix(compactRows(memory, at.input, inputRows, dim, stride)),
      compactRows(memory, at.output, nlabels, dim, stride),
    );
  const reports: EpochReport[] = resumed === undefined ? [] : [...resumed.reports];
  let best = resumed?.best;
  // Early stopping after `completed` epochs: no better epoch for `patience` epochs, from min_epochs on.
  const patienceRunOut = (completed: number): boolean =>
    hp.early_stopping && best !== undefined && completed >= hp.min_epochs && completed - best.epoch >= hp.patience && completed < hp.epochs;
  let stoppedEarly = patienceRunOut(firstEpoch);
  let { loss: lossBefore, examples: examplesBefore } = threads.lossTotals();
  try {
    for (; epoch < hp.epochs && !stoppedEarly; epoch++) {
      if (await threads.runEpoch(epoch, options.signal)) throw new TrainingDivergedError(epoch + 1, 'loss became NaN');
      const totals = threads.lossTotals();
      const report: EpochReport = { epoch: epoch + 1, trainLoss: (totals.loss - lossBefore) / Math.max(1, totals.examples - examplesBefore) };
      lossBefore = totals.loss;
      examplesBefore = totals.examples;
      const classifier = validation || options.onCheckpoint ? classifierOnModel() : undefined;
      try {
        if (validation && classifier) {
          report.validationAccuracy = classificationMetrics(classifier, validation).accuracy;
          if (hp.early_stopping && (best === undefined || report.validationAccuracy > best.accuracy)) {
            best = { epoch: epoch + 1, accuracy: report.validationAccuracy, input: classifier.input.values.slice(), output: classifier.output.slice() };
          }
        }
        reports.push(report);
        options.onEpochEnd?.(report);
        if (options.onCheckpoint && classifier) {
          const { values: input } = classifier.input;
          await options.onCheckpoint({ completedEpochs: epoch + 1, counters: threads.counters(), input, output: classifier.output, reports, best });
        }
      } finally {
        if (classifier) {
          expandRows(memory, at.input, inputRows, dim, stride);
          expandRows(memory, at.output, nlabels, dim, stride);
        }
      }
      stoppedEarly = patienceRunOut(epoch + 1);
    }
  } finally {
    await threads.terminate();
    stopReporting();
  }
  const seconds = (performance.now() - started) / 1000;
  const last = classifierOnModel();
  if ((findNonFinite(last.input.values) ?? findNonFinite(last.output)) !== undefined) throw new TrainingDivergedError(epoch, 'weights contain NaN or infinity');
  const kept = hp.early_stopping && best ? new Classifier(dictionary, hp.loss, dim, inputMatrix(best.input), best.output) : last;
  return {
    hyperparameters: hp,
    classifier: kept,
    epochs: reports,
    bestEpoch: hp.early_stopping && best ? best.epoch : reports.length,
    stoppedEarly,
    seconds,
    tokensPerSecond: seconds > 0 ? ((epoch - firstEpoch) * examples.tokenCount) / seconds : 0,
    threads: threadCount,
  };
}
