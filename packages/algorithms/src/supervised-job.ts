import { writeFile } from 'node:fs/promises';
import { HyperparameterError, InputDataError, type MetricEvent, type SupervisedHyperparameters, type TrainingProgress } from '@blazefleet/core';
import { publishModelArtifacts } from './artifact-staging.js';
import { fingerprintTextInput, fingerprintVocabulary } from './checkpoint/input-fingerprint.js';
import { JobCheckpoints, type SavedTraining } from './checkpoint/job-checkpoints.js';
import { writeFastTextModel } from './formats/fasttext-model.js';
import { encodeLabeledFile, readLabeledData, type FeatureOptions, type LabeledExamples } from './supervised/labeled-data.js';
import { classificationMetrics, type ClassificationMetrics } from './supervised/metrics.js';
import {
  trainClassifier,
  type ClassifierTrainingState,
  type ClassifierWeights,
  type EpochReport,
  type SupervisedTrainingOptions,
  type TrainedClassifier,
} from './supervised/trainer.js';
import { requireTextInput } from './text-file.js';

export interface SupervisedJobOptions {
  /** A plain or gzip text file, or a directory of them read as one data set (see listTextInput); so is validationPath. */
  trainPath: string;
  validationPath?: string;
  outputDir: string;
  hyperparameters: SupervisedHyperparameters;
  threads?: number;
  seed?: number;
  onProgress?: (progress: TrainingProgress) => void;
  /** validation:accuracy and train:loss per epoch, then the final validation:accuracy. */
  onMetric?: (metric: MetricEvent) => void;
  onLog?: (message: string, fields?: Record<string, unknown>) => void;
  signal?: AbortSignal;
  /**
   * Where the training state is saved after every epoch (the latest only). A run that finds a checkpoint of the same
   * job there (same hyperparameters, except that epochs may be larger; same seed, data files and dictionary) goes on
   * after its last epoch.
   */
  checkpointDir?: string;
  /** Trains the model on the data read (default trainClassifier, the WebAssembly trainer; the GPU worker passes its tensor trainer). */
  trainer?: (options: SupervisedTrainingOptions) => Promise<TrainedClassifier>;
}

export interface SupervisedJobResult {
  outputDir: string;
  files: string[];
  metrics?: ClassificationMetrics;
  labels: number;
  vocabularySize: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  seconds: number;
  tokensPerSecond: number;
}

export const VALIDATION_ACCURACY_METRIC = 'validation:accuracy';
export const TRAIN_LOSS_METRIC = 'train:loss';

