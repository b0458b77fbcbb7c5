import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  classificationMetrics,
  encodeLabeledFile,
  initialInputRows,
  loadClassifier,
  readLabeledData,
  runSupervisedJob,
  trainClassifier,
  type Classifier,
  type ClassifierTrainingState,
  type EpochReport,
  type LabeledExamples,
} from '@blazefleet/algorithms';
import { HyperparameterError, parseSupervisedHyperparameters, type MetricEvent, type SupervisedLoss, type TrainingProgress } from '@blazefleet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeLabeledTopicSet } from '../../algorithms/src/testing/corpus-files.js';
import { seededRandom } from '../../algorithms/src/testing/seeded-random.js';
import { temporaryDirectory } from '../../algorithms/src/testing/temporary-directory.js';
import type { TensorBackend } from './tensor-backend.js';
import { trainClassifierBatch, trainClassifierOnTensors, type ClassifierBatch } from './tensor-classifier.js';

const backend: TensorBackend = { tf, name: 'cpu', device: 'cpu' };
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const accuracy = (classifier: Classifier, examples: LabeledExamples) => classificationMetrics(classifier, examples).accuracy;

const directory = temporaryDirectory('tensor-classifier-');
/** Lines of one topic's label (sometimes a second label too, or a wrong one) and eight words. */
function writeSet(name: string, lines: number, seed: number, options: { noise?: number; secondLabel?: number } = {}): string {
  const path = join(directory, name);
  writeLabeledTopicSet(path, { lines, random: seededRandom(seed), ...options });
  return path;
}
const trainPath = writeSet('train.txt', 600, 1, { noise: 0.1, secondLabel: 0.1 });
const validPath = writeSet('valid.txt', 150, 2);

const hp = (raw: Record<string, unknown> = {}) =>
  parseSupervisedHyperparameters({ mode: 'supervised', vector_dim: 8, learning_rate: 0.5, min_count: 1, buckets: 5000, epochs: 3, ...raw });
const features = { wordNgrams: 2, buckets: 5000, minn: 0, maxn: 0 };
const data = await readLabeledData(trainPath, { minCount: 1, features });
const validation = await encodeLabeledFile(validPath, data.dictionary);

