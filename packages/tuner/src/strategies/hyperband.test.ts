import { describe, expect, it } from 'vitest';
import { ContinuousParameter } from '../parameters.js';
import { Tuner } from '../tuner.js';
import { hyperbandBrackets, type HyperbandState } from './hyperband.js';

describe('Hyperband rung arithmetic (η = 3)', () => {
  it.each([
    [1, 27, [[1, 3, 9], [3, 9], [9], []], [27, 12, 6, 4]],
    [1, 81, [[1, 3, 9, 27], [3, 9, 27], [9, 27], [27], []], [81, 34, 15, 8, 5]],
    [2, 30, [[2, 6, 18], [6, 18], [18]], [9, 5, 3]],
    [5, 14, [[5]], [1]],
    [5, 5, [[]], [1]],
  ])('resources %i..%i: brackets with rungs %j and weights %j', (min, max, rungs, weights) => {
    const brackets = hyperbandBrackets(min, max);
    expect(brackets.map((b) => b.rungs)).toEqual(rungs);
    expect(brackets.map((b) => b.weight)).toEqual(weights);
  });
});

function hyperbandTuner(objective: 'Minimize' | 'Maximize' = 'Minimize'): Tuner {
  return new Tuner({
    parameterRanges: { lr: ContinuousParameter(0.01, 0.1) },
    staticHyperParameters: { mode: 'skipgram' },
    objective,
    strategy: 'Hyperband',
    strategyConfig: { hyperbandStrategyConfig: { minResource: 1, maxResource: 9 } },
    maxTrials: 100,
    seed: 3,
  });
}

function bracketsOf(tuner: Tuner): Record<string, number> {
  const state = tuner.toJSON().strategy as HyperbandState;
  return Object.fromEntries(Object.entries(state.trials).map(([id, t]) => [id, t.bracket]));
}

describe('HyperbandStrategy', () => {
  it('gives every trial maxResource epochs and fills brackets in Hyperband proportions', () => {
    const tuner = hyperbandTuner();
    const asked = Array.from({ length: 34 }, () => tuner.ask()!);
    for (const s of asked) expect(s.params).toMatchObject({ epochs: 9, mode: 'skipgram' });
    const counts = [0, 0, 0];
    for (const b of Object.values(bracketsOf(tuner))) counts[b]!++;
    // Weights 9, 5, 3 (total 17): two full rounds.
    expect(counts).toEqual([18, 10, 6]);
  });

  it('lets a trial past a rung only within the best third of the losses recorded there', () => {
    const tuner = hyperbandTuner();
    Array.from({ length: 17 }, () => tuner.ask()!);
    const brackets = bracketsOf(tuner);
    const aggressive = Object.keys(brackets).filter((id) => brackets[id] === 0).map(Number);
    // Losses at rung 1: 0.5 goes on (alone); 0.7 > 0.5 + (0.7 − 0.5)/3 stops; 0.3 goes on; 0.9 > 0.5 (the 1/3 quantile of four) stops.
    const decisions = [0.5, 0.7, 0.3, 0.9].map((loss, i) => tuner.report(aggressive[i]!, 1, loss));
    expect(decisions).toEqual([false, true, false, true]);
    const stopped = tuner.trials().find((t) => t.trialId === aggressive[1]);
    expect(stopped).toMatchObject({ status: 'stopped', value: 0.7 });
    expect(tuner.report(aggressive[1]!, 2, 0.1)).toBe(true);
    // The first trial to reach rung 3 goes on; a trial jumping past both rungs is judged at each.
    expect(tuner.report(aggressive[0]!, 3, 0.45)).toBe(false);
    expect(tuner.report(aggressive[4]!, 4, 0.95)).toBe(true);
    const safe = Object.keys(brackets).find((id) => brackets[id] === 2)!;
    for (let step = 1; step <= 9; step++) expect(tuner.report(Number(safe), step, 100)).toBe(false);
  });

  it('compares in the objective direction when maximizing', () => {
    const tuner = hyperbandTuner('Maximize');
    Array.from({ length: 17 }, () => tuner.ask()!);
    const brackets = bracketsOf(tuner);
    const aggressive = Object.keys(brackets).filter((id) => brackets[id] === 0).map(Number);
    expect([0.5, 0.3, 0.7].map((value, i) => tuner.report(aggressive[i]!, 1, value))).toEqual([false, true, false]);
  });
});
