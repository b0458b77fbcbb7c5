import { describe, expect, it } from 'vitest';
import { CategoricalParameter, ContinuousParameter, IntegerParameter, type ParameterRange, type Params } from '../parameters.js';
import { Tuner } from '../tuner.js';
import type { StrategyName, TunerConfig } from '../config.js';

// One suite that every strategy must pass: the values it suggests, their scaling, determinism, and restarts.
const mixed: Record<string, ParameterRange> = {
  learning_rate: ContinuousParameter(1e-4, 1, 'Logarithmic'),
  momentum: ContinuousParameter(0.9, 0.999, 'ReverseLogarithmic'),
  window_size: IntegerParameter(1, 1000, 'Logarithmic'),
  layers: IntegerParameter(1, 8),
  mode: CategoricalParameter(['cbow', 'skipgram', 'batch_skipgram']),
};
const discrete: Record<string, ParameterRange> = {
  layers: IntegerParameter(1, 8),
  batch: IntegerParameter(2, 6),
  mode: CategoricalParameter(['cbow', 'skipgram', 'batch_skipgram']),
};

interface Case {
  strategy: StrategyName;
  ranges: Record<string, ParameterRange>;
  extra?: Partial<TunerConfig>;
}
const cases: Case[] = [
  { strategy: 'Random', ranges: mixed },
  { strategy: 'Sobol', ranges: mixed },
  { strategy: 'Bayesian', ranges: mixed },
  { strategy: 'Grid', ranges: discrete },
  { strategy: 'Hyperband', ranges: mixed, extra: { strategyConfig: { hyperbandStrategyConfig: { minResource: 1, maxResource: 9 } } } },
  { strategy: 'Random', ranges: mixed, extra: { earlyStopping: { type: 'Auto' } } },
];

const num = (p: Params, name: string): number => p[name] as number;
/** A loss with its optimum inside the space, touching every parameter kind. */
function objective(p: Params): number {
  let v = (num(p, 'layers') - 3) ** 2 / 10 + (p.mode === 'skipgram' ? 0 : 0.5);
  if ('learning_rate' in p) v += (Math.log10(num(p, 'learning_rate')) + 2) ** 2 + (Math.log10(num(p, 'window_size')) - 1) ** 2;
  if ('batch' in p) v += (num(p, 'batch') - 4) ** 2 / 5;
  return v;
}

function makeTuner(c: Case, seed = 7, maxTrials = 60): Tuner {
  return new Tuner({ parameterRanges: c.ranges, staticHyperParameters: { vector_dim: 100 }, objective: 'Minimize', strategy: c.strategy, maxTrials, seed, ...c.extra });
}

/** Runs `count` trials; each reports 3 steps (so early stopping and Hyperband act) and is told its loss unless stopped. */
function run(tuner: Tuner, count: number): Params[] {
  const seen: Params[] = [];
  for (let i = 0; i < count; i++) {
    const s = tuner.ask();
    if (!s) break;
    seen.push(s.params);
    const loss = objective(s.params);
    let stopped = false;
    for (let step = 1; step <= 3 && !stopped; step++) stopped = tuner.report(s.trialId, step, loss + 1 / step);
    if (!stopped) tuner.tell(s.trialId, loss);
  }
  return seen;
}

const label = (c: Case): string => c.strategy + (c.extra?.earlyStopping ? ' with early stopping' : '');

// Grid enumerates its values in order instead of sampling them, so scaling spreads none of its first suggestions.
describe.each(cases.filter((c) => c.strategy !== 'Grid').map((c) => [label(c), c] as const))('strategy conformance, sampled: %s', (_, c) => {
  it('spreads log-scaled values over decades and reverse-log values towards 1', () => {
    const first = run(makeTuner(c), 8);
    // Linear sampling would put about 1% of learning rates below 1e-2 and of momenta above 0.99; scaled sampling half.
    expect(first.filter((p) => num(p, 'learning_rate') < 1e-2).length).toBeGreaterThanOrEqual(2);
    expect(first.filter((p) => num(p, 'momentum') > 0.99).length).toBeGreaterThanOrEqual(2);
    expect(first.filter((p) => num(p, 'window_size') < 32).length).toBeGreaterThanOrEqual(2);
    const decades = new Set(run(makeTuner(c, 8), 20).map((p) => Math.floor(Math.log10(num(p, 'learning_rate')))));
    expect(decades.size).toBeGreaterThanOrEqual(3);
  });

});

describe.each(cases.map((c) => [label(c), c] as const))('strategy conformance: %s', (_, c) => {
  it('suggests values inside every range with the right types, statics passed through', () => {
    const suggestions = run(makeTuner(c), 40);
    expect(suggestions.length).toBe(40);
    for (const p of suggestions) {
      expect(p.vector_dim).toBe(100);
      for (const [name, range] of Object.entries(c.ranges)) {
        const v = p[name];
        if (range.type === 'Categorical') {
          expect(range.values).toContain(v);
        } else {
          expect(typeof v).toBe('number');
          expect(v).toBeGreaterThanOrEqual(range.min);
          expect(v).toBeLessThanOrEqual(range.max);
          if (range.type === 'Integer') expect(Number.isInteger(v)).toBe(true);
        }
      }
    }
  });

  it('gives the same suggestions for the same seed and history', () => {
    expect(run(makeTuner(c, 11), 25)).toEqual(run(makeTuner(c, 11), 25));
    if (c.strategy !== 'Grid') expect(run(makeTuner(c, 12), 25)).not.toEqual(run(makeTuner(c, 11), 25));
  });

  it('continues identically after a JSON round trip mid-run, with trials pending', () => {
    const original = makeTuner(c);
    run(original, 14);
    const pending = [original.ask()!, original.ask()!];
    original.report(pending[0]!.trialId, 1, 5);
    const restored = Tuner.fromJSON(JSON.parse(JSON.stringify(original)));
    expect(restored.toJSON()).toEqual(original.toJSON());
    for (const tuner of [original, restored]) tuner.tell(pending[1]!.trialId, 0.25);
    expect(run(restored, 6)).toEqual(run(original, 6));
    expect(restored.toJSON()).toEqual(original.toJSON());
  });

  it('gives distinct suggestions to trials asked in parallel', () => {
    const tuner = makeTuner(c);
    run(tuner, 12);
    const parallel = [tuner.ask()!, tuner.ask()!, tuner.ask()!].map((s) => JSON.stringify(s.params));
    expect(new Set(parallel).size).toBe(3);
  });

  it('stops suggesting after maxTrials', () => {
    const tuner = makeTuner(c, 7, 10);
    expect(run(tuner, 15).length).toBe(10);
    expect(tuner.ask()).toBeUndefined();
    expect(tuner.isComplete()).toEqual({ complete: true, reason: 'MaxTrials' });
  });
});
