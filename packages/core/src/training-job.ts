import { HyperparameterError, TrainingJobSpecError, type SpecIssue } from './errors.js';
import { parseTrainingHyperparameters } from './hyperparameters/supervised.js';
import { parseTransformHyperparameters } from './hyperparameters/transform.js';
import { describeValue } from './describe-value.js';
import { readSpecText } from './spec-text.js';
import { FIELD_NAMES, formatPath, isObject, parseField, sortByField, unknownFieldReason } from './training-job-fields.js';

/** A named metric read from a training container's log: the first capture group of `regex` is its value. */
export interface MetricDefinition {
  name: string;
  regex: string;
}

/** A training container of your own. A `command` given as one string is run by `/bin/sh -c`. */
export interface ContainerAlgorithm {
  command: string[];
  image?: string;
  metricDefinitions: MetricDefinition[];
}

/**
 * BlazingText (Blazefleet's own word2vec and text classification), its batch transform (a model's answers to every
 * line of the input files), or a container of your own.
 */
export type TrainingAlgorithm = 'blazingtext' | 'blazingtext-transform' | ContainerAlgorithm;

export type CompressionType = 'None' | 'Gzip';
export type S3DataDistributionType = 'FullyReplicated' | 'ShardedByS3Key';

/** One named input of a training job, copied to the worker before training starts. */
export interface Channel {
  channelName: string;
  /** `s3://bucket/prefix` or `file://path`. */
  uri: string;
  compressionType: CompressionType;
  contentType?: string;
  s3DataDistributionType: S3DataDistributionType;
  inputMode: 'File';
}

export interface ResourceConfig {
  /** `ml.<family>.<size>`, one of INSTANCE_TYPES. */
  instanceType: string;
  instanceCount: number;
  volumeSizeInGB?: number;
  /**
   * Blazefleet's own: a job of a GPU instance type (ml.p*, ml.g*) submitted while no gpu worker runs goes to the cpu
   * pool instead of waiting for one. Default false: it waits, and `jobs describe` says that no gpu worker runs.
   */
  allowCpuFallback: boolean;
}

export interface StoppingCondition {
  maxRuntimeInSeconds: number;
  /** Longest time from submission to the end of training, waiting for a worker included; >= maxRuntimeInSeconds. */
  maxWaitTimeInSeconds?: number;
}

export interface RetryStrategy {
  /** Attempts in all, the first included (SageMaker's meaning): 1 never retries. */
  maximumRetryAttempts: number;
}

export interface CheckpointConfig {
  uri: string;
  localPath: string;
}

export interface Tag {
  key: string;
  value: string;
}

/** A training job as Blazefleet runs it: SageMaker's CreateTrainingJob request in camelCase, every default filled in. */
export interface TrainingJobSpec {
  name: string;
  algorithm: TrainingAlgorithm;
  /** Passed to the algorithm as strings, as given. */
  hyperParameters: Record<string, string>;
  inputDataConfig: Channel[];
  outputPath: string;
  resourceConfig: ResourceConfig;
  stoppingCondition: StoppingCondition;
  retryStrategy: RetryStrategy;
  checkpointConfig?: CheckpointConfig;
  environment: Record<string, string>;
  tags: Tag[];
  /** Seconds between asking a stopped job to end (SIGTERM) and killing it. */
  stopGracePeriodSeconds: number;
}

/** The hyperparameters as `parse` reads them, or undefined after pushing the issue of the one it refuses. */
function parseHyperparameters<T>(parse: (raw: Record<string, string>) => T, raw: Record<string, string> | undefined, issues: SpecIssue[]): T | undefined {
  if (raw === undefined) return undefined;
  try {
    return parse(raw);
  } catch (error) {
    if (!(error instanceof HyperparameterError)) throw error;
    const got = error.received === undefined ? '' : `, got ${describeValue(error.received)}`;
    issues.push({ path: formatPath(['hyperParameters', error.field]), reason: `expected ${error.expected}${got}` });
    return undefined;
  }
}

/**
 * The rules of every built-in algorithm: the channels it reads (`required` ones among them), and one instance unless
 * `multiInstance` says why several are allowed (undefined: one instance only).
 */
