import { TunerConfigError } from './errors.js';
import { SCALING_TYPES, type ParameterRange } from './parameters.js';

export type ObjectiveType = 'Maximize' | 'Minimize';
export type StrategyName = 'Random' | 'Grid' | 'Sobol' | 'Bayesian' | 'Hyperband';
export type StaticValue = string | number | boolean;

export interface ObjectiveSpec {
  readonly name: string;
  readonly type: ObjectiveType;
}

export interface HyperbandStrategyConfig {
  /** Epochs (or other resource units) before a trial can first be stopped, ≥ 1. */
  readonly minResource: number;
  /** Epochs every trial is given (its `resourceName` parameter); trials are stopped at rungs below it. */
  readonly maxResource: number;
  /** Name of the parameter carrying the resource, 'epochs' by default. */
  readonly resourceName?: string;
}

export interface CompletionCriteria {
  readonly targetObjectiveMetricValue?: number;
  readonly bestObjectiveNotImproving?: { readonly maxNumberOfTrainingJobsNotImproving: number };
  readonly convergenceDetected?: { readonly completeOnConvergence: 'Enabled' | 'Disabled' };
}

/** A trial of an earlier tuning job: the hyperparameters it ran with and its final objective value(s). */
export interface ParentTrial {
  readonly params: Readonly<Record<string, StaticValue>>;
  readonly value?: number;
  readonly values?: Readonly<Record<string, number>>;
}

export interface WarmStartConfig {
  readonly type: 'IdenticalDataAndAlgorithm' | 'TransferLearning';
  readonly parentTrials: readonly ParentTrial[];
}

export interface TunerConfig {
  readonly parameterRanges: Readonly<Record<string, ParameterRange>>;
  readonly staticHyperParameters?: Readonly<Record<string, StaticValue>>;
  /** Single objective; exactly one of `objective` and `objectives`. */
  readonly objective?: ObjectiveType;
  /** Several objectives: trials are told `{ values: { [name]: number } }` and `paretoFront()` answers. */
  readonly objectives?: readonly ObjectiveSpec[];
  readonly strategy?: StrategyName;
  readonly strategyConfig?: {
    readonly hyperbandStrategyConfig?: HyperbandStrategyConfig;
    readonly bayesianStrategyConfig?: { readonly initialTrials?: number };
  };
  /** Trials to run in all (failed ones count). Optional for Grid, where it defaults to the grid's size. */
  readonly maxTrials?: number;
  readonly seed?: number;
  readonly earlyStopping?: { readonly type: 'Off' | 'Auto'; readonly minCompletedTrials?: number };
  readonly completionCriteria?: CompletionCriteria;
  readonly warmStart?: WarmStartConfig;
}

/** The config with every default filled in. */
export interface ResolvedConfig {
  readonly parameterRanges: Readonly<Record<string, ParameterRange>>;
  readonly staticHyperParameters: Readonly<Record<string, StaticValue>>;
  readonly objectives: readonly ObjectiveSpec[];
  readonly multiObjective: boolean;
  readonly strategy: StrategyName;
  readonly hyperband?: Required<HyperbandStrategyConfig>;
  readonly initialTrials: number;
  readonly maxTrials: number;
  readonly seed: number;
  readonly earlyStopping: { readonly type: 'Off' | 'Auto'; readonly minCompletedTrials: number };
  readonly targetObjectiveMetricValue?: number;
  readonly maxTrialsNotImproving?: number;
  readonly completeOnConvergence: boolean;
  readonly warmStart?: WarmStartConfig;
}

/** SageMaker's limit on tuned hyperparameters per tuning job. */
export const MAX_PARAMETER_RANGES = 30;
const TOP_LEVEL = ['parameterRanges', 'staticHyperParameters', 'objective', 'objectives', 'strategy', 'strategyConfig', 'maxTrials', 'seed', 'earlyStopping', 'completionCriteria', 'warmStart'];
const STRATEGIES: readonly StrategyName[] = ['Random', 'Grid', 'Sobol', 'Bayesian', 'Hyperband'];
const OBJECTIVE_TYPES: readonly ObjectiveType[] = ['Maximize', 'Minimize'];

