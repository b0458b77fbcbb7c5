import { describe, expect, it } from 'vitest';
import { CategoricalParameter, ContinuousParameter, IntegerParameter } from './parameters.js';
import { SearchSpace } from './search-space.js';
import { Tuner } from './tuner.js';
import { mapParentTrials } from './warm-start.js';
import type { ParentTrial } from './config.js';
import type { BayesianState } from './strategies/bayesian.js';

const space = new SearchSpace({
  lr: ContinuousParameter(0.01, 0.1, 'Logarithmic'),
  window: IntegerParameter(2, 10),
  mode: CategoricalParameter(['cbow', 'skipgram']),
});
const maximize = [{ name: 'objective', type: 'Maximize' as const }];

describe('warm start mapping', () => {
  it('IdenticalDataAndAlgorithm keeps parents that fit the space exactly and agree on statics', () => {
    const parents: ParentTrial[] = [
      { params: { lr: 0.05, window: 5, mode: 'cbow', dim: 100 }, value: 0.7 },
      { params: { lr: '0.02', window: '3', mode: 'skipgram' }, value: 0.6 },
      { params: { lr: 0.5, window: 5, mode: 'cbow' }, value: 0.9 },
      { params: { lr: 0.05, window: 5, mode: 'glove' }, value: 0.9 },
      { params: { lr: 0.05, mode: 'cbow' }, value: 0.9 },
      { params: { lr: 0.05, window: 5, mode: 'cbow', dim: 300 }, value: 0.9 },
    ];
    const { observations, dropped } = mapParentTrials({ type: 'IdenticalDataAndAlgorithm', parentTrials: parents }, space, { dim: 100 }, maximize);
    expect(observations).toEqual([
      { params: { lr: 0.05, window: 5, mode: 'cbow' }, losses: [-0.7] },
      { params: { lr: 0.02, window: 3, mode: 'skipgram' }, losses: [-0.6] },
    ]);
    expect(dropped).toBe(4);
  });

  it('TransferLearning clips to the new ranges, fills missing numbers with the centre, and drops unknown categories', () => {
    const parents: ParentTrial[] = [
      { params: { lr: 0.5, window: 12.6, mode: 'cbow', dim: 300 }, value: 0.7 },
      { params: { lr: 0.001, mode: 'skipgram' }, value: 0.6 },
      { params: { lr: 0.05, window: 5, mode: 'glove' }, value: 0.9 },
      { params: { lr: 0.05, window: 5 }, value: 0.9 },
    ];
    const { observations, dropped } = mapParentTrials({ type: 'TransferLearning', parentTrials: parents }, space, { dim: 100 }, maximize);
    expect(observations).toEqual([
      { params: { lr: 0.1, window: 10, mode: 'cbow' }, losses: [-0.7] },
      { params: { lr: 0.01, window: 6, mode: 'skipgram' }, losses: [-0.6] },
    ]);
    expect(dropped).toBe(2);
  });

  it('feeds parents to the Bayesian model, which then skips the initial design', () => {
    const parentTrials = Array.from({ length: 6 }, (_, i) => ({ params: { lr: 0.01 + 0.015 * i, window: 2 + i, mode: 'cbow' }, value: i / 10 }));
    const config = { parameterRanges: space.ranges, objective: 'Maximize' as const, maxTrials: 10, seed: 4 };
    const warm = new Tuner({ ...config, warmStart: { type: 'IdenticalDataAndAlgorithm', parentTrials } });
    warm.ask();
    expect((warm.toJSON().strategy as BayesianState).designIndex).toBe(0);
    expect((warm.toJSON().strategy as BayesianState).theta).not.toBeNull();
    const cold = new Tuner(config);
    cold.ask();
    expect((cold.toJSON().strategy as BayesianState).designIndex).toBe(1);
  });
});
