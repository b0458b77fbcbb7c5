import { z } from 'zod';
import { describeValue } from './describe-value.js';
import { closedObject, expecting, integer, text, uniqueBy } from './training-job-fields.js';
import type {
  TuningCategoricalRange,
  TuningContinuousRange,
  TuningIntegerRange,
  TuningJobSpec,
  TuningParameterRanges,
  TuningResourceLimits,
} from './tuning-job.js';

// The zod schema of each top-level field of a tuning job spec but its training job definition, with error messages of
// the form "expected <what>, got <value>". Rules that span fields live in tuning-job.ts.

/** SageMaker's limits: tuned hyperparameters per tuning job, training jobs per tuning job, parallel training jobs. */
export const MAX_PARAMETER_RANGES = 30;
export const MAX_TRAINING_JOBS = 750;
const MAX_PARALLEL_TRAINING_JOBS = 100;

/** Trials are named `<tuning job>-<3-digit index>-<short id>`, so the tuning job's name is shorter than a training job's. */
export const TUNING_JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/;
export const TUNING_JOB_NAME_RULE = '1 to 32 letters, digits or hyphens, beginning and ending with a letter or digit';
const NAME_RULE = expecting(TUNING_JOB_NAME_RULE);
const tuningJobName = z.string(NAME_RULE).max(32, { ...NAME_RULE, abort: true }).regex(TUNING_JOB_NAME, NAME_RULE);

const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A number, or a string of one as SageMaker writes range bounds ("0.005"); NaN for anything else. */
export function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && DECIMAL.test(value) ? Number(value) : Number.NaN;
}

function bound(integerOnly: boolean) {
  const rule = expecting(integerOnly ? 'an integer (a number, or a string such as "5")' : 'a finite number (a number, or a string such as "0.05")');
  const toNumber = (value: unknown) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value);
  return z.preprocess(toNumber, integerOnly ? z.int(rule) : z.number(rule));
}

const rangeName = text('a hyperparameter name of 1 to 256 characters', 1, 256).refine((name) => name !== '__proto__', {
  message: 'expected a hyperparameter name other than "__proto__"',
});

function numericRange(integerOnly: boolean) {
  const scalingType = integerOnly
    ? z.enum(['Auto', 'Linear', 'Logarithmic'], expecting('Auto, Linear or Logarithmic (ReverseLogarithmic is for continuous ranges only)'))
    : z.enum(['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic'], expecting('Auto, Linear, Logarithmic or ReverseLogarithmic'));
  const what = `${integerOnly ? 'an integer' : 'a continuous'} parameter range { name, minValue, maxValue, scalingType? }`;
  return closedObject({ name: rangeName, minValue: bound(integerOnly), maxValue: bound(integerOnly), scalingType: scalingType.default('Auto') }, what).superRefine(
    ({ minValue, maxValue, scalingType }: { minValue: number; maxValue: number; scalingType: string }, ctx) => {
      const problem = (field: 'minValue' | 'maxValue', expected: string, input: number) =>
        ctx.addIssue({ code: 'custom', path: [field], message: `expected ${expected}, got ${input}`, input });
      if (integerOnly ? maxValue < minValue : maxValue <= minValue) {
        problem('maxValue', `a number ${integerOnly ? 'at least' : 'greater than'} minValue (${minValue})`, maxValue);
      }
      if (scalingType === 'Logarithmic' && !(minValue > 0)) problem('minValue', 'a number > 0 with Logarithmic scaling', minValue);
      if (scalingType === 'ReverseLogarithmic') {
        if (!(minValue >= 0)) problem('minValue', 'a number >= 0 with ReverseLogarithmic scaling', minValue);
        if (!(maxValue < 1)) problem('maxValue', 'a number < 1 with ReverseLogarithmic scaling', maxValue);
      }
    },
  );
}