export function resolveConfig(config: TunerConfig, defaultSeed: () => number): ResolvedConfig {
  const c = object<TunerConfig>(config, 'config');
  for (const key of Object.keys(c)) if (!TOP_LEVEL.includes(key)) fail(key, `one of ${TOP_LEVEL.join(', ')}`, undefined);
  const ranges = object(c.parameterRanges, 'parameterRanges') as Record<string, ParameterRange>;
  const names = Object.keys(ranges);
  if (names.length === 0 || names.length > MAX_PARAMETER_RANGES) fail('parameterRanges', `1 to ${MAX_PARAMETER_RANGES} parameter ranges`, names.length);
  for (const name of names) validateRange(name, ranges[name]);
  const statics = object(c.staticHyperParameters ?? {}, 'staticHyperParameters') as Record<string, StaticValue>;
  for (const [name, v] of Object.entries(statics)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) fail(`staticHyperParameters.${name}`, 'a string, number or boolean', v);
    if (name in ranges) fail(`staticHyperParameters.${name}`, 'a name that is not also a parameter range', name);
  }

  const objectives = resolveObjectives(c);
  const multiObjective = objectives.length > 1;
  const strategy = c.strategy ?? 'Bayesian';
  if (!STRATEGIES.includes(strategy)) fail('strategy', STRATEGIES.join(' | '), strategy);
  const strategyConfig = object<NonNullable<TunerConfig['strategyConfig']>>(c.strategyConfig ?? {}, 'strategyConfig');
  const hyperband = strategy === 'Hyperband' ? resolveHyperband(strategyConfig.hyperbandStrategyConfig, ranges, statics, multiObjective) : undefined;
  const bayesian = object(strategyConfig.bayesianStrategyConfig ?? {}, 'strategyConfig.bayesianStrategyConfig') as { initialTrials?: number };
  const initialTrials = bayesian.initialTrials ?? Math.min(10, Math.max(5, names.length + 2));
  integer('strategyConfig.bayesianStrategyConfig.initialTrials', initialTrials, 2);

  let gridSize = Infinity;
  if (strategy === 'Grid') {
    gridSize = 1;
    for (const name of names) {
      const r = ranges[name]!;
      if (r.type === 'Continuous') fail(`parameterRanges.${name}`, 'an Integer or Categorical range: Grid needs every range to be discrete', r);
      gridSize *= r.type === 'Categorical' ? r.values.length : r.max - r.min + 1;
    }
  }
  const maxTrials = c.maxTrials ?? (strategy === 'Grid' ? Math.min(gridSize, Number.MAX_SAFE_INTEGER) : fail('maxTrials', 'a positive integer (required unless strategy is Grid)', undefined));
  integer('maxTrials', maxTrials, 1);
  const seed = c.seed ?? defaultSeed();
  if (!Number.isSafeInteger(seed) || seed < 0) fail('seed', 'a non-negative safe integer', seed);

  const stopping = object<NonNullable<TunerConfig['earlyStopping']>>(c.earlyStopping ?? { type: 'Off' }, 'earlyStopping');
  if (stopping.type !== 'Off' && stopping.type !== 'Auto') fail('earlyStopping.type', "'Off' | 'Auto'", stopping.type);
  const minCompletedTrials = stopping.minCompletedTrials ?? 3;
  integer('earlyStopping.minCompletedTrials', minCompletedTrials, 1);
  if (stopping.type === 'Auto' && strategy === 'Hyperband') fail('earlyStopping.type', "'Off' with strategy Hyperband, which stops trials itself", 'Auto');
  if (stopping.type === 'Auto' && multiObjective) fail('earlyStopping.type', "'Off' with several objectives", 'Auto');

  const criteria = object<CompletionCriteria>(c.completionCriteria ?? {}, 'completionCriteria');
  const target = criteria.targetObjectiveMetricValue;
  if (target !== undefined && (typeof target !== 'number' || !Number.isFinite(target))) fail('completionCriteria.targetObjectiveMetricValue', 'a finite number', target);
  const notImproving = criteria.bestObjectiveNotImproving?.maxNumberOfTrainingJobsNotImproving;
  if (criteria.bestObjectiveNotImproving !== undefined) integer('completionCriteria.bestObjectiveNotImproving.maxNumberOfTrainingJobsNotImproving', notImproving, 3);
  const convergence = criteria.convergenceDetected?.completeOnConvergence ?? 'Disabled';
  if (convergence !== 'Enabled' && convergence !== 'Disabled') fail('completionCriteria.convergenceDetected.completeOnConvergence', "'Enabled' | 'Disabled'", convergence);
  if (convergence === 'Enabled' && strategy !== 'Bayesian') fail('completionCriteria.convergenceDetected', 'strategy Bayesian (only its model can tell convergence)', strategy);
  if (multiObjective && (target !== undefined || notImproving !== undefined || convergence === 'Enabled')) {
    fail('completionCriteria', 'no criterion with several objectives (each needs a single best value)', criteria);
  }

  const warmStart = c.warmStart === undefined ? undefined : resolveWarmStart(c.warmStart, objectives);
  return {
    parameterRanges: ranges,
    staticHyperParameters: statics,
    objectives,
    multiObjective,
    strategy,
    ...(hyperband ? { hyperband } : {}),
    initialTrials,
    maxTrials,
    seed,
    earlyStopping: { type: stopping.type, minCompletedTrials },
    ...(target !== undefined ? { targetObjectiveMetricValue: target } : {}),
    ...(notImproving !== undefined ? { maxTrialsNotImproving: notImproving } : {}),
    completeOnConvergence: convergence === 'Enabled',
    ...(warmStart ? { warmStart } : {}),
  };
}

