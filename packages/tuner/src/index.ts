export { Tuner, type Suggestion, type Trial, type TrialOutcome, type TrialStatus, type TunerState } from './tuner.js';
export {
  CategoricalParameter,
  ContinuousParameter,
  IntegerParameter,
  type CategoricalParameterRange,
  type ContinuousParameterRange,
  type IntegerParameterRange,
  type ParameterRange,
  type Params,
  type ParamValue,
  type ScalingType,
} from './parameters.js';
export type {
  CompletionCriteria,
  HyperbandStrategyConfig,
  ObjectiveSpec,
  ObjectiveType,
  ParentTrial,
  StaticValue,
  StrategyName,
  TunerConfig,
  WarmStartConfig,
} from './config.js';
export type { CompletionReason, CompletionStatus } from './completion.js';
export { TrialStateError, TunerConfigError, TunerError, TunerStateError } from './errors.js';