function builtInIssues(spec: Partial<TrainingJobSpec>, algorithm: string, channels: readonly string[], required: readonly string[], multiInstance?: boolean): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const names = spec.inputDataConfig?.map((c) => c.channelName);
  names?.forEach((name, index) => {
    if (!channels.includes(name)) {
      const reason = `expected ${channels.join(' or ')} (the channels of ${algorithm}), got ${describeValue(name)}`;
      issues.push({ path: `inputDataConfig[${index}].channelName`, reason });
    }
  });
  for (const channel of required) {
    if (names !== undefined && !names.includes(channel)) issues.push({ path: 'inputDataConfig', reason: `expected a channel named ${channel} (required by ${algorithm})` });
  }
  const count = spec.resourceConfig?.instanceCount;
  if (count !== undefined && count !== 1 && multiInstance !== true) {
    const why = multiInstance === false ? `${algorithm} trains only mode batch_skipgram on several instances` : `${algorithm} runs on one instance`;
    issues.push({ path: 'resourceConfig.instanceCount', reason: `expected 1 (${why}), got ${count}` });
  }
  if (count !== undefined && count > 1 && multiInstance === true && spec.checkpointConfig !== undefined) {
    issues.push({ path: 'checkpointConfig', reason: `expected none with resourceConfig.instanceCount ${count} (a job on several instances is retried from the start, not resumed)` });
  }
  return issues;
}

/** The rules that BlazingText adds: its hyperparameter schema, train and validation channels only, one instance. */
function blazingTextIssues(spec: Partial<TrainingJobSpec>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const hyperparameters = parseHyperparameters(parseTrainingHyperparameters, spec.hyperParameters, issues);
  issues.push(...builtInIssues(spec, 'blazingtext', ['train', 'validation'], ['train'], hyperparameters?.mode === 'batch_skipgram'));
  const instanceType = spec.resourceConfig?.instanceType;
  if (hyperparameters?.mode === 'batch_skipgram' && instanceType !== undefined && /^ml\.[pg]/.test(instanceType)) {
    issues.push({ path: 'hyperParameters.mode', reason: `expected cbow, skipgram or supervised on a GPU instance type (${instanceType}): BlazingText trains batch_skipgram on CPU instances` });
  }
  const names = spec.inputDataConfig?.map((c) => c.channelName);
  if (names !== undefined && hyperparameters?.mode === 'supervised' && hyperparameters.early_stopping && !names.includes('validation')) {
    issues.push({ path: 'inputDataConfig', reason: 'expected a channel named validation (required when hyperParameters.early_stopping is true)' });
  }
  return issues;
}

/** The rules of a batch transform: k and content_type only, the channels model and data, one instance. */
function transformIssues(spec: Partial<TrainingJobSpec>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  parseHyperparameters(parseTransformHyperparameters, spec.hyperParameters, issues);
  issues.push(...builtInIssues(spec, 'blazingtext-transform', ['model', 'data'], ['model', 'data']));
  return issues;
}

function checkSpec(value: unknown, source: string | undefined): TrainingJobSpec {
  if (!isObject(value)) {
    throw new TrainingJobSpecError([{ path: '', reason: `expected a training job spec object, got ${describeValue(value)}` }], source);
  }
  const issues: SpecIssue[] = [];
  for (const key of Object.keys(value)) {
    if (!(FIELD_NAMES as string[]).includes(key)) issues.push({ path: formatPath([key]), reason: unknownFieldReason(key, FIELD_NAMES) });
  }
  const spec: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) {
    const parsed = parseField(field, value[field], issues);
    if (parsed !== undefined) spec[field] = parsed;
  }
  if (spec.algorithm === 'blazingtext') issues.push(...blazingTextIssues(spec as Partial<TrainingJobSpec>));
  if (spec.algorithm === 'blazingtext-transform') issues.push(...transformIssues(spec as Partial<TrainingJobSpec>));
  const [first, ...rest] = sortByField(issues, FIELD_NAMES);
  if (first !== undefined) throw new TrainingJobSpecError([first, ...rest], source);
  return spec as unknown as TrainingJobSpec;
}

/**
 * Validates a training job spec (e.g. parsed JSON) and fills in every default. Throws TrainingJobSpecError listing
 * every problem found, each with the path of its field (`inputDataConfig[1].uri`).
 */
export function parseTrainingJobSpec(value: unknown): TrainingJobSpec {
  return checkSpec(value, undefined);
}

/**
 * Reads a training job spec from JSON text, or YAML when the text is not JSON, then validates it as
 * parseTrainingJobSpec does. `sourceName` (usually the file name) begins every error message; syntax errors carry
 * their line and column.
 */
export function parseTrainingJobSpecText(text: string, sourceName: string): TrainingJobSpec {
  return checkSpec(readSpecText(text, sourceName, TrainingJobSpecError), sourceName);
}
