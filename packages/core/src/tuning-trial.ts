import { describeValue } from './describe-value.js';
import { TrainingJobSpecError, type SpecIssue } from './errors.js';
import { parseTrainingJobSpec, type TrainingJobSpec } from './training-job.js';
import { formatPath } from './training-job-fields.js';
import { HYPERBAND_RESOURCE, type TuningJobSpec } from './tuning-job.js';
import { TUNING_JOB_NAME, TUNING_JOB_NAME_RULE, listTunedRanges, numberOf, type TunedRange } from './tuning-job-fields.js';

// A tuning job's trials: their training job names and their training job specs.

const SHORT_ID = /^[a-z0-9]+$/;

/**
 * The training job name of a tuning job's trial, as SageMaker names them: `<tuning job>-<index, 3 digits>-<short id>`
 * (`w2v-tuning-007-4d0a8f62`). Throws RangeError for an index outside [1, 999], a short id that is not lowercase
 * letters and digits, or a name over the 63 characters of a training job name.
 */
export function trialJobName(tuningJobName: string, index: number, shortId: string): string {
  if (tuningJobName.length > 32 || !TUNING_JOB_NAME.test(tuningJobName)) {
    throw new RangeError(`tuning job name: expected ${TUNING_JOB_NAME_RULE}, got ${describeValue(tuningJobName)}`);
  }
  if (!Number.isInteger(index) || index < 1 || index > 999) throw new RangeError(`trial index: expected an integer in [1, 999], got ${index}`);
  if (!SHORT_ID.test(shortId)) throw new RangeError(`trial short id: expected lowercase letters and digits, got ${describeValue(shortId)}`);
  const name = `${tuningJobName}-${String(index).padStart(3, '0')}-${shortId}`;
  if (name.length > 63) {
    throw new RangeError(`trial name ${describeValue(name)}: expected at most 63 characters, got ${name.length}; shorten the short id to ${63 - name.length + shortId.length}`);
  }
  return name;
}

/** What a tuned hyperparameter may be, for error messages. */
function rangeRule(t: TunedRange): string {
  if (t.kind === 'categorical') return `one of ${t.range.values.map((v) => describeValue(v)).join(', ')}`;
  return `${t.kind === 'integer' ? 'an integer' : 'a number'} in [${t.range.minValue}, ${t.range.maxValue}]`;
}

/** The value as the trial gets it (a string; integers without decimals), or undefined when the range cannot take it. */
function trialValue(t: TunedRange, value: string | number): string | undefined {
  if (t.kind === 'categorical') return t.range.values.includes(String(value)) ? String(value) : undefined;
  const n = numberOf(value);
  if (!(n >= t.range.minValue && n <= t.range.maxValue) || (t.kind === 'integer' && !Number.isInteger(n))) return undefined;
  return String(n);
}

/**
 * The training job spec of one trial: the definition named `trialName`, with the static hyperparameters and the tuned
 * ones (numbers formatted as SageMaker passes them: `"17"`, `"0.0123"`). Every range must have a value inside it and
 * no other name may be given, except `epochs` with Hyperband (maxResource when left out). Throws
 * TrainingJobSpecError, naming `hyperParameters.<name>`, for a missing, unknown or out-of-range value, and for a trial
 * the training job spec refuses (a rule between hyperparameters, a bad name).
 */
export function trainingJobSpecForTrial(tuning: TuningJobSpec, trialName: string, tunedHyperParameters: Readonly<Record<string, string | number>>): TrainingJobSpec {
  const issues: SpecIssue[] = [];
  const ranges = new Map(listTunedRanges(tuning.parameterRanges).map((t) => [t.range.name, t]));
  const hyperband = tuning.strategy === 'Hyperband' ? tuning.strategyConfig?.hyperbandStrategyConfig : undefined;
  const tuned = new Map<string, string>();
  for (const [name, value] of Object.entries(tunedHyperParameters)) {
    const path = formatPath(['hyperParameters', name]);
    const range = ranges.get(name);
    if (range !== undefined) {
      const formatted = trialValue(range, value);
      if (formatted === undefined) issues.push({ path, reason: `expected ${rangeRule(range)} (${range.path}), got ${describeValue(value)}` });
      else tuned.set(name, formatted);
    } else if (hyperband !== undefined && name === HYPERBAND_RESOURCE) {
      const epochs = numberOf(value);
      if (Number.isInteger(epochs) && epochs >= 1 && epochs <= hyperband.maxResource) tuned.set(name, String(epochs));
      else issues.push({ path, reason: `expected an integer in [1, ${hyperband.maxResource}] (Hyperband's maxResource), got ${describeValue(value)}` });
    } else {
      issues.push({ path, reason: `expected no value: ${describeValue(name)} is not a tuned hyperparameter of tuning job ${tuning.name}` });
    }
  }
  for (const [name, range] of ranges) {
    if (!tuned.has(name) && !issues.some((issue) => issue.path === formatPath(['hyperParameters', name]))) {
      issues.push({ path: formatPath(['hyperParameters', name]), reason: `required: expected ${rangeRule(range)} (${range.path})` });
    }
  }
  if (hyperband !== undefined && !tuned.has(HYPERBAND_RESOURCE)) tuned.set(HYPERBAND_RESOURCE, String(hyperband.maxResource));
  const [first, ...rest] = issues;
  if (first !== undefined) throw new TrainingJobSpecError([first, ...rest]);
  const hyperParameters = Object.fromEntries([...Object.entries(tuning.trainingJobDefinition.hyperParameters), ...tuned]);
  return parseTrainingJobSpec({ ...tuning.trainingJobDefinition, name: trialName, hyperParameters });
}
