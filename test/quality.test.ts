import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCorpus, trainWord2Vec, evaluateWordSimilarityFiles, type Corpus } from '@blazefleet/algorithms';
import { parseWord2VecHyperparameters } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { repoRoot, sharedData } from './blazefleet-cli.js';

// WS-353 quality on the 1 M-word corpus against fastText on the same data with the same hyperparameters.
// The reference is recorded by `npx tsx bench/fasttext-reference.ts` (command and fastText version inside);
// one thread and a fixed seed make each of our runs deterministic, so the test cannot flake.
interface Reference {
  results: Record<'skipgram' | 'cbow' | 'skipgram-subwords', { average: number }>;
}
const reference = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/fasttext-small-reference.json'), 'utf8')) as Reference;
const corpusPath = sharedData('corpus/small.txt.gz');

let corpus: Corpus | undefined;
async function meanRho(raw: Record<string, unknown>): Promise<number> {
  corpus ??= await readCorpus(corpusPath!, { minCount: 5 });
  const hyperparameters = parseWord2VecHyperparameters(raw);
  const trained = await trainWord2Vec({ corpus, hyperparameters, threads: 1, seed: 1 });
  return (await evaluateWordSimilarityFiles(trained.vectors)).mean_rho;
}

describe.skipIf(!corpusPath)('WS-353 quality against fastText on the same 1 M words', () => {
  it('skipgram is no more than 0.01 below fastText skipgram', async () => {
    expect(await meanRho({ mode: 'skipgram' })).toBeGreaterThanOrEqual(reference.results.skipgram.average - 0.01);
  });
  it('cbow is no more than 0.01 below fastText cbow', async () => {
    expect(await meanRho({ mode: 'cbow' })).toBeGreaterThanOrEqual(reference.results.cbow.average - 0.01);
  });
  it('batch_skipgram is no more than 0.02 below fastText skipgram', async () => {
    expect(await meanRho({ mode: 'batch_skipgram' })).toBeGreaterThanOrEqual(reference.results.skipgram.average - 0.02);
  });
  it('skipgram with subwords is no more than 0.01 below fastText with the same n-grams', async () => {
    const rho = await meanRho({ mode: 'skipgram', subwords: true, buckets: 200000 });
    expect(rho).toBeGreaterThanOrEqual(reference.results['skipgram-subwords'].average - 0.01);
  });
});
