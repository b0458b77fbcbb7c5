import { describeValue } from './describe-value.js';
import { TrainingJobSpecError, TuningJobSpecError, type SpecIssue } from './errors.js';
import { readSpecText } from './spec-text.js';
import { parseTrainingJobSpec, type TrainingJobSpec } from './training-job.js';
import { FIELD_NAMES as TRAINING_FIELD_NAMES, formatPath, isObject, parseWith, sortByField, unknownFieldReason } from './training-job-fields.js';
import { blazingTextObjectiveIssues, checkBlazingTextHyperparameters, type BlazingTextHyperparameterCheck } from './tuning-job-hyperparameters.js';
import {
  MAX_TRAINING_JOBS,
  TUNING_FIELDS,
  TUNING_FIELD_NAMES,
  listTunedRanges,
  lowestTrialValue,
  validRangesOf,
  type TunedRange,
} from './tuning-job-fields.js';

export type TuningStrategy = 'Bayesian' | 'Random' | 'Grid' | 'Hyperband' | 'Sobol';
export type TuningScalingType = 'Auto' | 'Linear' | 'Logarithmic' | 'ReverseLogarithmic';

/** Integers from minValue to maxValue, both included. */
export interface TuningIntegerRange {
  name: string;
  minValue: number;
  maxValue: number;
  scalingType: Exclude<TuningScalingType, 'ReverseLogarithmic'>;
}

/** Reals from minValue to maxValue. */
export interface TuningContinuousRange {
  name: string;
  minValue: number;
  maxValue: number;
  scalingType: TuningScalingType;
}

/** One of `values`, passed to the trial as it is written. */
export interface TuningCategoricalRange {
  name: string;
  values: string[];
}

export interface TuningParameterRanges {
  integerParameterRanges: TuningIntegerRange[];
  continuousParameterRanges: TuningContinuousRange[];
  categoricalParameterRanges: TuningCategoricalRange[];
}

export interface TuningObjective {
  type: 'Maximize' | 'Minimize';
  /** A metric the training job emits: its algorithm's, or one of its metricDefinitions. */
  metricName: string;
}

export interface TuningStrategyConfig {
  /** Epochs before a trial can first be stopped, and epochs every trial is given. */
  hyperbandStrategyConfig?: { minResource: number; maxResource: number };
}

export interface TuningResourceLimits {
  maxNumberOfTrainingJobs: number;
  maxParallelTrainingJobs: number;
  maxRuntimeInSeconds?: number;
}

export interface TuningCompletionCriteria {
  targetObjectiveMetricValue?: number;
  bestObjectiveNotImproving?: { maxNumberOfTrainingJobsNotImproving: number };
  convergenceDetected?: { completeOnConvergence: 'Enabled' | 'Disabled' };
}

export interface TuningWarmStartConfig {
  parentHyperParameterTuningJobs: { hyperParameterTuningJobName: string }[];
  warmStartType: 'IdenticalDataAndAlgorithm' | 'TransferLearning';
}

/** The training job every trial runs, less its name; its `hyperParameters` are the static ones. */
export type TuningJobDefinition = Omit<TrainingJobSpec, 'name'>;

/** A hyperparameter tuning job: SageMaker's CreateHyperParameterTuningJob request in camelCase, every default filled in. */
export interface TuningJobSpec {
  name: string;
  strategy: TuningStrategy;
  strategyConfig?: TuningStrategyConfig;
  objective: TuningObjective;
  parameterRanges: TuningParameterRanges;
  resourceLimits: TuningResourceLimits;
  trainingJobEarlyStoppingType: 'Off' | 'Auto';
  completionCriteria?: TuningCompletionCriteria;
  warmStartConfig?: TuningWarmStartConfig;
  randomSeed?: number;
  trainingJobDefinition: TuningJobDefinition;
}

/** The hyperparameter Hyperband sets in every trial, to maxResource. */
export const HYPERBAND_RESOURCE = 'epochs';
/** Any valid training job name: the definition is checked as a training job spec under it. */
const PLACEHOLDER_NAME = 'trial';
const DEFINITION_FIELD_NAMES = TRAINING_FIELD_NAMES.filter((field) => field !== 'name');
const DEFINITION_RULE = 'a training job definition (a training job spec without name)';
const LOWEST_TRIAL_NOTE = ' (in the trial with each tuned hyperparameter at its minValue or first value)';

