import { describe, expect, it } from 'vitest';
import { TunerConfigError } from './errors.js';
import { CategoricalParameter, ContinuousParameter, IntegerParameter, type ParameterRange } from './parameters.js';
import { Tuner } from './tuner.js';
import type { TunerConfig } from './config.js';

const base: TunerConfig = { parameterRanges: { lr: ContinuousParameter(0.01, 0.1) }, objective: 'Maximize', maxTrials: 5, seed: 1 };

function rejection(config: unknown): TunerConfigError {
  try {
    new Tuner(config as TunerConfig);
  } catch (e) {
    if (e instanceof TunerConfigError) return e;
    throw e;
  }
  throw new Error('config accepted');
}

describe('tuner config validation', () => {
  it.each<[string, ParameterRange, string, RegExp]>([
    ['Logarithmic with min 0', ContinuousParameter(0, 1, 'Logarithmic'), 'parameterRanges.learning_rate', /min > 0 for Logarithmic/],
    ['Logarithmic with a negative integer min', IntegerParameter(-3, 10, 'Logarithmic'), 'parameterRanges.learning_rate', /min > 0 for Logarithmic/],
    ['ReverseLogarithmic with max 1', ContinuousParameter(0.5, 1, 'ReverseLogarithmic'), 'parameterRanges.learning_rate', /max < 1 for ReverseLogarithmic/],
    ['ReverseLogarithmic with a negative min', ContinuousParameter(-0.5, 0.5, 'ReverseLogarithmic'), 'parameterRanges.learning_rate', /0 <= min/],
    ['ReverseLogarithmic on integers', IntegerParameter(0, 0, 'ReverseLogarithmic'), 'parameterRanges.learning_rate.scalingType', /only on a Continuous range/],
    ['min above max', ContinuousParameter(0.5, 0.1), 'parameterRanges.learning_rate', /min < max/],
    ['an empty continuous range', ContinuousParameter(0.5, 0.5), 'parameterRanges.learning_rate', /min < max/],
    ['integer min above max', IntegerParameter(5, 4), 'parameterRanges.learning_rate', /min <= max/],
    ['a fractional integer bound', IntegerParameter(1.5, 4), 'parameterRanges.learning_rate.min', /an integer/],
    ['a non-finite bound', ContinuousParameter(0, Infinity), 'parameterRanges.learning_rate.max', /a finite number/],
    ['an unknown scaling type', ContinuousParameter(0, 1, 'Exponential' as never), 'parameterRanges.learning_rate.scalingType', /Auto \| Linear/],
    ['an empty categorical', CategoricalParameter([]), 'parameterRanges.learning_rate.values', /non-empty/],
    ['repeated categorical values', CategoricalParameter(['a', 'a']), 'parameterRanges.learning_rate.values', /distinct/],
    ['an unknown range type', { type: 'Float', min: 0, max: 1 } as never, 'parameterRanges.learning_rate.type', /'Integer' \| 'Continuous' \| 'Categorical'/],
  ])('rejects %s, naming the parameter', (_, range, field, message) => {
    const error = rejection({ ...base, parameterRanges: { learning_rate: range } });
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('learning_rate');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown field', { maxTrial: 5 }, 'maxTrial'],
    ['no objective', { objective: undefined }, 'objective'],
    ['both objective and objectives', { objectives: [{ name: 'a', type: 'Maximize' }] }, 'objective'],
    ['an unknown strategy', { strategy: 'Anneal' }, 'strategy'],
    ['a missing maxTrials', { maxTrials: undefined }, 'maxTrials'],
    ['a zero maxTrials', { maxTrials: 0 }, 'maxTrials'],
    ['a negative seed', { seed: -1 }, 'seed'],
    ['a static that is also tuned', { staticHyperParameters: { lr: 0.1 } }, 'staticHyperParameters.lr'],
    ['a continuous range with Grid', { strategy: 'Grid' }, 'parameterRanges.lr'],
    ['Hyperband without its config', { strategy: 'Hyperband' }, 'strategyConfig.hyperbandStrategyConfig'],
    ['Hyperband with maxResource below minResource', { strategy: 'Hyperband', strategyConfig: { hyperbandStrategyConfig: { minResource: 5, maxResource: 3 } } }, 'strategyConfig.hyperbandStrategyConfig.maxResource'],
    ['Hyperband resource named like a static', { strategy: 'Hyperband', staticHyperParameters: { epochs: 5 }, strategyConfig: { hyperbandStrategyConfig: { minResource: 1, maxResource: 9 } } }, 'strategyConfig.hyperbandStrategyConfig.resourceName'],
    ['Hyperband with early stopping', { strategy: 'Hyperband', earlyStopping: { type: 'Auto' }, strategyConfig: { hyperbandStrategyConfig: { minResource: 1, maxResource: 9 } } }, 'earlyStopping.type'],
    ['early stopping with several objectives', { objective: undefined, objectives: [{ name: 'a', type: 'Maximize' }, { name: 'b', type: 'Minimize' }], earlyStopping: { type: 'Auto' } }, 'earlyStopping.type'],
    ['convergence with Random', { strategy: 'Random', completionCriteria: { convergenceDetected: { completeOnConvergence: 'Enabled' } } }, 'completionCriteria.convergenceDetected'],
    ['fewer than 3 trials not improving', { completionCriteria: { bestObjectiveNotImproving: { maxNumberOfTrainingJobsNotImproving: 2 } } }, 'completionCriteria.bestObjectiveNotImproving.maxNumberOfTrainingJobsNotImproving'],
    ['a non-finite target', { completionCriteria: { targetObjectiveMetricValue: Number.NaN } }, 'completionCriteria.targetObjectiveMetricValue'],
    ['an unknown warm start type', { warmStart: { type: 'Identical', parentTrials: [] } }, 'warmStart.type'],
    ['a parent trial without value', { warmStart: { type: 'TransferLearning', parentTrials: [{ params: { lr: 0.1 } }] } }, 'warmStart.parentTrials[0].value'],
    ['duplicate objective names', { objective: undefined, objectives: [{ name: 'a', type: 'Maximize' }, { name: 'a', type: 'Minimize' }] }, 'objectives[1].name'],
  ])('rejects %s', (_, change, field) => {
    expect(rejection({ ...base, ...change }).field).toBe(field);
  });

  it('rejects more than 30 parameter ranges, as SageMaker does', () => {
    const ranges = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`p${i}`, ContinuousParameter(0, 1)]));
    expect(rejection({ ...base, parameterRanges: ranges }).field).toBe('parameterRanges');
  });

  it('defaults maxTrials to the grid size for Grid', () => {
    const tuner = new Tuner({ parameterRanges: { a: IntegerParameter(1, 3), b: CategoricalParameter(['x', 'y']) }, objective: 'Minimize', strategy: 'Grid' });
    let count = 0;
    for (let s = tuner.ask(); s; s = tuner.ask()) tuner.tell(s.trialId, count++);
    expect(count).toBe(6);
  });
});
