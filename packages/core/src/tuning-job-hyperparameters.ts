import { describeValue } from './describe-value.js';
import type { SpecIssue } from './errors.js';
import { closestName, type FieldTable, type HyperparameterField } from './hyperparameters/fields.js';
import { SUPERVISED_HYPERPARAMETERS } from './hyperparameters/supervised.js';
import { WORD2VEC_HYPERPARAMETERS, WORD2VEC_MODES } from './hyperparameters/word2vec.js';
import { formatPath } from './training-job-fields.js';
import type { TunedRange } from './tuning-job-fields.js';

// The rules BlazingText adds to a tuning job: every static and tuned hyperparameter is one of the mode's, every value a
// range can take is valid for it, and the objective is a metric the mode emits.

export type BlazingTextFamily = 'word2vec' | 'supervised';

const FAMILY_FIELDS: Record<BlazingTextFamily, FieldTable> = { word2vec: WORD2VEC_HYPERPARAMETERS, supervised: SUPERVISED_HYPERPARAMETERS };
const ALL_MODES = [...WORD2VEC_MODES, 'supervised'].join(', ');

/** The metrics a BlazingText trial reports, by family. */
export const BLAZINGTEXT_METRICS: Record<BlazingTextFamily, readonly string[]> = {
  word2vec: ['train:mean_rho'],
  supervised: ['validation:accuracy', 'train:loss'],
};

function familyOf(mode: string): BlazingTextFamily | undefined {
  const trimmed = mode.trim();
  if (trimmed === 'supervised') return 'supervised';
  return (WORD2VEC_MODES as readonly string[]).includes(trimmed) ? 'word2vec' : undefined;
}

const staticPath = (name: string) => formatPath(['trainingJobDefinition', 'hyperParameters', name]);

/** A value between the bounds that is not an integer, to tell whether a continuous range suits the hyperparameter. */
const inside = (min: number, max: number) => min + (max - min) * 0.381966011250105;

function valueReason(name: string, field: HyperparameterField<unknown>, value: unknown): string | undefined {
  if (field.schema.safeParse(typeof value === 'number' ? String(value) : value).success) return undefined;
  return `expected ${field.expected} (the valid values of ${name}), got ${describeValue(value)}`;
}

export interface BlazingTextHyperparameterCheck {
  /** Unknown when `mode` is missing or not a BlazingText mode; no other rule is then checked. */
  family?: BlazingTextFamily;
  issues: SpecIssue[];
}

/**
 * Checks each static hyperparameter (string values only: the training job spec reports the others) and each range on
 * its own against the schema of the mode's family. Rules that span hyperparameters (min_char <= max_char) are left to
 * the training job spec, which checks a representative trial. `brokenRangeNames` names the ranges that did not parse
 * (they are in no rule here).
 */