/**
 * The parsed ranges; when parameterRanges has problems, those valid on their own and the names of all (`complete`
 * false), so that the rules of the other fields are still checked.
 */
interface Ranges {
  tuned: TunedRange[];
  names: ReadonlySet<string>;
  complete: boolean;
}

/** A hyperparameter every trial gets that the definition does not hold: a tuned one at its lowest, Hyperband's epochs. */
interface TrialValue {
  name: string;
  value: string;
  /** Where a problem with the value is reported. */
  path: string;
  note: string;
}

/** Points of the grid of integer and categorical ranges (the caller reports continuous ones). */
function gridSize(tuned: readonly TunedRange[]): number {
  let size = 1;
  for (const t of tuned) size *= t.kind === 'categorical' ? t.range.values.length : t.kind === 'integer' ? t.range.maxValue - t.range.minValue + 1 : 1;
  return size;
}

/** maxNumberOfTrainingJobs is required but with Grid, where it defaults to the grid's size: filled in here. */
function fillMaxTrainingJobs(spec: Partial<TuningJobSpec>, { tuned, complete }: Ranges): SpecIssue[] {
  const limits = spec.resourceLimits;
  if (limits === undefined || limits.maxNumberOfTrainingJobs !== undefined || spec.strategy === undefined) return [];
  const path = 'resourceLimits.maxNumberOfTrainingJobs';
  if (spec.strategy !== 'Grid') return [{ path, reason: `required: expected an integer in [1, ${MAX_TRAINING_JOBS}] (required unless strategy is Grid)` }];
  if (!complete || tuned.some((t) => t.kind === 'continuous')) return [];
  const size = gridSize(tuned);
  if (size <= MAX_TRAINING_JOBS) {
    const { maxNumberOfTrainingJobs: _, ...rest } = limits;
    spec.resourceLimits = { maxNumberOfTrainingJobs: size, ...rest };
    return [];
  }
  const points = Number.isSafeInteger(size) ? `${size} points` : 'over 2^53 points';
  return [{ path, reason: `required: the grid of these ranges has ${points}, more than the ${MAX_TRAINING_JOBS} training jobs a tuning job may run` }];
}

/** The rules between the strategy, the ranges, the limits and the criteria. */
function strategyIssues(spec: Partial<TuningJobSpec>, rawRanges: unknown, tuned: readonly TunedRange[], parsed: ReadonlySet<string>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const { strategy } = spec;
  const hyperband = spec.strategyConfig?.hyperbandStrategyConfig;
  const continuous = isObject(rawRanges) ? rawRanges.continuousParameterRanges : undefined;
  if (strategy === 'Grid' && Array.isArray(continuous)) {
    const reason = 'expected no continuous range with strategy Grid, which searches integer and categorical ranges only';
    continuous.forEach((_, index) => issues.push({ path: `parameterRanges.continuousParameterRanges[${index}]`, reason }));
  }
  if (strategy === 'Hyperband') {
    if (hyperband === undefined && parsed.has('strategyConfig')) {
      issues.push({ path: 'strategyConfig.hyperbandStrategyConfig', reason: 'required with strategy Hyperband: expected { minResource, maxResource }' });
    }
    const resource = tuned.find((t) => t.range.name === HYPERBAND_RESOURCE);
    if (resource !== undefined) {
      issues.push({ path: `${resource.path}.name`, reason: `expected a hyperparameter other than ${HYPERBAND_RESOURCE} with strategy Hyperband, which gives every trial ${HYPERBAND_RESOURCE} = maxResource` });
    }
    if (spec.trainingJobEarlyStoppingType === 'Auto') {
      issues.push({ path: 'trainingJobEarlyStoppingType', reason: 'expected Off with strategy Hyperband, which stops trials itself, got "Auto"' });
    }
  } else if (hyperband !== undefined && strategy !== undefined) {
    issues.push({ path: 'strategyConfig.hyperbandStrategyConfig', reason: `expected no Hyperband config with strategy ${strategy}` });
  }
  if (spec.completionCriteria?.convergenceDetected?.completeOnConvergence === 'Enabled' && strategy !== undefined && strategy !== 'Bayesian') {
    const reason = `expected Disabled with strategy ${strategy}: only Bayesian's model can tell convergence`;
    issues.push({ path: 'completionCriteria.convergenceDetected.completeOnConvergence', reason });
  }
  spec.warmStartConfig?.parentHyperParameterTuningJobs.forEach((parent, index) => {
    if (parent.hyperParameterTuningJobName === spec.name) {
      const reason = `expected a tuning job other than this one, got ${describeValue(spec.name)}`;
      issues.push({ path: `warmStartConfig.parentHyperParameterTuningJobs[${index}].hyperParameterTuningJobName`, reason });
    }
  });
  return issues;
}