const VALUES_RULE = expecting('an array of 1 to 30 values');
const categoricalRange = closedObject(
  {
    name: rangeName,
    values: z
      .array(
        // SageMaker passes every value as a string; a YAML `5` or `true` means the same.
        z.preprocess(
          (value) => ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' ? String(value) : value),
          text('a string (or number) of at most 256 characters', 0, 256),
        ),
        VALUES_RULE,
      )
      .min(1, VALUES_RULE)
      .max(30, VALUES_RULE)
      .superRefine((values, ctx) => {
        values.forEach((value, index) => {
          const first = values.indexOf(value);
          if (first < index) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate value ${describeValue(value)} (also at index ${first})`, input: value });
        });
      }),
  },
  'a categorical parameter range { name, values }',
);

export type RangeKind = 'integer' | 'continuous' | 'categorical';
const RANGE_LISTS = { integer: 'integerParameterRanges', continuous: 'continuousParameterRanges', categorical: 'categoricalParameterRanges' } as const;

/** One range of a parsed spec, with the path errors name it by (`parameterRanges.integerParameterRanges[1]`). */
export type TunedRange =
  | { readonly kind: 'integer'; readonly path: string; readonly range: TuningIntegerRange }
  | { readonly kind: 'continuous'; readonly path: string; readonly range: TuningContinuousRange }
  | { readonly kind: 'categorical'; readonly path: string; readonly range: TuningCategoricalRange };

export function listTunedRanges(ranges: TuningParameterRanges): TunedRange[] {
  const list = (kind: RangeKind) => ranges[RANGE_LISTS[kind]].map((range, index) => ({ kind, path: `parameterRanges.${RANGE_LISTS[kind]}[${index}]`, range }));
  return [...list('integer'), ...list('continuous'), ...list('categorical')] as TunedRange[];
}

/** The value a range takes in the trial at its lowest corner: its minValue, or its first value, as a trial gets it. */
export function lowestTrialValue(tuned: TunedRange): { value: string; path: string } {
  return tuned.kind === 'categorical'
    ? { value: tuned.range.values[0]!, path: `${tuned.path}.values[0]` }
    : { value: String(tuned.range.minValue), path: `${tuned.path}.minValue` };
}

const RANGE_SCHEMAS = { integer: numericRange(true), continuous: numericRange(false), categorical: categoricalRange };

/**
 * The ranges of a parameterRanges value that did not parse, each range that is valid on its own, and the name of every
 * range: the checks of the other fields go on with these.
 */
export function validRangesOf(raw: unknown): { tuned: TunedRange[]; names: Set<string> } {
  const tuned: TunedRange[] = [];
  const names = new Set<string>();
  if (typeof raw !== 'object' || raw === null) return { tuned, names };
  for (const kind of ['integer', 'continuous', 'categorical'] as const) {
    const list: unknown = (raw as Record<string, unknown>)[RANGE_LISTS[kind]];
    if (!Array.isArray(list)) continue;
    list.forEach((item: unknown, index) => {
      const name: unknown = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).name : undefined;
      if (typeof name === 'string') names.add(name);
      const result = RANGE_SCHEMAS[kind].safeParse(item);
      if (result.success) tuned.push({ kind, path: `parameterRanges.${RANGE_LISTS[kind]}[${index}]`, range: result.data } as TunedRange);
    });
  }
  return { tuned, names };
}

const parameterRanges = closedObject(
  {
    integerParameterRanges: z.array(RANGE_SCHEMAS.integer, expecting('an array of integer parameter ranges')).default([]),
    continuousParameterRanges: z.array(RANGE_SCHEMAS.continuous, expecting('an array of continuous parameter ranges')).default([]),
    categoricalParameterRanges: z.array(RANGE_SCHEMAS.categorical, expecting('an array of categorical parameter ranges')).default([]),
  },
  'parameter ranges { integerParameterRanges?, continuousParameterRanges?, categoricalParameterRanges? }',
).superRefine((ranges, ctx) => {
  const tuned = listTunedRanges(ranges as TuningParameterRanges);
  if (tuned.length === 0 || tuned.length > MAX_PARAMETER_RANGES) {
    ctx.addIssue({ code: 'custom', message: `expected 1 to ${MAX_PARAMETER_RANGES} parameter ranges in all, got ${tuned.length}`, input: ranges });
  }
  const seen = new Map<string, string>();
  for (const { kind, path, range } of tuned) {
    const first = seen.get(range.name);
    if (first === undefined) seen.set(range.name, path);
    else {
      const index = Number(/\[(\d+)\]$/.exec(path)![1]);
      const message = `duplicate hyperparameter name ${describeValue(range.name)} (also at ${first})`;
      ctx.addIssue({ code: 'custom', path: [RANGE_LISTS[kind], index, 'name'], message, input: range.name });
    }
  }
});

const hyperbandStrategyConfig = closedObject(
  { minResource: integer(1, Number.MAX_SAFE_INTEGER), maxResource: integer(1, Number.MAX_SAFE_INTEGER) },
  'a Hyperband config { minResource, maxResource }',
).superRefine(({ minResource, maxResource }, ctx) => {
  if (maxResource <= minResource) {
    ctx.addIssue({ code: 'custom', path: ['maxResource'], message: `expected an integer greater than minResource (${minResource}), got ${maxResource}`, input: maxResource });
  }
});

export const TUNING_FIELDS = {
  name: tuningJobName,
  strategy: z.enum(['Bayesian', 'Random', 'Grid', 'Hyperband', 'Sobol'], expecting('Bayesian, Random, Grid, Hyperband or Sobol')).default('Bayesian'),
  strategyConfig: closedObject({ hyperbandStrategyConfig: hyperbandStrategyConfig.optional() }, 'a strategy config { hyperbandStrategyConfig? }').optional(),
  objective: closedObject(
    {
      type: z.enum(['Maximize', 'Minimize'], expecting('Maximize or Minimize')),
      metricName: text('a metric name of 1 to 255 characters', 1, 255),
    },
    'an objective { type, metricName }',
  ),
  parameterRanges,
  resourceLimits: closedObject(
    {
      maxNumberOfTrainingJobs: integer(1, MAX_TRAINING_JOBS).optional(),
      maxParallelTrainingJobs: integer(1, MAX_PARALLEL_TRAINING_JOBS).default(1),
      maxRuntimeInSeconds: integer(120, 15_552_000).optional(),
    },
    'resource limits { maxNumberOfTrainingJobs, maxParallelTrainingJobs?, maxRuntimeInSeconds? }',
  ).default({ maxParallelTrainingJobs: 1 }) as z.ZodType<Partial<TuningResourceLimits>>,
  trainingJobEarlyStoppingType: z.enum(['Off', 'Auto'], expecting('Off or Auto')).default('Off'),
  completionCriteria: closedObject(
    {
      targetObjectiveMetricValue: z.number(expecting('a finite number')).optional(),
      bestObjectiveNotImproving: closedObject(
        { maxNumberOfTrainingJobsNotImproving: integer(3, Number.MAX_SAFE_INTEGER) },
        'a criterion { maxNumberOfTrainingJobsNotImproving }',
      ).optional(),
      convergenceDetected: closedObject(
        { completeOnConvergence: z.enum(['Enabled', 'Disabled'], expecting('Enabled or Disabled')) },
        'a criterion { completeOnConvergence }',
      ).optional(),
    },
    'completion criteria { targetObjectiveMetricValue?, bestObjectiveNotImproving?, convergenceDetected? }',
  ).optional(),
  warmStartConfig: closedObject(
    {
      parentHyperParameterTuningJobs: z
        .array(closedObject({ hyperParameterTuningJobName: tuningJobName }, 'a parent { hyperParameterTuningJobName }'), expecting('an array of 1 to 5 parents'))
        .min(1, expecting('an array of 1 to 5 parents'))
        .max(5, expecting('an array of 1 to 5 parents'))
        .superRefine(uniqueBy('hyperParameterTuningJobName', 'parent tuning job')),
      warmStartType: z.enum(['IdenticalDataAndAlgorithm', 'TransferLearning'], expecting('IdenticalDataAndAlgorithm or TransferLearning')),
    },
    'a warm start config { parentHyperParameterTuningJobs, warmStartType }',
  ).optional(),
  randomSeed: integer(0, Number.MAX_SAFE_INTEGER).optional(),
} satisfies { [K in Exclude<keyof TuningJobSpec, 'trainingJobDefinition'>]-?: z.ZodType<Partial<TuningJobSpec[K]>> };

export const TUNING_FIELD_NAMES: readonly string[] = [...Object.keys(TUNING_FIELDS), 'trainingJobDefinition'];