describe('trainClassifierBatch', () => {
  // 5 input rows, 3 labels, dim 4; example 0 has row 1 twice and shares rows 0 and 1 with example 2.
  const dim = 4;
  const random = seededRandom(7);
  // Large enough that some rows' summed steps are capped.
  const input = Float32Array.from({ length: 5 * dim }, () => 4 * (random() - 0.5));
  const output = Float32Array.from({ length: 3 * dim }, () => 2 * (random() - 0.5));
  const examples = [
    { rows: [0, 1, 1, 3], rate: 4, target: 2, units: [[2, 1], [0, 0], [1, 0]] },
    { rows: [2], rate: 3, target: 0, units: [[0, 1], [1, 0], [1, 0]] },
    { rows: [1, 4, 0], rate: 2, target: 1, units: [[1, 1], [2, 0]] },
  ];
  function batchOf(): ClassifierBatch {
    const rows = [0, 1, 3, 2, 4];
    const featureRows: number[] = [];
    const featureExamples: number[] = [];
    examples.forEach((example, e) => {
      for (const row of example.rows) {
        featureRows.push(rows.indexOf(row));
        featureExamples.push(e);
      }
    });
    const units = examples.flatMap((example, e) => example.units.map(([row, truth]) => ({ row: row!, truth: truth!, example: e })));
    return {
      examples: examples.length,
      rows: Int32Array.from(rows),
      featureRows: Int32Array.from(featureRows),
      featureExamples: Int32Array.from(featureExamples),
      inverseCounts: Float32Array.from(examples, (example) => 1 / example.rows.length),
      learningRates: Float32Array.from(examples, (example) => example.rate),
      targets: Int32Array.from(examples, (example) => example.target),
      unitRows: Int32Array.from(units, (unit) => unit.row),
      unitTruths: Float32Array.from(units, (unit) => unit.truth),
      unitExamples: Int32Array.from(units, (unit) => unit.example),
    };
  }

  /**
   * The same update, example by example in float64 against the unchanged model, the updates summed, each row's sum
   * times min(1, 1 / its curvature): over its uses, rate x d2(loss)/d(score)2 x |other side|^2 (an input row's other
   * side: the output rows its example met, over the example's row count).
   */
  function reference(loss: SupervisedLoss): { input: Float64Array; output: Float64Array; loss: number; inputCaps: number[]; outputCaps: number[] } {
    const inputDelta = new Float64Array(input.length);
    const outputDelta = new Float64Array(output.length);
    const inputCurvatures = new Float64Array(5);
    const outputCurvatures = new Float64Array(3);
    const squared = (values: ArrayLike<number>, from = 0) => Array.from({ length: dim }, (_, d) => values[from + d]! ** 2).reduce((a, b) => a + b);
    const dot = (h: Float64Array, label: number) => h.reduce((sum, v, d) => sum + v * output[label * dim + d]!, 0);
    let lossSum = 0;
    for (const example of examples) {
      const h = new Float64Array(dim);
      for (const row of example.rows) for (let d = 0; d < dim; d++) h[d]! += input[row * dim + d]! / example.rows.length;
      const grad = new Float64Array(dim);
      let exampleCurvature = 0;
      const unit = (label: number, truth: number, p: number) => {
        const g = example.rate * (truth - p);
        for (let d = 0; d < dim; d++) {
          grad[d]! += g * output[label * dim + d]!;
          outputDelta[label * dim + d]! += g * h[d]!;
        }
        const slope = example.rate * p * (1 - p);
        outputCurvatures[label]! += slope * squared(h);
        exampleCurvature += slope * squared(output, label * dim);
      };
      if (loss === 'softmax') {
        const scores = [0, 1, 2].map((label) => Math.exp(dot(h, label)));
        const total = scores.reduce((a, b) => a + b);
        scores.forEach((score, label) => unit(label, label === example.target ? 1 : 0, score / total));
        lossSum -= Math.log(scores[example.target]! / total + 1e-5);
      } else {
        for (const [label, truth] of example.units) {
          const p = 1 / (1 + Math.exp(-dot(h, label!)));
          unit(label!, truth!, p);
          lossSum -= Math.log((truth === 1 ? p : 1 - p) + 1e-5);
        }
      }
      for (const row of example.rows) {
        for (let d = 0; d < dim; d++) inputDelta[row * dim + d]! += grad[d]! / example.rows.length;
        inputCurvatures[row]! += exampleCurvature / example.rows.length;
      }
    }
    const inputCaps = Array.from(inputCurvatures, (c) => Math.min(1, 1 / c));
    const outputCaps = Array.from(outputCurvatures, (c) => Math.min(1, 1 / c));
    return {
      input: Float64Array.from(input, (v, i) => v + inputDelta[i]! * inputCaps[Math.floor(i / dim)]!),
      output: Float64Array.from(output, (v, i) => v + outputDelta[i]! * outputCaps[Math.floor(i / dim)]!),
      loss: lossSum,
      inputCaps,
      outputCaps,
    };
  }

  it.each(['softmax', 'ns'] as const)('updates the rows of a batch as the scalar %s reference does', (loss) => {
    const model = { input: tf.tensor2d(input.slice(), [5, dim]), output: tf.tensor2d(output.slice(), [3, dim]) };
    const step = trainClassifierBatch(tf, model, batchOf(), loss);
    const expected = reference(loss);
    const got = { input: step.model.input.dataSync(), output: step.model.output.dataSync(), loss: step.loss.dataSync()[0]! };
    tf.dispose([model.input, model.output, step.model.input, step.model.output, step.loss]);
    // Row 0 of the input moves (in two examples), row 2 too, and the labels all move; some sums are capped, some not.
    expect(Math.min(...expected.inputCaps)).toBeLessThan(0.9);
    expect(Math.max(...expected.inputCaps)).toBe(1);
    expect(Math.min(...expected.outputCaps)).toBeLessThan(0.9);
    expect(Math.abs(got.input[0]! - input[0]!)).toBeGreaterThan(1e-4);
    expect(Math.abs(got.output[2 * dim]! - output[2 * dim]!)).toBeGreaterThan(1e-4);
    for (let i = 0; i < input.length; i++) expect(got.input[i]).toBeCloseTo(expected.input[i]!, 5);
    for (let i = 0; i < output.length; i++) expect(got.output[i]).toBeCloseTo(expected.output[i]!, 5);
    expect(got.loss).toBeCloseTo(expected.loss, 4);
  });
});