/** Fields a training job spec has but a definition does not (its name), and those neither has. */
function unknownDefinitionFields(raw: Record<string, unknown>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const key of Object.keys(raw)) {
    if ((DEFINITION_FIELD_NAMES as string[]).includes(key)) continue;
    const reason =
      key === 'name'
        ? 'unknown field: trials are named <tuning job name>-<index>-<id>'
        : key === 'staticHyperParameters'
          ? 'unknown field: static hyperparameters go in hyperParameters'
          : unknownFieldReason(key, DEFINITION_FIELD_NAMES);
    issues.push({ path: formatPath(['trainingJobDefinition', key]), reason });
  }
  return issues;
}

/**
 * The hyperparameters the representative trial adds to the static ones: each range at its minValue or first value, and
 * Hyperband's epochs. A name that is also static is a problem, pushed to `issues`.
 */
function trialValues(spec: Partial<TuningJobSpec>, tuned: readonly TunedRange[], statics: Record<string, unknown> | undefined, issues: SpecIssue[]): TrialValue[] {
  const trial: TrialValue[] = [];
  const isStatic = (name: string) => statics !== undefined && Object.hasOwn(statics, name);
  for (const t of tuned) {
    const name = t.range.name;
    if (isStatic(name)) {
      issues.push({ path: `${t.path}.name`, reason: `expected a hyperparameter that is not also static, got ${describeValue(name)} (also in trainingJobDefinition.hyperParameters)` });
    }
    trial.push({ name, ...lowestTrialValue(t), note: LOWEST_TRIAL_NOTE });
  }
  if (spec.strategy === 'Hyperband' && isStatic(HYPERBAND_RESOURCE)) {
    const reason = `expected no static ${HYPERBAND_RESOURCE} with strategy Hyperband, which gives every trial ${HYPERBAND_RESOURCE} = maxResource`;
    issues.push({ path: formatPath(['trainingJobDefinition', 'hyperParameters', HYPERBAND_RESOURCE]), reason });
  }
  const hyperband = spec.strategy === 'Hyperband' ? spec.strategyConfig?.hyperbandStrategyConfig : undefined;
  if (hyperband !== undefined) {
    const note = ` (Hyperband gives every trial ${HYPERBAND_RESOURCE} = maxResource)`;
    trial.push({ name: HYPERBAND_RESOURCE, value: String(hyperband.maxResource), path: 'strategyConfig.hyperbandStrategyConfig.maxResource', note });
  }
  return trial;
}

/**
 * The objective must be a metric the trial emits: BlazingText's of the mode's family, or one of the container's metric
 * definitions.
 */
