import { join } from 'node:path';
import { TrainingDivergedError, parseWord2VecHyperparameters, type TrainingProgress } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { readCorpus, type Corpus } from '../corpus.js';
import { writeTopicCorpus } from '../testing/corpus-files.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { trainWord2Vec } from './trainer.js';

const work = temporaryDirectory('trainer-test-');

// Two topics whose words co-occur only within their own lines, so that a trained model must tell them apart.
const TOPICS = [
  ['king', 'queen', 'prince', 'royal', 'palace', 'crown', 'throne', 'castle'],
  ['car', 'engine', 'wheel', 'road', 'driver', 'fuel', 'truck', 'garage'],
];
let corpus: Corpus;
writeTopicCorpus(join(work, 'topics.txt'), { seed: 7, lines: 3000, wordsPerLine: 12, wordsOfLine: (line) => TOPICS[line % 2]! });
corpus = await readCorpus(join(work, 'topics.txt'), { minCount: 1 });

const hp = (raw: Record<string, unknown>) =>
  parseWord2VecHyperparameters({ mode: 'skipgram', vector_dim: 20, epochs: 2, sampling_threshold: 0.01, ...raw });

describe('trainWord2Vec', () => {
  it.each(['cbow', 'skipgram', 'batch_skipgram'])('%s learns which words share contexts, with one and two threads', async (mode) => {
    for (const threads of [1, 2]) {
      const trained = await trainWord2Vec({ corpus, hyperparameters: hp({ mode }), threads, seed: 3 });
      const similarity = (a: string, b: string) => trained.vectors.similarity(a, b)!;
      expect(trained.threads).toBe(threads);
      expect(trained.vectors.words.length).toBe(16);
      expect(similarity('king', 'queen')).toBeGreaterThan(similarity('king', 'engine') + 0.3);
      expect(similarity('car', 'truck')).toBeGreaterThan(similarity('car', 'palace') + 0.3);
    }
  });

  it('is deterministic with one thread and a seed, and the seed matters', async () => {
    const run = (seed: number) => trainWord2Vec({ corpus, hyperparameters: hp({}), threads: 1, seed });
    const [a, b, c] = await Promise.all([run(7), run(7), run(8)]);
    expect(Buffer.from(a.input.buffer, a.input.byteOffset, a.input.byteLength).equals(Buffer.from(b.input.buffer, b.input.byteOffset, b.input.byteLength))).toBe(true);
    expect(Array.from(a.output)).toEqual(Array.from(b.output));
    expect(Array.from(a.input)).not.toEqual(Array.from(c.input));
  });

  it('gives the same model whether or not it pauses for per-epoch evaluation', async () => {
    const epochs: number[] = [];
    const plain = await trainWord2Vec({ corpus, hyperparameters: hp({ epochs: 3 }), threads: 1, seed: 5 });
    const paused = await trainWord2Vec({
      corpus,
      hyperparameters: hp({ epochs: 3 }),
      threads: 1,
      seed: 5,
      onEpochEnd: (epoch, vectors) => {
        epochs.push(epoch);
        const snapshot = vectors();
        expect(snapshot.matrix.length).toBe(16 * 20);
        expect(snapshot.matrix.every(Number.isFinite)).toBe(true);
      },
    });
    expect(epochs).toEqual([1, 2, 3]);
    expect(Array.from(paused.input)).toEqual(Array.from(plain.input));
  });

  it('reports progress with a decaying learning rate up to 100%', async () => {
    const events: TrainingProgress[] = [];
    await trainWord2Vec({ corpus, hyperparameters: hp({ epochs: 3 }), threads: 1, onProgress: (p) => events.push(p), progressIntervalMs: 5 });
    const last = events.at(-1)!;
    expect(last.progress).toBe(1);
    expect(last.alpha).toBeCloseTo(0.05 * 1e-4, 8);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.progress).toBeGreaterThanOrEqual(events[i - 1]!.progress);
      expect(events[i]!.alpha).toBeLessThanOrEqual(events[i - 1]!.alpha);
    }
    expect(last.wordsPerSecond).toBeGreaterThan(0);
  });

  it('with subwords, gives unknown words the average of their n-gram vectors', async () => {
    const trained = await trainWord2Vec({ corpus, hyperparameters: hp({ subwords: true, buckets: 5000 }), threads: 1 });
    expect(trained.input.length).toBe((16 + 5000) * 20);
    expect(trained.vectors.indexOf('kingdom')).toBe(-1);
    expect(trained.vectors.similarity('kingdom', 'king')).toBeGreaterThan(0.3);
    expect(trained.vectors.vector('zz')).toBeDefined(); // "<zz>" still has n-grams of length 3
  });

  it('stops with TrainingDivergedError when the loss becomes NaN', async () => {
    await expect(
      trainWord2Vec({ corpus, hyperparameters: hp({ learning_rate: 10, vector_dim: 300, epochs: 5 }), threads: 2 }),
    ).rejects.toBeInstanceOf(TrainingDivergedError);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const training = trainWord2Vec({
      corpus,
      hyperparameters: hp({ epochs: 50 }),
      threads: 2,
      signal: controller.signal,
      onEpochEnd: (epoch) => {
        if (epoch === 1) controller.abort(new Error('stopped by the test'));
      },
    });
    await expect(training).rejects.toThrow('stopped by the test');
  });
});
