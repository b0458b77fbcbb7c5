import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classificationMetrics, encodeLabeledFile, readLabeledData, trainClassifier } from '@blazefleet/algorithms';
import { parseSupervisedHyperparameters } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { repoRoot, sharedData } from './blazefleet-cli.js';

// Test accuracy on two small labeled sets against fastText on the same data with the same hyperparameters.
// The reference is recorded by `npx tsx bench/fasttext-classify-reference.ts` (command and fastText version inside):
// the mean of three fastText seeds with 2 threads. One thread and a fixed seed make our run deterministic.
interface Reference {
  results: Record<'sst2' | 'trec', { average: number }>;
}
const reference = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/fasttext-classify-reference.json'), 'utf8')) as Reference;
/** 0.3 accuracy points, the tolerance. */
const TOLERANCE = 0.003;

async function testAccuracy(name: 'sst2' | 'trec'): Promise<number> {
  const hyperparameters = parseSupervisedHyperparameters({ mode: 'supervised', learning_rate: 0.5, word_ngrams: 2, epochs: 5, vector_dim: 100, min_count: 5 });
  const features = { wordNgrams: hyperparameters.word_ngrams, buckets: hyperparameters.buckets, minn: 0, maxn: 0 };
  const { dictionary, examples } = await readLabeledData(sharedData(`classify/${name}.train`)!, { minCount: hyperparameters.min_count, features });
  const test = await encodeLabeledFile(sharedData(`classify/${name}.test`)!, dictionary);
  const { classifier } = await trainClassifier({ dictionary, examples, hyperparameters, threads: 1, seed: 1 });
  return classificationMetrics(classifier, test).accuracy;
}

describe.skipIf(!sharedData('classify/sst2.train') || !sharedData('classify/trec.train'))('test accuracy against fastText on the same labeled sets', () => {
  it('sst2 (binary sentiment) is no more than 0.3 points below fastText', async () => {
    expect(await testAccuracy('sst2')).toBeGreaterThanOrEqual(reference.results.sst2.average - TOLERANCE);
  });
  it('trec (6 question classes) is no more than 0.3 points below fastText', async () => {
    expect(await testAccuracy('trec')).toBeGreaterThanOrEqual(reference.results.trec.average - TOLERANCE);
  });
});
