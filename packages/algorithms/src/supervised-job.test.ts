import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { HyperparameterError, InputDataError, parseSupervisedHyperparameters, type MetricEvent } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { readFastTextModel } from './formats/fasttext-model.js';
import { runSupervisedJob } from './supervised-job.js';
import { archiveEntries } from './testing/archive-entries.js';
import { writeLines } from './testing/corpus-files.js';
import { directorySnapshot } from './testing/directory-snapshot.js';
import { seededRandom } from './testing/seeded-random.js';
import { temporaryDirectory } from './testing/temporary-directory.js';

const work = temporaryDirectory('supervised-job-test-');
const TOPICS = { sports: 'ball goal team match score player', food: 'bread soup cook taste salt dinner', music: 'song band guitar drum sing album' };

/** Lines of `__label__topic` and eight words, mostly of that topic. */
function labeledLines(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const names = Object.keys(TOPICS) as (keyof typeof TOPICS)[];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, () => {
    const topic = pick(names);
    const words = Array.from({ length: 8 }, () => pick((random() < 0.8 ? TOPICS[topic] : TOPICS[pick(names)]).split(' ')));
    return `__label__${topic} ${words.join(' ')}`;
  });
}

const trainPath = join(work, 'train.txt');
const validationPath = join(work, 'valid.txt');
writeLines(trainPath, labeledLines(300, 1));
writeLines(validationPath, labeledLines(60, 2));

const hyperparameters = (raw: Record<string, unknown> = {}) =>
  parseSupervisedHyperparameters({ mode: 'supervised', min_count: 1, vector_dim: 10, epochs: 3, learning_rate: 0.5, buckets: 1000, ...raw });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the job should fail'),
    (error: unknown) => error,
  );
}

describe('runSupervisedJob', () => {
  it('trains and validates on directories of files as on their concatenations', async () => {
    const train = labeledLines(300, 1);
    const valid = labeledLines(60, 2);
    const trainDir = join(work, 'train-dir');
    const validDir = join(work, 'valid-dir');
    mkdirSync(join(trainDir, 'sub'), { recursive: true });
    mkdirSync(validDir);
    writeLines(join(trainDir, 'part-1.txt'), train.slice(0, 120));
    writeFileSync(join(trainDir, 'sub', 'part-2.txt.gz'), gzipSync(`${train.slice(120, 200).join('\n')}\n`));
    writeLines(join(trainDir, 'tail.txt'), train.slice(200));
    writeLines(join(validDir, 'a.txt'), valid.slice(0, 30));
    writeLines(join(validDir, 'b.txt'), valid.slice(30));
    const models = [];
    for (const [name, trainInput, validationInput] of [
      ['from-dirs', trainDir, validDir],
      ['from-files', trainPath, validationPath],
    ] as const) {
      const result = await runSupervisedJob({ trainPath: trainInput, validationPath: validationInput, outputDir: join(work, name), hyperparameters: hyperparameters(), threads: 1 });
      expect(result.metrics!.examples).toBe(60);
      models.push(readFileSync(join(result.outputDir, 'model.bin')));
    }
    expect(models[0]!.equals(models[1]!)).toBe(true);
  });

  it('writes model.bin, metrics.json and model.tar.gz, and reports per-epoch and final metrics', async () => {
    const outputDir = join(work, 'with-validation');
    mkdirSync(outputDir);
    writeFileSync(join(outputDir, 'notes.txt'), 'keep me');
    const metrics: MetricEvent[] = [];
    const logs: string[] = [];
    const result = await runSupervisedJob({
      trainPath,
      validationPath,
      outputDir,
      hyperparameters: hyperparameters(),
      threads: 1,
      onMetric: (m) => metrics.push(m),
      onLog: (message) => logs.push(message),
    });

    expect(result.files).toEqual(['model.bin', 'metrics.json', 'model.tar.gz']);
    expect(readdirSync(outputDir).sort()).toEqual(['metrics.json', 'model.bin', 'model.tar.gz', 'notes.txt']);
    expect((await archiveEntries(join(outputDir, 'model.tar.gz'))).map((entry) => entry.path)).toEqual(['model.bin', 'metrics.json']);
    expect(result).toMatchObject({ labels: 3, bestEpoch: 3, stoppedEarly: false });

    const written = JSON.parse(readFileSync(join(outputDir, 'metrics.json'), 'utf8'));
    expect(written).toEqual(result.metrics);
    expect(written.examples).toBe(60);
    expect(written.confusionMatrix.counts.flat().reduce((a: number, b: number) => a + b, 0)).toBe(60);
    expect(written.accuracy).toBeGreaterThan(0.8);

    const model = await readFastTextModel(join(outputDir, 'model.bin'));
    expect(model.args).toMatchObject({ model: 'sup', loss: 'softmax', dim: 10, epoch: 3, wordNgrams: 2, bucket: 1000 });
    expect([...model.labels].sort()).toEqual(['__label__food', '__label__music', '__label__sports']);

    expect(metrics.filter((m) => m.name === 'train:loss').map((m) => m.epoch)).toEqual([1, 2, 3]);
    const perEpoch = metrics.filter((m) => m.name === 'validation:accuracy' && m.epoch !== undefined);
    expect(perEpoch.map((m) => m.epoch)).toEqual([1, 2, 3]);
    const final = metrics.at(-1)!;
    expect(final).toEqual({ name: 'validation:accuracy', value: written.accuracy });
    // The trainer's per-epoch accuracy of the kept model is the accuracy metrics.json reports.
    expect(perEpoch.at(-1)!.value).toBeCloseTo(final.value, 12);
    expect(logs.some((l) => /300 examples/.test(l))).toBe(true);
    expect(logs.some((l) => /3 labels/.test(l))).toBe(true);
  });

  it('writes no metrics.json and no validation metric without a validation set', async () => {
    const outputDir = join(work, 'no-validation');
    const metrics: MetricEvent[] = [];
    const result = await runSupervisedJob({ trainPath, outputDir, hyperparameters: hyperparameters({ epochs: 2 }), threads: 1, onMetric: (m) => metrics.push(m) });
    expect(result.files).toEqual(['model.bin', 'model.tar.gz']);
    expect(result.metrics).toBeUndefined();
    expect(readdirSync(outputDir).sort()).toEqual(['model.bin', 'model.tar.gz']);
    expect(metrics.map((m) => `${m.name}@${m.epoch}`)).toEqual(['train:loss@1', 'train:loss@2']);
  });

  it('keeps the best epoch with early stopping, and reports its accuracy as final', async () => {
    const metrics: MetricEvent[] = [];
    const result = await runSupervisedJob({
      trainPath,
      validationPath,
      outputDir: join(work, 'early-stopping'),
      hyperparameters: hyperparameters({ epochs: 15, early_stopping: true, min_epochs: 1, patience: 1, learning_rate: 1 }),
      threads: 1,
      onMetric: (m) => metrics.push(m),
    });
    const perEpoch = metrics.filter((m) => m.name === 'validation:accuracy' && m.epoch !== undefined);
    expect(perEpoch.length).toBeGreaterThanOrEqual(result.bestEpoch);
    const best = perEpoch.find((m) => m.epoch === result.bestEpoch)!;
    expect(best.value).toBe(Math.max(...perEpoch.map((m) => m.value)));
    expect(metrics.at(-1)!.value).toBeCloseTo(best.value, 12);
    expect(result.metrics!.accuracy).toBeCloseTo(best.value, 12);
  });
});