describe('trainClassifierOnTensors', () => {
  it.each(['softmax', 'ns', 'hs'] as const)('learns the topics with loss %s and reports every epoch', async (loss) => {
    const reports: EpochReport[] = [];
    const trained = await trainClassifierOnTensors(backend, { ...data, validation, hyperparameters: hp({ loss }), seed: 3, onEpochEnd: (r) => reports.push(r) });
    expect(accuracy(trained.classifier, validation)).toBeGreaterThan(0.85);
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(trained.epochs).toEqual(reports);
    expect(reports.at(-1)!.trainLoss).toBeLessThan(reports[0]!.trainLoss);
    expect(reports.at(-1)!.validationAccuracy).toBeCloseTo(accuracy(trained.classifier, validation), 10);
    expect(trained.classifier.input.rows).toBe(data.dictionary.words.size + 5000);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('starts from the CPU trainer model: with batches of one example it follows its SGD', async () => {
    // Single-label lines only: an example with several labels trains a random one, drawn by another generator here.
    const singleLabel = await readLabeledData(validPath, { minCount: 1, features });
    const options = { ...singleLabel, hyperparameters: hp({ epochs: 1 }), seed: 4 };
    const cpu = await trainClassifier({ ...options, threads: 1 });
    const tensors = await trainClassifierOnTensors(backend, { ...options, batchSize: 1 });
    expect(Array.from(tensors.classifier.input.rowIds!)).toEqual(Array.from(cpu.classifier.input.rowIds!));
    const initial = initialInputRows(cpu.classifier.input.storedRows, 8, 4);
    const distance = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0);
    const moved = distance(cpu.classifier.input.values, initial);
    expect(moved).toBeGreaterThan(1);
    expect(distance(tensors.classifier.input.values, cpu.classifier.input.values) / moved).toBeLessThan(1e-5);
    expect(distance(tensors.classifier.output, cpu.classifier.output) / distance(cpu.classifier.output, new Float32Array(cpu.classifier.output.length))).toBeLessThan(1e-5);
  });

  it('is deterministic for a seed', async () => {
    const run = (seed: number) => trainClassifierOnTensors(backend, { ...data, hyperparameters: hp({ loss: 'ns', epochs: 2 }), seed, batchSize: 16 });
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(Array.from(a.classifier.input.values)).toEqual(Array.from(b.classifier.input.values));
    expect(Array.from(a.classifier.output)).toEqual(Array.from(b.classifier.output));
    expect(Array.from(a.classifier.output)).not.toEqual(Array.from(c.classifier.output));
  });

  it('stops early after patience epochs without improvement and keeps the best epoch', async () => {
    const trained = await trainClassifierOnTensors(backend, {
      ...data,
      validation,
      hyperparameters: hp({ epochs: 30, early_stopping: true, patience: 2, min_epochs: 3, learning_rate: 1 }),
      batchSize: 64,
    });
    const accuracies = trained.epochs.map((r) => r.validationAccuracy!);
    const bestAccuracy = Math.max(...accuracies);
    expect(trained.stoppedEarly).toBe(true);
    expect(trained.epochs.length).toBeLessThan(30);
    expect(trained.bestEpoch).toBe(accuracies.indexOf(bestAccuracy) + 1);
    expect(trained.epochs.length - trained.bestEpoch).toBe(2);
    expect(accuracy(trained.classifier, validation)).toBe(bestAccuracy);
  });

  it('resumed from an epoch checkpoint, ends with the model of a run never stopped', async () => {
    const options = { ...data, validation, hyperparameters: hp({ epochs: 3, loss: 'ns' }), batchSize: 32, seed: 9 };
    const checkpoints: ClassifierTrainingState[] = [];
    const whole = await trainClassifierOnTensors(backend, {
      ...options,
      // The arrays are valid until the promise resolves: kept as copies.
      onCheckpoint: async (state) => {
        checkpoints.push({ ...state, input: state.input.slice(), output: state.output.slice(), reports: [...state.reports] });
      },
    });
    expect(checkpoints.map((state) => state.completedEpochs)).toEqual([1, 2, 3]);
    const resumed = await trainClassifierOnTensors(backend, { ...options, resumeFrom: checkpoints[0]! });
    expect(Array.from(resumed.classifier.output)).toEqual(Array.from(whole.classifier.output));
    expect(Array.from(resumed.classifier.input.values)).toEqual(Array.from(whole.classifier.input.values));
    expect(resumed.epochs).toEqual(whole.epochs);
  });

  it('reports progress and stops when its signal aborts', async () => {
    const progress: TrainingProgress[] = [];
    const controller = new AbortController();
    const run = trainClassifierOnTensors(backend, {
      ...data,
      hyperparameters: hp({ epochs: 50 }),
      batchSize: 8,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p);
        if (progress.length === 5) controller.abort(new Error('stopped by the test'));
      },
    });
    await expect(run).rejects.toThrow('stopped by the test');
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress[4]!.progress).toBeGreaterThan(progress[0]!.progress);
    expect(progress[4]!.alpha).toBeLessThan(0.5);
    expect(progress.every((p) => p.epoch === 1 && Number.isFinite(p.loss))).toBe(true);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('names what it cannot train', async () => {
    const unknownLoss = { ...hp(), loss: 'ova' as SupervisedLoss };
    const error = await trainClassifierOnTensors(backend, { ...data, hyperparameters: unknownLoss }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HyperparameterError);
    expect((error as HyperparameterError).field).toBe('loss');
    await expect(trainClassifierOnTensors(backend, { ...data, hyperparameters: hp(), batchSize: 0 })).rejects.toThrow(/batchSize: expected a positive integer/);
    const resumeFrom = { completedEpochs: 1, counters: { processed: 0, loss: [] }, reports: [], input: new Float32Array(3), output: new Float32Array(3) };
    await expect(trainClassifierOnTensors(backend, { ...data, hyperparameters: hp(), resumeFrom })).rejects.toThrow(/resumeFrom: expected/);
  });

  it('trains runSupervisedJob: model.bin loads and predicts as the trained model, metrics reported', async () => {
    const outputDir = join(directory, 'job');
    const metrics: MetricEvent[] = [];
    const result = await runSupervisedJob({
      trainPath,
      validationPath: validPath,
      outputDir,
      hyperparameters: hp(),
      seed: 2,
      onMetric: (m) => metrics.push(m),
      trainer: (options) => trainClassifierOnTensors(backend, options),
    });
    expect(result.files).toEqual(expect.arrayContaining(['model.bin', 'metrics.json']));
    const loaded = await loadClassifier(outputDir);
    expect(accuracy(loaded, validation)).toBe(result.metrics!.accuracy);
    expect(result.metrics!.accuracy).toBeGreaterThan(0.85);
    expect(loaded.predict('guitar song band').labels[0]).toBe('__label__music');
    expect(metrics.filter((m) => m.name === 'train:loss').map((m) => m.epoch)).toEqual([1, 2, 3]);
  });
});