function featureOptionsOf(hp: SupervisedHyperparameters): FeatureOptions {
  return {
    wordNgrams: hp.word_ngrams,
    buckets: hp.buckets,
    minn: hp.subwords ? hp.min_char : 0,
    maxn: hp.subwords ? hp.max_char : 0,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function savedClassifier(state: ClassifierTrainingState): SavedTraining {
  const { completedEpochs, counters, input, output, reports, best } = state;
  return {
    completedEpochs,
    counters,
    matrices: { input, output, ...(best === undefined ? {} : { bestInput: best.input, bestOutput: best.output }) },
    details: {
      reports,
      best: best === undefined ? null : { epoch: best.epoch, accuracy: best.accuracy },
      epochsSinceBest: best === undefined ? null : completedEpochs - best.epoch,
    },
  };
}

/** The trainer state of a checkpoint; throws when its matrices or details do not fit the model. */
function classifierState(saved: SavedTraining, outputFloats: number, dim: number): ClassifierTrainingState {
  const weights = (inputName: string, outputName: string, inputFloats?: number): ClassifierWeights => {
    const input = saved.matrices[inputName];
    const output = saved.matrices[outputName];
    if (input === undefined || input.length % dim !== 0 || (inputFloats !== undefined && input.length !== inputFloats) || output?.length !== outputFloats) {
      throw new Error(`${inputName} and ${outputName}: expected rows of ${dim} floats, ${outputFloats} output floats`);
    }
    return { input, output };
  };
  const { reports, best } = saved.details as { reports?: unknown; best?: unknown };
  if (!Array.isArray(reports) || reports.length !== saved.completedEpochs || !reports.every(isEpochReport)) {
    throw new Error(`reports: expected ${saved.completedEpochs} epoch reports`);
  }
  const state: ClassifierTrainingState = { completedEpochs: saved.completedEpochs, counters: saved.counters, reports, ...weights('input', 'output') };
  if (best === null || best === undefined) return state;
  const { epoch, accuracy } = best as { epoch?: unknown; accuracy?: unknown };
  if (typeof epoch !== 'number' || typeof accuracy !== 'number') throw new Error('best: expected its epoch and accuracy');
  return { ...state, best: { epoch, accuracy, ...weights('bestInput', 'bestOutput', state.input.length) } };
}

function isEpochReport(value: unknown): value is EpochReport {
  const report = value as Partial<EpochReport> | null;
  return (
    typeof report === 'object' &&
    report !== null &&
    typeof report.epoch === 'number' &&
    typeof report.trainLoss === 'number' &&
    (report.validationAccuracy === undefined || typeof report.validationAccuracy === 'number')
  );
}

/** Reads, trains (with early stopping when asked), evaluates and writes model.bin, metrics.json and model.tar.gz atomically. */
export async function runSupervisedJob(options: SupervisedJobOptions): Promise<SupervisedJobResult> {
  const hp = options.hyperparameters;
  const log = options.onLog ?? (() => {});
  const metric = options.onMetric ?? (() => {});
  const { validationPath } = options;
  if (hp.early_stopping && validationPath === undefined) {
    throw new HyperparameterError('early_stopping', 'false without a validation set (early stopping needs --validation)', true);
  }
  await requireTextInput(options.trainPath, 'training file');
  if (validationPath !== undefined) await requireTextInput(validationPath, 'validation file');
  const { checkpointDir } = options;
  const checkpointing =
    checkpointDir === undefined
      ? undefined
      : {
          dir: checkpointDir,
          inputs: {
            train: await fingerprintTextInput(options.trainPath),
            ...(validationPath === undefined ? {} : { validation: await fingerprintTextInput(validationPath) }),
          },
        };

  return publishModelArtifacts(options.outputDir, async (staging) => {
    const { dictionary, examples } = await readLabeledData(options.trainPath, { minCount: hp.min_count, features: featureOptionsOf(hp) });
    log(`Read ${plural(examples.exampleCount, 'example')}, ${examples.tokenCount} tokens`, {
      examples: examples.exampleCount,
      tokenCount: examples.tokenCount,
      warnings: examples.warnings,
    });
    log(`Vocabulary: ${plural(dictionary.words.size, 'word')}, ${plural(dictionary.labels.length, 'label')}`, {
      vocabularySize: dictionary.words.size,
      labels: dictionary.labels.length,
      minCount: hp.min_count,
    });
    if (examples.exampleCount === 0 || dictionary.labels.length === 0) {
      throw new InputDataError(options.trainPath, 'no labeled example (lines start with one or more __label__X, then the text)');
    }

    let validation: LabeledExamples | undefined;
    if (validationPath !== undefined) {
      validation = await encodeLabeledFile(validationPath, dictionary);
      log(`Validation: ${plural(validation.exampleCount, 'example')}`, { examples: validation.exampleCount, warnings: validation.warnings });
      if (validation.exampleCount === 0) {
        throw new InputDataError(validationPath, 'no validation example with a label of the training set');
      }
    }

    const vocabulary = fingerprintVocabulary(dictionary.words, { words: dictionary.labels, counts: dictionary.labelCounts });
    const checkpoints =
      checkpointing && new JobCheckpoints(checkpointing.dir, { hyperparameters: hp, seed: options.seed ?? 1, inputs: checkpointing.inputs, vocabulary }, log);
    const resumeFrom = await checkpoints?.latest((saved) => classifierState(saved, dictionary.labels.length * hp.vector_dim, hp.vector_dim));

    const train = options.trainer ?? trainClassifier;
    const trained = await train({
      dictionary,
      examples,
      ...(validation === undefined ? {} : { validation }),
      hyperparameters: hp,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      onEpochEnd: (report) => {
        metric({ name: TRAIN_LOSS_METRIC, value: report.trainLoss, epoch: report.epoch });
        if (report.validationAccuracy !== undefined) metric({ name: VALIDATION_ACCURACY_METRIC, value: report.validationAccuracy, epoch: report.epoch });
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
      ...(checkpoints === undefined ? {} : { onCheckpoint: (state: ClassifierTrainingState) => checkpoints.save(savedClassifier(state)) }),
    });
    const trainedEpochs = trained.epochs.length;
    log(
      `Trained ${plural(trainedEpochs, 'epoch')} on ${plural(trained.threads, 'thread')}` +
        (trained.stoppedEarly ? `; stopped early, keeping epoch ${trained.bestEpoch}` : ''),
      { seconds: trained.seconds, tokensPerSecond: trained.tokensPerSecond, threads: trained.threads, bestEpoch: trained.bestEpoch, stoppedEarly: trained.stoppedEarly },
    );

    const { classifier } = trained;
    const files = ['model.bin'];
    await writeFastTextModel(staging.path('model.bin'), classifier.toFastTextModel({ epoch: hp.epochs, lr: hp.learning_rate, neg: hp.negative_samples }));
    let metrics: ClassificationMetrics | undefined;
    if (validation !== undefined) {
      metrics = classificationMetrics(classifier, validation);
      metric({ name: VALIDATION_ACCURACY_METRIC, value: metrics.accuracy });
      await writeFile(staging.path('metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
      files.push('metrics.json');
    }
    return {
      files,
      ...(metrics === undefined ? {} : { metrics }),
      labels: dictionary.labels.length,
      vocabularySize: dictionary.words.size,
      bestEpoch: trained.bestEpoch,
      stoppedEarly: trained.stoppedEarly,
      seconds: trained.seconds,
      tokensPerSecond: trained.tokensPerSecond,
    };
  }, log);
}