describe('runSupervisedJob bad input: a clear error, nothing written', () => {
  it('rejects early_stopping without a validation set before reading anything', async () => {
    const outputDir = join(work, 'early-no-validation');
    const error = await rejection(runSupervisedJob({ trainPath: join(work, 'absent.txt'), outputDir, hyperparameters: hyperparameters({ early_stopping: true }) }));
    expect(error).toBeInstanceOf(HyperparameterError);
    expect((error as HyperparameterError).field).toBe('early_stopping');
    expect((error as HyperparameterError).message).toMatch(/needs --validation/);
    expect(existsSync(outputDir)).toBe(false);
  });

  it.each([
    ['a missing training file', () => ({ trainPath: join(work, 'absent.txt') }), /absent\.txt/],
    ['a missing validation file', () => ({ validationPath: join(work, 'absent-valid.txt') }), /absent-valid\.txt/],
  ])('rejects %s before creating the output directory', async (_name, options, pattern) => {
    const outputDir = join(work, `missing-${Math.random().toString(36).slice(2)}`);
    const error = await rejection(runSupervisedJob({ trainPath, outputDir, hyperparameters: hyperparameters(), ...options() }));
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as Error).message).toMatch(pattern);
    expect(existsSync(outputDir)).toBe(false);
  });

  it('rejects a training file without labels', async () => {
    const unlabeled = join(work, 'unlabeled.txt');
    writeLines(unlabeled, ['just some text', 'and more text without a label']);
    const outputDir = join(work, 'unlabeled-out');
    const error = await rejection(runSupervisedJob({ trainPath: unlabeled, outputDir, hyperparameters: hyperparameters() }));
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as Error).message).toMatch(/unlabeled\.txt/);
    expect((error as Error).message).toMatch(/label/);
    expect(existsSync(outputDir)).toBe(false);
  });

  it('rejects a validation set with no example of a known label, leaving earlier artifacts as they were', async () => {
    const emptyValidation = join(work, 'empty-valid.txt');
    writeLines(emptyValidation, ['__label__weather rain sun cloud', 'no label here']);
    const outputDir = join(work, 'empty-validation-out');
    mkdirSync(outputDir);
    writeFileSync(join(outputDir, 'model.bin'), 'an earlier model');
    const before = directorySnapshot(outputDir);
    const error = await rejection(runSupervisedJob({ trainPath, validationPath: emptyValidation, outputDir, hyperparameters: hyperparameters() }));
    expect(error).toBeInstanceOf(InputDataError);
    expect((error as Error).message).toMatch(/empty-valid\.txt/);
    expect(directorySnapshot(outputDir)).toEqual(before);
  });

  it('leaves nothing behind when interrupted', async () => {
    const outputDir = join(work, 'aborted');
    await rejection(runSupervisedJob({ trainPath, validationPath, outputDir, hyperparameters: hyperparameters(), signal: AbortSignal.abort() }));
    expect(existsSync(outputDir)).toBe(false);
  });
});
