import { describe, expect, it } from 'vitest';
import { CategoricalParameter, ContinuousParameter, IntegerParameter } from './parameters.js';
import { Tuner } from './tuner.js';

describe('hyperparameter importance', () => {
  const tuner = new Tuner({
    parameterRanges: {
      learning_rate: ContinuousParameter(1e-3, 1, 'Logarithmic'),
      window_size: IntegerParameter(1, 20),
      mode: CategoricalParameter(['cbow', 'skipgram']),
      noise: ContinuousParameter(0, 1),
    },
    objective: 'Maximize',
    strategy: 'Sobol',
    maxTrials: 40,
    seed: 1,
  });

  it('needs a few trials', () => {
    expect(() => tuner.importance()).toThrow(/at least 3 trials/);
  });

  it('ranks parameters by how much of the objective they explain and normalizes to 1', () => {
    for (let s = tuner.ask(); s; s = tuner.ask()) {
      const p = s.params;
      const value = -3 * (Math.log10(p.learning_rate as number) + 1.5) ** 2 - ((p.window_size as number) - 8) ** 2 / 40 + (p.mode === 'skipgram' ? 0.1 : 0);
      tuner.tell(s.trialId, value);
    }
    const importance = tuner.importance();
    expect(Object.keys(importance).sort()).toEqual(['learning_rate', 'mode', 'noise', 'window_size']);
    expect(Object.values(importance).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(importance.learning_rate).toBeGreaterThan(0.7);
    expect(importance.window_size).toBeGreaterThan(importance.mode!);
    expect(importance.mode).toBeGreaterThan(importance.noise!);
    expect(importance.noise).toBeLessThan(0.02);
  });

  it('rejects an unknown objective name', () => {
    expect(() => tuner.importance('seconds')).toThrow(/tuner config 'objective'/);
  });
});
