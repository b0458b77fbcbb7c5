import type { ObjectiveSpec, ParentTrial, StaticValue, WarmStartConfig } from './config.js';
import type { ParameterRange, ParamValue, Params } from './parameters.js';
import type { SearchSpace } from './search-space.js';
import type { Observation } from './strategies/strategy.js';

export interface WarmStartResult {
  readonly observations: Observation[];
  /** Parent trials that could not be mapped into this search space. */
  readonly dropped: number;
}

/**
 * Maps parent trials into this job's search space. Numeric strings count as numbers (SageMaker passes
 * hyperparameters as strings) and categorical values match by their string form.
 * - IdenticalDataAndAlgorithm: a parent is used as it is when every tuned parameter is present and inside its range
 *   and no static hyperparameter it lists differs from this job's; otherwise it is dropped.
 * - TransferLearning: numeric values outside a range are clipped to it (integers rounded); a numeric parameter the
 *   parent lacks takes the centre of its scaled range; a categorical value not in the list, or missing, drops the
 *   parent; static hyperparameters may differ.
 */
export function mapParentTrials(
  warmStart: WarmStartConfig,
  space: SearchSpace,
  statics: Readonly<Record<string, StaticValue>>,
  objectives: readonly ObjectiveSpec[],
): WarmStartResult {
  const transfer = warmStart.type === 'TransferLearning';
  const observations: Observation[] = [];
  for (const parent of warmStart.parentTrials) {
    const params = transfer ? transferParams(parent, space) : identicalParams(parent, space, statics);
    if (params !== undefined) observations.push({ params, losses: parentLosses(parent, objectives) });
  }
  return { observations, dropped: warmStart.parentTrials.length - observations.length };
}

function identicalParams(parent: ParentTrial, space: SearchSpace, statics: Readonly<Record<string, StaticValue>>): Params | undefined {
  for (const [name, value] of Object.entries(statics)) {
    if (name in parent.params && String(parent.params[name]) !== String(value)) return undefined;
  }
  const params: Params = {};
  for (const name of space.names) {
    const value = coerce(space.ranges[name]!, parent.params[name]);
    if (value === undefined) return undefined;
    params[name] = value;
  }
  return space.contains(params) ? params : undefined;
}

function transferParams(parent: ParentTrial, space: SearchSpace): Params | undefined {
  const params: Params = {};
  const centre = space.decode(new Float64Array(space.dimensions).fill(0.5));
  for (const name of space.names) {
    const range = space.ranges[name]!;
    const raw = parent.params[name];
    if (raw === undefined) {
      if (range.type === 'Categorical') return undefined;
      params[name] = centre[name]!;
      continue;
    }
    const value = coerce(range, raw);
    if (value === undefined) return undefined;
    params[name] = range.type === 'Categorical' ? value : clip(range.type === 'Integer' ? Math.round(value as number) : (value as number), range.min, range.max);
  }
  return params;
}

/** The value in the range's own type, or undefined when it has none (a non-numeric string, an unlisted category). */
function coerce(range: ParameterRange, raw: StaticValue | undefined): ParamValue | undefined {
  if (raw === undefined) return undefined;
  if (range.type === 'Categorical') return range.values.find((v) => String(v) === String(raw));
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function clip(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}

function parentLosses(parent: ParentTrial, objectives: readonly ObjectiveSpec[]): number[] {
  return objectives.map((o) => {
    const value = objectives.length === 1 ? parent.value! : parent.values![o.name]!;
    return o.type === 'Minimize' ? value : -value;
  });
}
