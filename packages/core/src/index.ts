export * from './errors.js';
export * from './events.js';
export * from './hyperparameters/word2vec.js';
export * from './hyperparameters/supervised.js';
export * from './hyperparameters/transform.js';
export type { HyperparameterField } from './hyperparameters/fields.js';
export {
  INSTANCE_TYPES,
  billableSeconds,
  cost,
  describeInstanceType,
  hostName,
  hourlyPrice,
  instancePool,
  parsePriceTable,
  type InstancePool,
  type InstanceTypeInfo,
  type PriceTable,
} from './instance-types.js';
export {
  parseTrainingJobSpec,
  parseTrainingJobSpecText,
  type Channel,
  type CheckpointConfig,
  type CompressionType,
  type ContainerAlgorithm,
  type MetricDefinition,
  type ResourceConfig,
  type RetryStrategy,
  type S3DataDistributionType,
  type StoppingCondition,
  type Tag,
  type TrainingAlgorithm,
  type TrainingJobSpec,
} from './training-job.js';
export {
  parseTuningJobSpec,
  parseTuningJobSpecText,
  type TuningCategoricalRange,
  type TuningCompletionCriteria,
  type TuningContinuousRange,
  type TuningIntegerRange,
  type TuningJobDefinition,
  type TuningJobSpec,
  type TuningObjective,
  type TuningParameterRanges,
  type TuningResourceLimits,
  type TuningScalingType,
  type TuningStrategy,
  type TuningStrategyConfig,
  type TuningWarmStartConfig,
} from './tuning-job.js';
export { trainingJobSpecForTrial, trialJobName } from './tuning-trial.js';
export { describeValue } from './describe-value.js';
export { expecting, formatPath } from './training-job-fields.js';