// The shared data sets, next to the repository (see test/blazefleet-cli.ts sharedData).
const classifyData = fileURLToPath(new URL('../../../../shared/data/classify/', import.meta.url));
const trecTrain = join(classifyData, 'trec.train');
const trecTest = join(classifyData, 'trec.test');
const haveTrec = existsSync(trecTrain) && existsSync(trecTest);
if (!haveTrec) console.warn(`tensor-classifier accuracy parity skipped: ${trecTrain} and trec.test not found (shared data sets not installed)`);
const sst2Train = join(classifyData, 'sst2.train');
const sst2Test = join(classifyData, 'sst2.test');
const haveSst2 = existsSync(sst2Train) && existsSync(sst2Test);
if (!haveSst2) console.warn(`tensor-classifier large-batch parity skipped: ${sst2Train} and sst2.test not found (shared data sets not installed)`);

describe.skipIf(!haveTrec)('accuracy parity with the CPU trainer on TREC', () => {
  it.each(['softmax', 'ns'] as const)('loss %s: test accuracy within 2 points', async (loss) => {
    const trecHp = parseSupervisedHyperparameters({ mode: 'supervised', min_count: 1, vector_dim: 20, epochs: 5, learning_rate: 0.25, word_ngrams: 2, buckets: 100000, loss });
    const trec = await readLabeledData(trecTrain, { minCount: 1, features: { wordNgrams: 2, buckets: 100000, minn: 0, maxn: 0 } });
    const test = await encodeLabeledFile(trecTest, trec.dictionary);
    const cpu = await trainClassifier({ ...trec, hyperparameters: trecHp, threads: 1, seed: 1 });
    const tensors = await trainClassifierOnTensors(backend, { ...trec, hyperparameters: trecHp, seed: 1 });
    const cpuAccuracy = accuracy(cpu.classifier, test);
    const tensorAccuracy = accuracy(tensors.classifier, test);
    console.log(`TREC ${loss}: CPU trainer ${cpuAccuracy.toFixed(3)}, tensor trainer ${tensorAccuracy.toFixed(3)} (cpu backend, default batch size)`);
    expect(cpuAccuracy).toBeGreaterThan(0.8);
    expect(Math.abs(tensorAccuracy - cpuAccuracy)).toBeLessThanOrEqual(0.02);
  });
});

