import { describe, expect, it } from 'vitest';
import { median, medianRuleStops } from './early-stopping.js';
import { ContinuousParameter } from './parameters.js';
import { Tuner } from './tuner.js';

describe('median stopping rule', () => {
  it('stops a loss above the median of enough references', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(medianRuleStops(2.6, [1, 2, 3, 4], 3)).toBe(true);
    expect(medianRuleStops(2.5, [1, 2, 3, 4], 3)).toBe(false);
    expect(medianRuleStops(9, [1, 2], 3)).toBe(false);
  });

  function tuner(objective: 'Minimize' | 'Maximize'): Tuner {
    return new Tuner({
      parameterRanges: { lr: ContinuousParameter(0.01, 0.1) },
      objective,
      strategy: 'Random',
      maxTrials: 20,
      seed: 5,
      earlyStopping: { type: 'Auto', minCompletedTrials: 3 },
    });
  }

  /** Completes a trial that reported `curve` (value at steps 1, 2, ...). */
  function complete(t: Tuner, curve: number[]): void {
    const s = t.ask()!;
    curve.forEach((v, i) => expect(t.report(s.trialId, i + 1, v)).toBe(false));
    t.tell(s.trialId, curve[curve.length - 1]!);
  }

  it('acts once enough trials completed, comparing with their values at the same step', () => {
    const t = tuner('Minimize');
    complete(t, [1.0, 0.8, 0.6]);
    complete(t, [1.2, 0.9, 0.7]);
    const early = t.ask()!;
    expect(t.report(early.trialId, 2, 5)).toBe(false);
    complete(t, [1.1, 1.0, 0.5]);
    // Medians at step 2: 0.9; at step 3: 0.6.
    expect(t.report(early.trialId, 2, 0.85)).toBe(false);
    expect(t.report(early.trialId, 3, 0.65)).toBe(true);
    expect(t.trials().find((x) => x.trialId === early.trialId)).toMatchObject({ status: 'stopped', value: 0.65 });
    const other = t.ask()!;
    expect(t.report(other.trialId, 2, 0.95)).toBe(true);
    const late = t.ask()!;
    expect(t.report(late.trialId, 7, 99)).toBe(false);
  });

  it('compares the other way when maximizing', () => {
    const t = tuner('Maximize');
    for (const curve of [[0.1, 0.5], [0.2, 0.6], [0.3, 0.7]]) complete(t, curve);
    const s = t.ask()!;
    expect(t.report(s.trialId, 2, 0.55)).toBe(true);
    const u = t.ask()!;
    expect(t.report(u.trialId, 2, 0.6)).toBe(false);
  });
});