export function checkBlazingTextHyperparameters(
  statics: Readonly<Record<string, unknown>>,
  tuned: readonly TunedRange[],
  brokenRangeNames: ReadonlySet<string>,
): BlazingTextHyperparameterCheck {
  const issues: SpecIssue[] = [];
  const staticMode = Object.hasOwn(statics, 'mode') ? statics.mode : undefined;
  const tunedMode = tuned.find((t) => t.range.name === 'mode');
  let family: BlazingTextFamily | undefined;
  if (typeof staticMode === 'string') {
    family = familyOf(staticMode);
    if (family === undefined) issues.push({ path: staticPath('mode'), reason: `expected one of ${ALL_MODES}, got ${describeValue(staticMode)}` });
  } else if (staticMode !== undefined) {
    return { issues };
  } else if (tunedMode?.kind === 'categorical') {
    family = familyOf(tunedMode.range.values[0]!);
    if (family === undefined) issues.push({ path: `${tunedMode.path}.values[0]`, reason: `expected one of ${ALL_MODES}, got ${describeValue(tunedMode.range.values[0])}` });
  } else if (tunedMode !== undefined) {
    issues.push({ path: tunedMode.path, reason: `expected a categorical range: mode is one of ${ALL_MODES}` });
  } else if (!brokenRangeNames.has('mode')) {
    issues.push({ path: staticPath('mode'), reason: `required: expected one of ${ALL_MODES}, as a static hyperparameter or a categorical range` });
  }
  if (family === undefined) return { issues };

  const fields = FAMILY_FIELDS[family];
  const names = Object.keys(fields);
  const fieldOf = (name: string) => (Object.hasOwn(fields, name) ? fields[name] : undefined);
  const unknownReason = (name: string) => {
    const nearest = closestName(name, names);
    return `unknown ${family} hyperparameter of blazingtext${nearest === undefined ? ` (known: ${names.join(', ')})` : `; did you mean ${nearest}?`}`;
  };

  for (const [name, value] of Object.entries(statics)) {
    const field = fieldOf(name);
    if (field === undefined) issues.push({ path: staticPath(name), reason: unknownReason(name) });
    else if (name !== 'mode' && typeof value === 'string') {
      const reason = valueReason(name, field, value);
      if (reason !== undefined) issues.push({ path: staticPath(name), reason });
    }
  }

  for (const t of tuned) {
    const field = fieldOf(t.range.name);
    if (field === undefined) {
      issues.push({ path: `${t.path}.name`, reason: unknownReason(t.range.name) });
    } else if (t.kind === 'categorical') {
      t.range.values.forEach((value, index) => {
        let reason = valueReason(t.range.name, field, value);
        // The family's schema accepts only its own modes.
        if (reason !== undefined && t.range.name === 'mode') reason = `expected a mode of the same family as values[0] (${field.expected}), got ${describeValue(value)}`;
        if (reason !== undefined) issues.push({ path: `${t.path}.values[${index}]`, reason });
      });
    } else {
      const { name, minValue, maxValue } = t.range;
      const minReason = valueReason(name, field, minValue);
      const maxReason = valueReason(name, field, maxValue);
      if (minReason !== undefined) issues.push({ path: `${t.path}.minValue`, reason: minReason });
      if (maxReason !== undefined) issues.push({ path: `${t.path}.maxValue`, reason: maxReason });
      if (t.kind === 'continuous' && minReason === undefined && maxReason === undefined && valueReason(name, field, inside(minValue, maxValue)) !== undefined) {
        issues.push({ path: t.path, reason: `expected an integer or categorical range: ${name} takes ${field.expected}, not fractional values` });
      }
    }
  }
  return { family, issues };
}

/**
 * The objective must be a metric the family emits; train:mean_rho needs the evaluation on, validation:accuracy a
 * validation channel. `channels` are the definition's channel names, when it has a readable inputDataConfig.
 */
export function blazingTextObjectiveIssues(
  metricName: string,
  family: BlazingTextFamily | undefined,
  statics: Readonly<Record<string, unknown>>,
  tuned: readonly TunedRange[],
  channels: readonly string[] | undefined,
): SpecIssue[] {
  const allowed = family === undefined ? [...BLAZINGTEXT_METRICS.word2vec, ...BLAZINGTEXT_METRICS.supervised] : BLAZINGTEXT_METRICS[family];
  if (!allowed.includes(metricName)) {
    const emits = family === undefined ? 'blazingtext emits' : `blazingtext emits in ${family === 'word2vec' ? 'its word2vec modes' : 'supervised mode'}`;
    return [{ path: 'objective.metricName', reason: `expected a metric that ${emits} (${allowed.join(', ')}), got ${describeValue(metricName)}` }];
  }
  const issues: SpecIssue[] = [];
  if (metricName === 'train:mean_rho') {
    const evaluation = WORD2VEC_HYPERPARAMETERS.evaluation.schema;
    const off = (value: unknown) => evaluation.safeParse(value).data === false;
    const reason = (value: unknown) => `expected true (or no value): the objective train:mean_rho is the result of the evaluation, got ${describeValue(value)}`;
    if (Object.hasOwn(statics, 'evaluation') && off(statics.evaluation)) issues.push({ path: staticPath('evaluation'), reason: reason(statics.evaluation) });
    for (const t of tuned) {
      if (t.range.name !== 'evaluation') continue;
      if (t.kind === 'categorical') t.range.values.forEach((value, i) => off(value) && issues.push({ path: `${t.path}.values[${i}]`, reason: reason(value) }));
      else if (off(String(t.range.minValue))) issues.push({ path: `${t.path}.minValue`, reason: reason(t.range.minValue) });
    }
  }
  if (metricName === 'validation:accuracy' && channels !== undefined && !channels.includes('validation')) {
    issues.push({ path: 'trainingJobDefinition.inputDataConfig', reason: 'expected a channel named validation (the objective validation:accuracy is measured on it)' });
  }
  return issues;
}