describe.skipIf(!haveSst2)('accuracy parity with the CPU trainer on SST-2 in large batches', () => {
  // 6,920 examples in batches of 256 (27 an epoch), as a GPU takes a larger set: capping a row's sum by counting its
  // uses instead of by its curvature scored 0.60 here.
  it.each(['softmax', 'ns'] as const)('loss %s: test accuracy within 2 points', async (loss) => {
    const sst2Hp = parseSupervisedHyperparameters({ mode: 'supervised', min_count: 1, vector_dim: 20, epochs: 5, learning_rate: 0.25, word_ngrams: 2, buckets: 100000, loss });
    const sst2 = await readLabeledData(sst2Train, { minCount: 1, features: { wordNgrams: 2, buckets: 100000, minn: 0, maxn: 0 } });
    const test = await encodeLabeledFile(sst2Test, sst2.dictionary);
    const batchSize = 256;
    const cpu = await trainClassifier({ ...sst2, hyperparameters: sst2Hp, threads: 1, seed: 1 });
    const tensors = await trainClassifierOnTensors(backend, { ...sst2, hyperparameters: sst2Hp, seed: 1, batchSize });
    const cpuAccuracy = accuracy(cpu.classifier, test);
    const tensorAccuracy = accuracy(tensors.classifier, test);
    console.log(`SST-2 ${loss}: CPU trainer ${cpuAccuracy.toFixed(3)}, tensor trainer ${tensorAccuracy.toFixed(3)} (cpu backend, batches of ${batchSize})`);
    expect(cpuAccuracy).toBeGreaterThan(0.75);
    expect(Math.abs(tensorAccuracy - cpuAccuracy)).toBeLessThanOrEqual(0.02);
  });
});
