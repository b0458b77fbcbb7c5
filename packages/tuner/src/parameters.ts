/** SageMaker's scaling types; `Auto` is linear here (SageMaker leaves the choice to itself, we keep it predictable). */
export type ScalingType = 'Auto' | 'Linear' | 'Logarithmic' | 'ReverseLogarithmic';
export const SCALING_TYPES: readonly ScalingType[] = ['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic'];

export type ParamValue = number | string;
export type Params = Record<string, ParamValue>;

export interface IntegerParameterRange {
  readonly type: 'Integer';
  readonly min: number;
  readonly max: number;
  readonly scalingType: ScalingType;
}

export interface ContinuousParameterRange {
  readonly type: 'Continuous';
  readonly min: number;
  readonly max: number;
  readonly scalingType: ScalingType;
}

export interface CategoricalParameterRange {
  readonly type: 'Categorical';
  readonly values: readonly ParamValue[];
}

export type ParameterRange = IntegerParameterRange | ContinuousParameterRange | CategoricalParameterRange;

/** Integers from min to max inclusive; validated, with the parameter's name, when the tuner is created. */
export function IntegerParameter(min: number, max: number, scalingType: ScalingType = 'Auto'): IntegerParameterRange {
  return { type: 'Integer', min, max, scalingType };
}

/** Reals from min to max inclusive; validated, with the parameter's name, when the tuner is created. */
export function ContinuousParameter(min: number, max: number, scalingType: ScalingType = 'Auto'): ContinuousParameterRange {
  return { type: 'Continuous', min, max, scalingType };
}

/** One of the listed values. */
export function CategoricalParameter(values: readonly ParamValue[]): CategoricalParameterRange {
  return { type: 'Categorical', values: [...values] };
}
