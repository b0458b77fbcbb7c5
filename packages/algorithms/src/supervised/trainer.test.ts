import { join } from 'node:path';
import { parseSupervisedHyperparameters } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { writeLabeledTopicSet } from '../testing/corpus-files.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import type { Classifier } from './classifier.js';
import { encodeLabeledFile, readLabeledData, type LabeledExamples } from './labeled-data.js';
import { classificationMetrics } from './metrics.js';
import { trainClassifier, type EpochReport } from './trainer.js';

const accuracy = (classifier: Classifier, examples: LabeledExamples) => classificationMetrics(classifier, examples).accuracy;

const directory = temporaryDirectory('classifier-trainer-');
function writeSet(name: string, lines: number, seed: number, noise = 0): string {
  const path = join(directory, name);
  writeLabeledTopicSet(path, { lines, random: seededRandom(seed), noise });
  return path;
}
const trainPath = writeSet('train.txt', 1500, 1, 0.1);
const validPath = writeSet('valid.txt', 300, 2);

const features = { wordNgrams: 2, buckets: 10000, minn: 0, maxn: 0 };
const data = await readLabeledData(trainPath, { minCount: 1, features });
const validation = await encodeLabeledFile(validPath, data.dictionary);
const hp = (raw: Record<string, unknown>) => parseSupervisedHyperparameters({ mode: 'supervised', vector_dim: 16, learning_rate: 0.5, min_count: 1, buckets: 10000, ...raw });

describe('trainClassifier', () => {
  it.each(['softmax', 'ns', 'hs'] as const)('learns the topics with loss %s, on one and two threads', async (loss) => {
    for (const threads of [1, 2]) {
      const trained = await trainClassifier({ ...data, hyperparameters: hp({ loss }), threads, seed: 3 });
      expect(trained.threads).toBe(threads);
      expect(accuracy(trained.classifier, validation)).toBeGreaterThan(0.85);
      expect(trained.epochs).toHaveLength(5);
      expect(trained.epochs.at(-1)!.trainLoss).toBeLessThan(trained.epochs[0]!.trainLoss);
    }
  });

  it('is deterministic with one thread and a seed', async () => {
    const run = (seed: number) => trainClassifier({ ...data, hyperparameters: hp({}), threads: 1, seed });
    const [a, b, c] = await Promise.all([run(5), run(5), run(6)]);
    expect(Array.from(a.classifier.input.values)).toEqual(Array.from(b.classifier.input.values));
    expect(Array.from(a.classifier.output)).toEqual(Array.from(b.classifier.output));
    expect(Array.from(a.classifier.output)).not.toEqual(Array.from(c.classifier.output));
  });

  it('reports validation accuracy every epoch', async () => {
    const reports: EpochReport[] = [];
    const trained = await trainClassifier({ ...data, validation, hyperparameters: hp({ epochs: 3 }), threads: 1, onEpochEnd: (r) => reports.push(r) });
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(reports.every((r) => r.validationAccuracy !== undefined && r.validationAccuracy > 0.3)).toBe(true);
    expect(reports.at(-1)!.validationAccuracy).toBeCloseTo(accuracy(trained.classifier, validation), 10);
  });

  it('early stopping stops after patience epochs without improvement and keeps the best epoch', async () => {
    const trained = await trainClassifier({
      ...data,
      validation,
      hyperparameters: hp({ epochs: 40, early_stopping: true, patience: 2, min_epochs: 3, learning_rate: 1 }),
      threads: 1,
    });
    const accuracies = trained.epochs.map((r) => r.validationAccuracy!);
    const bestAccuracy = Math.max(...accuracies);
    expect(trained.stoppedEarly).toBe(true);
    expect(trained.epochs.length).toBeLessThan(40);
    expect(trained.epochs.length).toBeGreaterThanOrEqual(3);
    expect(trained.bestEpoch).toBe(accuracies.indexOf(bestAccuracy) + 1);
    expect(trained.epochs.length - trained.bestEpoch).toBe(2);
    expect(accuracy(trained.classifier, validation)).toBe(bestAccuracy);
  });
});