function objectiveIssues(
  raw: Record<string, unknown>,
  metricName: string,
  statics: Record<string, unknown>,
  tuned: readonly TunedRange[],
  check: BlazingTextHyperparameterCheck | undefined,
): SpecIssue[] {
  if (check !== undefined) {
    const channels = Array.isArray(raw.inputDataConfig) ? raw.inputDataConfig.map((c: unknown) => (isObject(c) ? c.channelName : undefined)) : undefined;
    return blazingTextObjectiveIssues(metricName, check.family, statics, tuned, channels?.filter((name): name is string => typeof name === 'string'));
  }
  if (!isObject(raw.algorithm) || !Array.isArray(raw.algorithm.metricDefinitions)) return [];
  const metrics = raw.algorithm.metricDefinitions.flatMap((d: unknown) => (isObject(d) && typeof d.name === 'string' ? [d.name] : []));
  if (metrics.includes(metricName)) return [];
  const reason =
    metrics.length === 0
      ? `expected a metric of trainingJobDefinition.algorithm.metricDefinitions, which defines none, got ${describeValue(metricName)}`
      : `expected the name of a metric in trainingJobDefinition.algorithm.metricDefinitions (${metrics.join(', ')}), got ${describeValue(metricName)}`;
  return [{ path: 'objective.metricName', reason }];
}

/**
 * Checks the definition as a training job spec whose hyperparameters are the static ones plus those of a representative
 * trial (each range at its minValue or first value), and returns it with the static ones only. Problems are reported at
 * `trainingJobDefinition.<path>`, or at the range whose value caused them.
 */
function parseDefinition(raw: unknown, spec: Partial<TuningJobSpec>, { tuned, names, complete }: Ranges, issues: SpecIssue[]): TuningJobDefinition | undefined {
  if (!isObject(raw)) {
    issues.push({ path: 'trainingJobDefinition', reason: raw === undefined ? `required: expected ${DEFINITION_RULE}` : `expected ${DEFINITION_RULE}, got ${describeValue(raw)}` });
    return undefined;
  }
  const own = unknownDefinitionFields(raw);
  const unknownPaths = new Set(Object.keys(raw).filter((key) => !(DEFINITION_FIELD_NAMES as string[]).includes(key)).map((key) => formatPath([key])));
  const statics = raw.hyperParameters === undefined ? {} : isObject(raw.hyperParameters) ? raw.hyperParameters : undefined;
  const blazingText = raw.algorithm === 'blazingtext';
  if (raw.algorithm === 'blazingtext-transform') {
    own.push({ path: 'trainingJobDefinition.algorithm', reason: 'expected "blazingtext" or a container, got "blazingtext-transform": a batch transform has no objective metric to tune' });
  }
  const before = own.length;
  const trial = trialValues(spec, tuned, statics, own);
  // BlazingText's hyperparameters are checked one by one here; the training job spec then checks the rules between
  // them on the representative trial, once every one is valid on its own.
  const check = blazingText && statics !== undefined ? checkBlazingTextHyperparameters(statics, tuned, names) : undefined;
  if (check !== undefined) own.push(...check.issues);
  const representative = !blazingText || (check?.family !== undefined && own.length === before && complete);

  const trialPaths = new Map(trial.map((v) => [formatPath(['hyperParameters', v.name]), v]));
  const staticKinds = new Map(Object.entries(statics ?? {}).map(([name, value]) => [formatPath(['hyperParameters', name]), typeof value]));
  const hyperParameters = statics === undefined ? raw.hyperParameters : Object.fromEntries([...Object.entries(statics), ...trial.map((v) => [v.name, v.value])]);
  let definition: TuningJobDefinition | undefined;
  try {
    const { name: _, ...parsed } = parseTrainingJobSpec({ ...raw, name: PLACEHOLDER_NAME, hyperParameters });
    const trialNames = new Set(trial.map((v) => v.name));
    definition = { ...parsed, hyperParameters: Object.fromEntries(Object.entries(parsed.hyperParameters).filter(([name]) => !trialNames.has(name))) };
  } catch (error) {
    if (!(error instanceof TrainingJobSpecError)) throw error;
    for (const issue of error.issues) {
      if (unknownPaths.has(issue.path)) continue; // reported above
      const onHyperparameter = issue.path.startsWith('hyperParameters.') || issue.path.startsWith('hyperParameters[');
      // Without the representative trial, BlazingText's schema problems are those checked above; a static value that
      // is not a string is the training job spec's to report.
      const kind = staticKinds.get(issue.path);
      if (onHyperparameter && !representative && (kind === undefined || kind === 'string')) continue;
      const value = trialPaths.get(issue.path);
      if (value !== undefined) own.push({ path: value.path, reason: `${issue.reason}${value.note}` });
      else {
        const note = onHyperparameter && blazingText && trial.length > 0 ? LOWEST_TRIAL_NOTE : '';
        own.push({ path: issue.path === '' ? 'trainingJobDefinition' : `trainingJobDefinition.${issue.path}`, reason: `${issue.reason}${note}` });
      }
    }
  }
  if (blazingText) own.push(...multiInstanceModeIssues(raw, tuned));
  if (spec.objective !== undefined && (check !== undefined || !blazingText)) {
    own.push(...objectiveIssues(raw, spec.objective.metricName, statics ?? {}, tuned, check));
  }
  issues.push(...own);
  return own.length === 0 ? definition : undefined;
}

