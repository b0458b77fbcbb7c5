import { describe, expect, it } from 'vitest';
import { ContinuousParameter } from './parameters.js';
import { Tuner } from './tuner.js';
import type { TunerConfig } from './config.js';
import type { BayesianState } from './strategies/bayesian.js';

const base: TunerConfig = { parameterRanges: { x: ContinuousParameter(0, 1) }, objective: 'Minimize', strategy: 'Random', maxTrials: 50, seed: 2 };

/** Tells the values in order, checking after each whether the tuner is complete. */
function completionAfterEach(tuner: Tuner, values: number[]): (string | undefined)[] {
  return values.map((v) => {
    const s = tuner.ask();
    if (!s) return 'no trial';
    tuner.tell(s.trialId, v);
    return tuner.isComplete().reason;
  });
}

describe('completion criteria', () => {
  it('ends when a trial reaches the target, in the objective direction', () => {
    const max = new Tuner({ ...base, objective: 'Maximize', completionCriteria: { targetObjectiveMetricValue: 0.9 } });
    expect(completionAfterEach(max, [0.5, 0.89, 0.91])).toEqual([undefined, undefined, 'TargetObjectiveReached']);
    expect(max.ask()).toBeUndefined();
    const min = new Tuner({ ...base, completionCriteria: { targetObjectiveMetricValue: 0.1 } });
    expect(completionAfterEach(min, [0.5, 0.1])).toEqual([undefined, 'TargetObjectiveReached']);
  });

  it('ends after maxNumberOfTrainingJobsNotImproving trials in a row without a new best', () => {
    const tuner = new Tuner({ ...base, completionCriteria: { bestObjectiveNotImproving: { maxNumberOfTrainingJobsNotImproving: 3 } } });
    expect(completionAfterEach(tuner, [5, 4, 4.5, 4, 3.9, 4.2, 4.1])).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(completionAfterEach(tuner, [4.0])).toEqual(['BestObjectiveNotImproving']);
  });

  it('counts identical-data parents as the best to beat, transfer-learning parents not', () => {
    const parentTrials = [{ params: { x: 0.5 }, value: 1 }];
    const criteria = { bestObjectiveNotImproving: { maxNumberOfTrainingJobsNotImproving: 3 } };
    const identical = new Tuner({ ...base, completionCriteria: criteria, warmStart: { type: 'IdenticalDataAndAlgorithm', parentTrials } });
    expect(completionAfterEach(identical, [2, 3, 4])).toEqual([undefined, undefined, 'BestObjectiveNotImproving']);
    const transfer = new Tuner({ ...base, completionCriteria: criteria, warmStart: { type: 'TransferLearning', parentTrials } });
    expect(completionAfterEach(transfer, [2, 3, 4, 5])).toEqual([undefined, undefined, undefined, 'BestObjectiveNotImproving']);
  });

  it('ends a Bayesian search when expected improvement stays negligible', () => {
    const tuner = new Tuner({ ...base, strategy: 'Bayesian', maxTrials: 60, completionCriteria: { convergenceDetected: { completeOnConvergence: 'Enabled' } } });
    let count = 0;
    for (let s = tuner.ask(); s; s = tuner.ask(), count++) tuner.tell(s.trialId, ((s.params.x as number) - 0.3) ** 2);
    expect(tuner.isComplete()).toEqual({ complete: true, reason: 'ConvergenceDetected' });
    expect(count).toBeLessThan(60);
    expect((tuner.toJSON().strategy as BayesianState).lowImprovementStreak).toBe(5);
  });

  it('does not end on convergence unless asked to', () => {
    const tuner = new Tuner({ ...base, strategy: 'Bayesian', maxTrials: 30 });
    for (let s = tuner.ask(); s; s = tuner.ask()) tuner.tell(s.trialId, ((s.params.x as number) - 0.3) ** 2);
    expect(tuner.isComplete().reason).toBe('MaxTrials');
    expect((tuner.toJSON().strategy as BayesianState).lowImprovementStreak).toBeGreaterThanOrEqual(5);
  });
});
