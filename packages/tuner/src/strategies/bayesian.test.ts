import { describe, expect, it } from 'vitest';
import { CategoricalParameter, ContinuousParameter, IntegerParameter, type ParameterRange, type Params } from '../parameters.js';
import { SobolSequence } from '../math/sobol.js';
import { Tuner } from '../tuner.js';
import type { BayesianState } from './bayesian.js';

function minimize(ranges: Record<string, ParameterRange>, f: (p: Params) => number, strategy: 'Bayesian' | 'Random', trials: number, seed = 1): number {
  const tuner = new Tuner({ parameterRanges: ranges, objective: 'Minimize', strategy, maxTrials: trials, seed });
  for (let s = tuner.ask(); s; s = tuner.ask()) tuner.tell(s.trialId, f(s.params));
  return tuner.best()!.value!;
}

const num = (p: Params, name: string): number => p[name] as number;

describe('BayesianStrategy', () => {
  it('homes in on the optimum of a smooth function far better than random search', () => {
    const ranges = { x: ContinuousParameter(-2, 2), y: ContinuousParameter(0.001, 10, 'Logarithmic') };
    const f = (p: Params) => (num(p, 'x') - 0.7) ** 2 + (Math.log10(num(p, 'y')) + 1) ** 2;
    const bayesian = minimize(ranges, f, 'Bayesian', 25);
    expect(bayesian).toBeLessThan(1e-3);
    expect(bayesian).toBeLessThan(minimize(ranges, f, 'Random', 25) / 10);
  });

  it('finds integer and categorical optima through rounding inside the acquisition', () => {
    const ranges = { k: IntegerParameter(1, 40), mode: CategoricalParameter(['a', 'b', 'c']), x: ContinuousParameter(0, 1) };
    const f = (p: Params) => (num(p, 'k') - 13) ** 2 / 50 + (p.mode === 'b' ? 0 : 1) + (num(p, 'x') - 0.5) ** 2;
    expect(minimize(ranges, f, 'Bayesian', 30)).toBeLessThan(1e-2);
  });

  it('spreads trials asked in parallel while the model is uncertain, instead of proposing one point several times', () => {
    const tuner = new Tuner({ parameterRanges: { x: ContinuousParameter(0, 1), y: ContinuousParameter(0, 1) }, objective: 'Minimize', maxTrials: 40, seed: 3 });
    for (let i = 0; i < 6; i++) {
      const s = tuner.ask()!;
      tuner.tell(s.trialId, (num(s.params, 'x') - 0.2) ** 2 + (num(s.params, 'y') - 0.8) ** 2);
    }
    const batch = Array.from({ length: 4 }, () => tuner.ask()!.params);
    for (let i = 0; i < batch.length; i++) {
      for (let j = 0; j < i; j++) {
        const distance = Math.hypot(num(batch[i]!, 'x') - num(batch[j]!, 'x'), num(batch[i]!, 'y') - num(batch[j]!, 'y'));
        expect(distance).toBeGreaterThan(0.01);
      }
    }
  });

  it('keeps running trials and failures out of the best and out of repeated suggestions', () => {
    const tuner = new Tuner({ parameterRanges: { x: ContinuousParameter(0, 1) }, objective: 'Maximize', maxTrials: 20, seed: 8 });
    for (let i = 0; i < 8; i++) {
      const s = tuner.ask()!;
      tuner.tell(s.trialId, -((num(s.params, 'x') - 0.4) ** 2));
    }
    const failing = tuner.ask()!;
    tuner.tell(failing.trialId, { failed: true, reason: 'out of memory' });
    const next = tuner.ask()!;
    expect(Math.abs(num(next.params, 'x') - num(failing.params, 'x'))).toBeGreaterThan(1e-3);
    expect(tuner.best()!.trialId).not.toBe(failing.trialId);
  });

  it('explores with the next Sobol point once expected improvement is negligible', () => {
    const tuner = new Tuner({ parameterRanges: { x: ContinuousParameter(0, 1) }, objective: 'Minimize', maxTrials: 40, seed: 2 });
    let state = tuner.toJSON().strategy as BayesianState;
    let last: Params | undefined;
    while (state.lowImprovementStreak === 0) {
      const s = tuner.ask()!;
      tuner.tell(s.trialId, (num(s.params, 'x') - 0.3) ** 2);
      [last, state] = [s.params, tuner.toJSON().strategy as BayesianState];
    }
    const design = new Float64Array(1);
    new SobolSequence(1, { seed: state.sobolSeed }).point(state.designIndex - 1, design);
    expect(state.designIndex).toBeGreaterThan(5);
    expect(last!.x).toBeCloseTo(design[0]!, 12);
  });
});
