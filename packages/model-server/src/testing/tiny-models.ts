import { join } from 'node:path';
import { parseSupervisedHyperparameters } from '@blazefleet/core';
import { runSupervisedJob, WordVectors } from '@blazefleet/algorithms';
import { writeLines } from '../../../algorithms/src/testing/corpus-files.js';
import { seededRandom } from '../../../algorithms/src/testing/seeded-random.js';

/** Word vectors of uniform random values in [-0.5, 0.5), the same for the same seed. */
export function randomVectors(words: readonly string[], dim: number, seed: number): WordVectors {
  const random = seededRandom(seed);
  return new WordVectors([...words], dim, Float32Array.from({ length: words.length * dim }, () => random() - 0.5));
}

/** Texts of two topics, sport and food, for a classifier that tells them apart. */
export const TOPIC_WORDS = { sport: ['ball', 'goal', 'team', 'match'], food: ['bread', 'soup', 'cook', 'salt'] } as const;

/** Trains a small sport/food classifier into `dir`/model and returns that directory. */
export async function trainTinyClassifier(dir: string): Promise<string> {
  const random = seededRandom(3);
  const train = join(dir, 'labeled.txt');
  writeLines(
    train,
    Array.from({ length: 100 }, () => {
      const [label, words] = Object.entries(TOPIC_WORDS)[Math.floor(random() * 2)]!;
      return `__label__${label} ${Array.from({ length: 6 }, () => words[Math.floor(random() * 4)]).join(' ')}`;
    }),
  );
  const hyperparameters = parseSupervisedHyperparameters({ mode: 'supervised', epochs: 5, learning_rate: 0.5, min_count: 1, vector_dim: 10, buckets: 1000 });
  const result = await runSupervisedJob({ trainPath: train, outputDir: join(dir, 'model'), hyperparameters, threads: 1, seed: 1 });
  return result.outputDir;
}
