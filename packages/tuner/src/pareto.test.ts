import { describe, expect, it } from 'vitest';
import { Rng } from './math/random.js';
import { ContinuousParameter } from './parameters.js';
import { dominates, parEgoScalarization, paretoFrontIndices } from './pareto.js';
import { Tuner } from './tuner.js';

describe('Pareto front', () => {
  it('keeps the non-dominated loss vectors', () => {
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([0, 3], [1, 2])).toBe(false);
    expect(paretoFrontIndices([[1, 5], [2, 2], [3, 3], [5, 1], [2, 2]])).toEqual([0, 1, 3, 4]);
  });

  it('scalarizes with weights on the simplex, best where every normalized loss is lowest', () => {
    const losses = [[0, 0], [1, 1], [0.5, 0.2]];
    const scalar = parEgoScalarization(losses, Rng.fromSeed(1));
    expect(scalar[0]).toBe(0);
    // (1, 1) normalized: max(λ) + 0.05 (λ1 + λ2), with max(λ) in [1/2, 1].
    expect(scalar[1]! - 0.05).toBeGreaterThanOrEqual(0.5);
    expect(scalar[1]! - 0.05).toBeLessThanOrEqual(1);
    expect(scalar[2]).toBeGreaterThan(0);
    expect(scalar[2]).toBeLessThan(scalar[1]!);
  });
});

describe('multi-objective tuning', () => {
  const config = {
    parameterRanges: { x: ContinuousParameter(0, 1) },
    objectives: [
      { name: 'mean_rho', type: 'Maximize' as const },
      { name: 'seconds', type: 'Minimize' as const },
    ],
    maxTrials: 25,
    seed: 6,
  };
  // Quality rises with x, so does time: every x is a trade-off, and quality − x/2 peaks at x = 1/2.
  const evaluate = (x: number) => ({ mean_rho: Math.sqrt(x), seconds: 1 + x });

  it.each(['Bayesian', 'Random'] as const)('%s returns the trials no other trial beats in both objectives', (strategy) => {
    const tuner = new Tuner({ ...config, strategy });
    for (let s = tuner.ask(); s; s = tuner.ask()) tuner.tell(s.trialId, { values: evaluate(s.params.x as number) });
    const all = tuner.trials();
    const front = tuner.paretoFront();
    expect(front.length).toBeGreaterThan(5);
    for (const t of all) {
      const beaten = all.some((o) => o.values!.mean_rho! >= t.values!.mean_rho! && o.values!.seconds! <= t.values!.seconds! && (o.values!.mean_rho! > t.values!.mean_rho! || o.values!.seconds! < t.values!.seconds!));
      expect(front.some((f) => f.trialId === t.trialId)).toBe(!beaten);
    }
    expect(() => tuner.best()).toThrow(/paretoFront/);
  });

  it('asks for every objective by name', () => {
    const tuner = new Tuner(config);
    const s = tuner.ask()!;
    expect(() => tuner.tell(s.trialId, 0.5)).toThrow(/values: \{ mean_rho, seconds \}/);
    expect(() => tuner.tell(s.trialId, { values: { mean_rho: 0.5 } })).toThrow(/values.seconds/);
  });
});
