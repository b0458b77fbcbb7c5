import { describe, expect, it } from 'vitest';
import { TrialStateError, TunerStateError } from './errors.js';
import { CategoricalParameter, ContinuousParameter, IntegerParameter } from './parameters.js';
import { Tuner } from './tuner.js';

const config = {
  parameterRanges: {
    learning_rate: ContinuousParameter(0.005, 0.05, 'Logarithmic'),
    window_size: IntegerParameter(5, 30),
    mode: CategoricalParameter(['cbow', 'batch_skipgram']),
  },
  staticHyperParameters: { vector_dim: 100, evaluation: true },
  objective: 'Maximize' as const,
  strategy: 'Bayesian' as const,
  maxTrials: 30,
  seed: 1,
};

describe('Tuner', () => {
  it('merges static hyperparameters into every suggestion and records trials', () => {
    const tuner = new Tuner(config);
    const a = tuner.ask()!;
    const b = tuner.ask()!;
    expect(a.params).toMatchObject({ vector_dim: 100, evaluation: true });
    expect([a.trialId, b.trialId]).toEqual([0, 1]);
    expect(tuner.report(a.trialId, 1, 0.3)).toBe(false);
    tuner.report(a.trialId, 2, 0.35);
    tuner.report(a.trialId, 2, 0.4);
    tuner.tell(a.trialId, 0.42);
    tuner.tell(b.trialId, { failed: true, reason: 'diverged' });
    expect(tuner.trials()).toEqual([
      { trialId: 0, params: a.params, status: 'completed', value: 0.42, intermediateValues: [{ step: 1, value: 0.3 }, { step: 2, value: 0.4 }] },
      { trialId: 1, params: b.params, status: 'failed', intermediateValues: [], failureReason: 'diverged' },
    ]);
  });

  it('returns the best trial in the objective direction, the earliest among equals', () => {
    const tuner = new Tuner({ ...config, strategy: 'Random' });
    expect(tuner.best()).toBeUndefined();
    for (const v of [0.2, 0.6, 0.6, 0.1]) tuner.tell(tuner.ask()!.trialId, v);
    expect(tuner.best()).toMatchObject({ trialId: 1, value: 0.6 });
    const min = new Tuner({ ...config, strategy: 'Random', objective: 'Minimize' });
    for (const v of [0.2, 0.6, 0.1]) min.tell(min.ask()!.trialId, v);
    expect(min.best()).toMatchObject({ trialId: 2, value: 0.1 });
  });

  it('refuses telling a trial twice, unknown trials, non-finite values and reports to finished trials', () => {
    const tuner = new Tuner(config);
    const s = tuner.ask()!;
    expect(() => tuner.tell(99, 1)).toThrow(TrialStateError);
    expect(() => tuner.tell(s.trialId, Number.NaN)).toThrow(/finite.*failed: true/);
    expect(() => tuner.report(s.trialId, -1, 0.5)).toThrow(/step/);
    tuner.tell(s.trialId, 0.5);
    expect(() => tuner.tell(s.trialId, 0.6)).toThrow(/trial 0: already completed/);
    expect(() => tuner.report(s.trialId, 3, 0.5)).toThrow(/cannot report to a completed trial/);
  });

  it('lets a stopped trial be told its final value, keeping it stopped', () => {
    const tuner = new Tuner({ ...config, strategy: 'Random', earlyStopping: { type: 'Auto', minCompletedTrials: 1 } });
    const first = tuner.ask()!;
    tuner.report(first.trialId, 1, 0.5);
    tuner.tell(first.trialId, 0.5);
    const weak = tuner.ask()!;
    expect(tuner.report(weak.trialId, 1, 0.1)).toBe(true);
    tuner.tell(weak.trialId, 0.15);
    tuner.tell(weak.trialId, { failed: true });
    expect(tuner.trials()[1]).toMatchObject({ status: 'stopped', value: 0.15 });
  });

  it('draws a seed when none is given and keeps it in its state', () => {
    const { seed: _, ...unseeded } = config;
    const a = new Tuner({ ...unseeded, strategy: 'Random' });
    const b = new Tuner({ ...unseeded, strategy: 'Random' });
    expect(a.ask()!.params).not.toEqual(b.ask()!.params);
    const restored = Tuner.fromJSON(JSON.parse(JSON.stringify(a)));
    expect(restored.ask()!.params).toEqual(a.ask()!.params);
    expect(Number.isSafeInteger(a.toJSON().config.seed)).toBe(true);
  });

  it('rejects a state of another format', () => {
    expect(() => Tuner.fromJSON({ ...new Tuner(config).toJSON(), format: 'other' as never })).toThrow(TunerStateError);
    expect(() => Tuner.fromJSON({ ...new Tuner(config).toJSON(), rng: [0, 0, 0, 0] })).toThrow(/not all zero/);
  });

  it('returns copies: changing what it returned does not change the tuner', () => {
    const tuner = new Tuner(config);
    const s = tuner.ask()!;
    s.params.window_size = -1;
    (tuner.toJSON().trials[0]!.params as Record<string, unknown>).window_size = -2;
    expect(tuner.trials()[0]!.params.window_size).not.toBeLessThan(0);
  });
});