/** A BlazingText definition on several instances whose trials may get a mode other than batch_skipgram. */
function multiInstanceModeIssues(raw: Record<string, unknown>, tuned: TunedRange[]): SpecIssue[] {
  const count = isObject(raw.resourceConfig) ? raw.resourceConfig.instanceCount : undefined;
  if (typeof count !== 'number' || count <= 1) return [];
  const mode = tuned.find((range) => range.kind === 'categorical' && range.range.name === 'mode');
  if (mode?.kind !== 'categorical') return [];
  const others = mode.range.values.filter((value) => value !== 'batch_skipgram');
  if (others.length === 0) return [];
  return [{ path: mode.path, reason: `expected only batch_skipgram with trainingJobDefinition.resourceConfig.instanceCount ${count} (BlazingText trains the other modes on one instance), got ${others.join(', ')}` }];
}

function checkTuningSpec(value: unknown, source: string | undefined): TuningJobSpec {
  if (!isObject(value)) {
    throw new TuningJobSpecError([{ path: '', reason: `expected a tuning job spec object, got ${describeValue(value)}` }], source);
  }
  const issues: SpecIssue[] = [];
  for (const key of Object.keys(value)) {
    if (!TUNING_FIELD_NAMES.includes(key)) issues.push({ path: formatPath([key]), reason: unknownFieldReason(key, TUNING_FIELD_NAMES) });
  }
  const spec: Record<string, unknown> = {};
  const parsed = new Set<string>();
  for (const [field, schema] of Object.entries(TUNING_FIELDS)) {
    const before = issues.length;
    const result = parseWith(schema, [field], value[field], issues);
    if (issues.length === before) parsed.add(field);
    if (result !== undefined) spec[field] = result;
  }
  const partial = spec as Partial<TuningJobSpec>;
  const ranges: Ranges =
    partial.parameterRanges === undefined
      ? { ...validRangesOf(value.parameterRanges), complete: false }
      : { tuned: listTunedRanges(partial.parameterRanges), names: new Set(), complete: true };
  issues.push(...strategyIssues(partial, value.parameterRanges, ranges.tuned, parsed), ...fillMaxTrainingJobs(partial, ranges));
  const definition = parseDefinition(value.trainingJobDefinition, partial, ranges, issues);
  const [first, ...rest] = sortByField(issues, TUNING_FIELD_NAMES);
  if (first !== undefined) throw new TuningJobSpecError([first, ...rest], source);
  return { ...spec, trainingJobDefinition: definition } as TuningJobSpec;
}

/**
 * Validates a tuning job spec (e.g. parsed JSON) and fills in every default. Throws TuningJobSpecError listing every
 * problem found, each with the path of its field (`parameterRanges.continuousParameterRanges[0].maxValue`); those of the
 * training job definition are the training job spec's, under `trainingJobDefinition.`.
 */
export function parseTuningJobSpec(value: unknown): TuningJobSpec {
  return checkTuningSpec(value, undefined);
}

/**
 * Reads a tuning job spec from JSON text, or YAML when the text is not JSON, then validates it as parseTuningJobSpec
 * does. `sourceName` (usually the file name) begins every error message; syntax errors carry their line and column.
 */
export function parseTuningJobSpecText(text: string, sourceName: string): TuningJobSpec {
  return checkTuningSpec(readSpecText(text, sourceName, TuningJobSpecError), sourceName);
}