function validateRange(name: string, range: unknown): void {
  const field = `parameterRanges.${name}`;
  const r = object<ParameterRange>(range, field);
  if (r.type === 'Categorical') {
    const values = r.values as unknown;
    if (!Array.isArray(values) || values.length === 0) fail(`${field}.values`, 'a non-empty array', values);
    for (const v of values as unknown[]) {
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) fail(`${field}.values`, 'strings or finite numbers', v);
    }
    if (new Set(values as unknown[]).size !== (values as unknown[]).length) fail(`${field}.values`, 'distinct values', values);
    return;
  }
  if (r.type !== 'Integer' && r.type !== 'Continuous') fail(`${field}.type`, "'Integer' | 'Continuous' | 'Categorical'", (r as { type?: unknown }).type);
  const { min, max, scalingType } = r;
  const isInt = r.type === 'Integer';
  for (const [key, v] of [['min', min], ['max', max]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || (isInt && !Number.isInteger(v))) fail(`${field}.${key}`, isInt ? 'an integer' : 'a finite number', v);
  }
  if (isInt ? min > max : min >= max) fail(field, isInt ? 'min <= max' : 'min < max', { min, max });
  if (!SCALING_TYPES.includes(scalingType)) fail(`${field}.scalingType`, SCALING_TYPES.join(' | '), scalingType);
  if (scalingType === 'Logarithmic' && !(min > 0)) fail(field, 'min > 0 for Logarithmic scaling', { min, max });
  if (scalingType === 'ReverseLogarithmic') {
    if (isInt) fail(`${field}.scalingType`, 'ReverseLogarithmic only on a Continuous range', scalingType);
    if (!(min >= 0 && max < 1)) fail(field, '0 <= min and max < 1 for ReverseLogarithmic scaling', { min, max });
  }
}

function resolveObjectives(c: TunerConfig): ObjectiveSpec[] {
  if ((c.objective === undefined) === (c.objectives === undefined)) fail('objective', "exactly one of 'objective' and 'objectives'", undefined);
  if (c.objective !== undefined) {
    if (!OBJECTIVE_TYPES.includes(c.objective)) fail('objective', "'Maximize' | 'Minimize'", c.objective);
    return [{ name: 'objective', type: c.objective }];
  }
  const list = c.objectives as unknown;
  if (!Array.isArray(list) || list.length === 0) fail('objectives', 'a non-empty array of { name, type }', list);
  const seen = new Set<string>();
  return (list as ObjectiveSpec[]).map((o, i) => {
    const spec = object<ObjectiveSpec>(o, `objectives[${i}]`);
    if (typeof spec.name !== 'string' || spec.name === '' || seen.has(spec.name)) fail(`objectives[${i}].name`, 'a distinct non-empty name', spec.name);
    if (!OBJECTIVE_TYPES.includes(spec.type)) fail(`objectives[${i}].type`, "'Maximize' | 'Minimize'", spec.type);
    seen.add(spec.name);
    return { name: spec.name, type: spec.type };
  });
}

function resolveHyperband(
  hb: HyperbandStrategyConfig | undefined,
  ranges: Record<string, ParameterRange>,
  statics: Record<string, StaticValue>,
  multiObjective: boolean,
): Required<HyperbandStrategyConfig> {
  const field = 'strategyConfig.hyperbandStrategyConfig';
  const config = object<HyperbandStrategyConfig>(hb, field);
  integer(`${field}.minResource`, config.minResource, 1);
  integer(`${field}.maxResource`, config.maxResource, config.minResource);
  const resourceName = config.resourceName ?? 'epochs';
  if (typeof resourceName !== 'string' || resourceName === '') fail(`${field}.resourceName`, 'a non-empty string', resourceName);
  if (resourceName in ranges || resourceName in statics) {
    fail(`${field}.resourceName`, `a name that is neither a parameter range nor a static hyperparameter (Hyperband sets '${resourceName}')`, resourceName);
  }
  if (multiObjective) fail('strategy', 'a single objective with Hyperband', 'Hyperband');
  return { minResource: config.minResource, maxResource: config.maxResource, resourceName };
}

function resolveWarmStart(ws: WarmStartConfig, objectives: readonly ObjectiveSpec[]): WarmStartConfig {
  const w = object<WarmStartConfig>(ws, 'warmStart');
  if (w.type !== 'IdenticalDataAndAlgorithm' && w.type !== 'TransferLearning') fail('warmStart.type', "'IdenticalDataAndAlgorithm' | 'TransferLearning'", w.type);
  if (!Array.isArray(w.parentTrials)) fail('warmStart.parentTrials', 'an array of { params, value } (or { params, values })', w.parentTrials);
  w.parentTrials.forEach((t, i) => {
    const field = `warmStart.parentTrials[${i}]`;
    object(object(t, field).params, `${field}.params`);
    if (objectives.length === 1) {
      if (typeof t.value !== 'number' || !Number.isFinite(t.value)) fail(`${field}.value`, 'a finite number', t.value);
    } else {
      const values = object(t.values, `${field}.values`) as Record<string, unknown>;
      for (const o of objectives) {
        const v = values[o.name];
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${field}.values.${o.name}`, 'a finite number', v);
      }
    }
  });
  return { type: w.type, parentTrials: w.parentTrials };
}

function object<T = Record<string, unknown>>(v: unknown, field: string): T {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'an object', v);
  return v as T;
}

function integer(field: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(field, `an integer >= ${min}`, v);
}

function fail(field: string, expected: string, received: unknown): never {
  throw new TunerConfigError(field, expected, received);
}

