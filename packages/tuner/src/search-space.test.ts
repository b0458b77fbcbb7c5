import { describe, expect, it } from 'vitest';
import { CategoricalParameter, ContinuousParameter, IntegerParameter } from './parameters.js';
import { SearchSpace } from './search-space.js';

describe('SearchSpace', () => {
  const space = new SearchSpace({
    lr: ContinuousParameter(1e-4, 1, 'Logarithmic'),
    beta: ContinuousParameter(0.9, 0.999, 'ReverseLogarithmic'),
    window: IntegerParameter(1, 4),
    mode: CategoricalParameter(['cbow', 'skipgram', 'batch_skipgram']),
  });

  it('maps the unit cube onto each scaling', () => {
    expect(space.decode([0, 0, 0, 0])).toEqual({ lr: 1e-4, beta: 0.9, window: 1, mode: 'cbow' });
    const middle = space.decode([0.5, 0.5, 0.5, 0.5]);
    expect(middle.lr).toBeCloseTo(1e-2, 12);
    expect(middle.beta).toBeCloseTo(1 - Math.sqrt(0.1 * 0.001), 12);
    expect(middle.mode).toBe('skipgram');
    expect(space.decode([1, 1, 1, 1])).toEqual({ lr: 1, beta: 0.999, window: 4, mode: 'batch_skipgram' });
  });

  it('gives every integer of a linear range the same share of the cube', () => {
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 400; k++) counts[(space.decode([0, 0, (k + 0.5) / 400, 0]).window as number) - 1]!++;
    expect(counts).toEqual([100, 100, 100, 100]);
  });

  it('encodes features (integers at cell centres, categoricals one-hot) and decodes them back', () => {
    expect(space.featureDimensions).toBe(6);
    expect(Array.from(space.continuousFeatures)).toEqual([1, 1, 0, 0, 0, 0]);
    const params = { lr: 0.003, beta: 0.95, window: 2, mode: 'batch_skipgram' };
    const f = new Float64Array(6);
    space.paramsToFeatures(params, f, 0);
    expect(f[2]).toBeCloseTo(0.375, 12);
    expect(Array.from(f.subarray(3))).toEqual([0, 0, 1]);
    const back = space.featuresToParams(f, 0);
    expect(back.lr).toBeCloseTo(0.003, 12);
    expect(back.beta).toBeCloseTo(0.95, 12);
    expect({ window: back.window, mode: back.mode }).toEqual({ window: 2, mode: 'batch_skipgram' });
  });

  it('snaps free features onto feasible points', () => {
    const f = Float64Array.from([1.3, -0.2, 0.49, 0.2, 0.7, 0.1]);
    space.snapFeatures(f, 0);
    expect(Array.from(f)).toEqual([1, 0, 0.375, 0, 1, 0]);
  });

  it('tells valid parameters from invalid ones', () => {
    expect(space.contains({ lr: 0.5, beta: 0.95, window: 3, mode: 'cbow', other: 'x' })).toBe(true);
    expect(space.contains({ lr: 2, beta: 0.95, window: 3, mode: 'cbow' })).toBe(false);
    expect(space.contains({ lr: 0.5, beta: 0.95, window: 2.5, mode: 'cbow' })).toBe(false);
    expect(space.contains({ lr: 0.5, beta: 0.95, window: 3, mode: 'glove' })).toBe(false);
    expect(space.contains({ lr: 0.5, beta: 0.95, mode: 'cbow' })).toBe(false);
  });
});
