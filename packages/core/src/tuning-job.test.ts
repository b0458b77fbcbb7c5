import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlazefleetError, SpecError, TuningJobSpecError } from './errors.js';
import { BASES, CONTAINER, SUPERVISED, WORD2VEC, copy, hyperband, thrown, type Spec } from './testing/tuning-specs.js';
import { parseTrainingJobSpec } from './training-job.js';
import { parseTuningJobSpec, parseTuningJobSpecText, type TuningJobSpec } from './tuning-job.js';

const reparsed = (spec: TuningJobSpec) => parseTuningJobSpec(JSON.parse(JSON.stringify(spec)));

function specError(value: unknown): TuningJobSpecError {
  try {
    parseTuningJobSpec(value);
  } catch (error) {
    if (error instanceof TuningJobSpecError) return error;
    throw error;
  }
  throw new Error('expected a TuningJobSpecError');
}

describe('parseTuningJobSpec', () => {
  it('reads the word2vec demo: numbers from strings, every default filled in, the definition a training job spec', () => {
    const spec = parseTuningJobSpec(WORD2VEC);
    expect(spec).toEqual({
      name: 'text8-w2v',
      strategy: 'Bayesian',
      objective: { type: 'Maximize', metricName: 'train:mean_rho' },
      parameterRanges: {
        integerParameterRanges: [
          { name: 'window_size', minValue: 5, maxValue: 30, scalingType: 'Auto' },
          { name: 'vector_dim', minValue: 50, maxValue: 100, scalingType: 'Auto' },
          { name: 'min_count', minValue: 20, maxValue: 50, scalingType: 'Auto' },
          { name: 'negative_samples', minValue: 5, maxValue: 25, scalingType: 'Auto' },
        ],
        continuousParameterRanges: [{ name: 'learning_rate', minValue: 0.005, maxValue: 0.05, scalingType: 'Logarithmic' }],
        categoricalParameterRanges: [{ name: 'mode', values: ['batch_skipgram', 'cbow'] }],
      },
      resourceLimits: { maxNumberOfTrainingJobs: 12, maxParallelTrainingJobs: 2 },
      trainingJobEarlyStoppingType: 'Off',
      trainingJobDefinition: {
        algorithm: 'blazingtext',
        hyperParameters: { epochs: '5' },
        inputDataConfig: [{ channelName: 'train', uri: 's3://bucket/text8/', compressionType: 'None', s3DataDistributionType: 'FullyReplicated', inputMode: 'File' }],
        outputPath: 's3://bucket/tuning/',
        resourceConfig: { instanceType: 'ml.c5.2xlarge', instanceCount: 1, allowCpuFallback: false },
        stoppingCondition: { maxRuntimeInSeconds: 86_400 },
        retryStrategy: { maximumRetryAttempts: 1 },
        environment: {},
        tags: [],
        stopGracePeriodSeconds: 120,
      },
    });
    const { name: _, ...definition } = parseTrainingJobSpec({ ...WORD2VEC.trainingJobDefinition, name: 'x', hyperParameters: { mode: 'cbow', epochs: '5' } });
    expect(spec.trainingJobDefinition).toEqual({ ...definition, hyperParameters: { epochs: '5' } });
  });

  it('parses its own output to the same spec and leaves its input as it was', () => {
    for (const base of ['word2vec', 'supervised', 'container'] as const) {
      const input = copy(base);
      const spec = parseTuningJobSpec(input);
      expect(reparsed(spec)).toEqual(spec);
      expect(input).toEqual(BASES[base]);
    }
  });

  it('reads a supervised spec tuned on validation:accuracy, with every optional field', () => {
    const spec = parseTuningJobSpec(SUPERVISED);
    expect(spec.strategy).toBe('Random');
    expect(spec.objective).toEqual({ type: 'Maximize', metricName: 'validation:accuracy' });
    expect(spec.resourceLimits).toEqual(SUPERVISED.resourceLimits);
    expect(spec.trainingJobEarlyStoppingType).toBe('Auto');
    expect(spec.completionCriteria).toEqual(SUPERVISED.completionCriteria);
    expect(spec.warmStartConfig).toEqual(SUPERVISED.warmStartConfig);
    expect(spec.randomSeed).toBe(7);
    expect(spec.trainingJobDefinition.hyperParameters).toEqual(SUPERVISED.trainingJobDefinition.hyperParameters);
  });

  it('tunes a train:loss objective without a validation channel', () => {
    const spec = copy('supervised');
    spec.objective.metricName = 'train:loss';
    spec.trainingJobDefinition.hyperParameters.early_stopping = 'false';
    spec.trainingJobDefinition.inputDataConfig.pop();
    expect(parseTuningJobSpec(spec).objective.metricName).toBe('train:loss');
  });

  it('reads a container spec tuned on one of its metric definitions, whose regex finds the value', () => {
    const spec = parseTuningJobSpec(CONTAINER);
    expect(spec.parameterRanges).toEqual({
      integerParameterRanges: [{ name: 'batch-size', minValue: 16, maxValue: 256, scalingType: 'Logarithmic' }],
      continuousParameterRanges: [{ name: 'momentum', minValue: 0.5, maxValue: 0.999, scalingType: 'ReverseLogarithmic' }],
      categoricalParameterRanges: [{ name: 'layers', values: ['2', '4', '8'] }],
    });
    const algorithm = spec.trainingJobDefinition.algorithm as Exclude<typeof spec.trainingJobDefinition.algorithm, string>;
    const objective = algorithm.metricDefinitions.find((m) => m.name === spec.objective.metricName)!;
    expect(new RegExp(objective.regex).exec('epoch 3 train_loss=0.4 val_loss=0.52')?.[1]).toBe('0.52');
    expect(spec.trainingJobDefinition.resourceConfig.instanceCount).toBe(2);
  });

  it('defaults Grid to one training job per grid point', () => {
    const spec = copy();
    spec.strategy = 'Grid';
    spec.parameterRanges = {
      integerParameterRanges: [{ name: 'window_size', minValue: 5, maxValue: 30 }],
      categoricalParameterRanges: [{ name: 'mode', values: ['batch_skipgram', 'cbow'] }],
    };
    spec.resourceLimits = {};
    const parsed = parseTuningJobSpec(spec);
    expect(parsed.resourceLimits).toEqual({ maxNumberOfTrainingJobs: (30 - 5 + 1) * 2, maxParallelTrainingJobs: 1 });
    expect(parsed.parameterRanges.continuousParameterRanges).toEqual([]);
  });

  it('reads Hyperband with its resources; epochs is then neither static nor tuned', () => {
    const spec = copy();
    spec.strategy = 'Hyperband';
    spec.strategyConfig = { hyperbandStrategyConfig: { minResource: 1, maxResource: 27 } };
    delete spec.trainingJobDefinition.hyperParameters.epochs;
    const parsed = parseTuningJobSpec(spec);
    expect(parsed.strategyConfig).toEqual({ hyperbandStrategyConfig: { minResource: 1, maxResource: 27 } });
    expect(parsed.trainingJobDefinition.hyperParameters).toEqual({});
  });

  it('allows more parallel training jobs than training jobs, as SageMaker does', () => {
    const spec = copy();
    spec.resourceLimits = { maxNumberOfTrainingJobs: 3, maxParallelTrainingJobs: 10 };
    expect(parseTuningJobSpec(spec).resourceLimits).toEqual({ maxNumberOfTrainingJobs: 3, maxParallelTrainingJobs: 10 });
  });

  it('takes the mode family from a static mode, tuning others of the family', () => {
    const spec = copy();
    spec.trainingJobDefinition.hyperParameters = { mode: 'skipgram', subwords: 'true' };
    spec.parameterRanges.categoricalParameterRanges = [{ name: 'min_char', values: [2, 3] }];
    expect(parseTuningJobSpec(spec).parameterRanges.categoricalParameterRanges).toEqual([{ name: 'min_char', values: ['2', '3'] }]);
  });
});

interface BadVariant {
  name: string;
  base?: keyof typeof BASES;
  change: (spec: Spec) => void;
  path: string;
  reason: RegExp;
}

const ranges = (s: Spec) => s.parameterRanges;
const BAD_VARIANTS: BadVariant[] = [
  { name: 'name missing', change: (s) => delete s.name, path: 'name', reason: /^required: expected 1 to 32 letters/ },
  { name: 'name of 33 characters', change: (s) => (s.name = 'a'.repeat(33)), path: 'name', reason: /1 to 32 .*got "a{33}"/ },
  { name: 'name with an underscore', change: (s) => (s.name = 'w2v_tuning'), path: 'name', reason: /got "w2v_tuning"/ },
  { name: 'unknown strategy', change: (s) => (s.strategy = 'TPE'), path: 'strategy', reason: /Bayesian, Random, Grid, Hyperband or Sobol, got "TPE"/ },
  { name: 'Hyperband without its config', change: (s) => (hyperband(s), (s.strategyConfig = {})), path: 'strategyConfig.hyperbandStrategyConfig', reason: /^required with strategy Hyperband/ },
  { name: 'Hyperband without a strategy config', change: (s) => (hyperband(s), delete s.strategyConfig), path: 'strategyConfig.hyperbandStrategyConfig', reason: /^required/ },
  { name: 'Hyperband with minResource = maxResource', change: (s) => hyperband(s, { minResource: 9, maxResource: 9 }), path: 'strategyConfig.hyperbandStrategyConfig.maxResource', reason: /greater than minResource \(9\), got 9/ },
  { name: 'Hyperband with minResource 0', change: (s) => hyperband(s, { minResource: 0, maxResource: 9 }), path: 'strategyConfig.hyperbandStrategyConfig.minResource', reason: /integer >= 1, got 0/ },
  {
    name: 'Hyperband giving more epochs than blazingtext allows',
    change: (s) => hyperband(s, { minResource: 1, maxResource: 20_000 }),
    path: 'strategyConfig.hyperbandStrategyConfig.maxResource',
    reason: /\[1, 10000\], got "20000" \(Hyperband gives every trial epochs = maxResource\)/,
  },
  { name: 'Hyperband config with strategy Random', change: (s) => ((s.strategy = 'Random'), (s.strategyConfig = { hyperbandStrategyConfig: { minResource: 1, maxResource: 9 } })), path: 'strategyConfig.hyperbandStrategyConfig', reason: /no Hyperband config with strategy Random/ },
  { name: 'Auto early stopping with Hyperband', change: (s) => (hyperband(s), (s.trainingJobEarlyStoppingType = 'Auto')), path: 'trainingJobEarlyStoppingType', reason: /Off with strategy Hyperband/ },
  { name: 'Hyperband with static epochs', change: (s) => ((s.strategy = 'Hyperband'), (s.strategyConfig = { hyperbandStrategyConfig: { minResource: 1, maxResource: 9 } })), path: 'trainingJobDefinition.hyperParameters.epochs', reason: /no static epochs with strategy Hyperband/ },
  {
    name: 'Hyperband with tuned epochs',
    change: (s) => (hyperband(s), ranges(s).integerParameterRanges.push({ name: 'epochs', minValue: 1, maxValue: 5 })),
    path: 'parameterRanges.integerParameterRanges[4].name',
    reason: /other than epochs with strategy Hyperband/,
  },
  { name: 'unknown early stopping type', change: (s) => (s.trainingJobEarlyStoppingType = 'On'), path: 'trainingJobEarlyStoppingType', reason: /Off or Auto, got "On"/ },
  { name: 'objective missing', change: (s) => delete s.objective, path: 'objective', reason: /^required: expected an objective/ },
  { name: 'objective type Max', change: (s) => (s.objective.type = 'Max'), path: 'objective.type', reason: /Maximize or Minimize, got "Max"/ },
  { name: 'metric a word2vec trial does not emit', change: (s) => (s.objective.metricName = 'validation:accuracy'), path: 'objective.metricName', reason: /word2vec modes \(train:mean_rho\), got "validation:accuracy"/ },
  { name: 'metric a supervised trial does not emit', base: 'supervised', change: (s) => (s.objective.metricName = 'train:mean_rho'), path: 'objective.metricName', reason: /supervised mode \(validation:accuracy, train:loss\)/ },
  {
    name: 'validation:accuracy without a validation channel',
    base: 'supervised',
    change: (s) => ((s.trainingJobDefinition.hyperParameters.early_stopping = 'false'), s.trainingJobDefinition.inputDataConfig.pop()),
    path: 'trainingJobDefinition.inputDataConfig',
    reason: /channel named validation \(the objective validation:accuracy/,
  },
  { name: 'train:mean_rho without the evaluation', change: (s) => (s.trainingJobDefinition.hyperParameters.evaluation = 'false'), path: 'trainingJobDefinition.hyperParameters.evaluation', reason: /train:mean_rho is the result of the evaluation, got "false"/ },
  {
    name: 'train:mean_rho with the evaluation tuned off',
    change: (s) => ranges(s).categoricalParameterRanges.push({ name: 'evaluation', values: ['true', 'false'] }),
    path: 'parameterRanges.categoricalParameterRanges[1].values[1]',
    reason: /train:mean_rho/,
  },
  { name: 'a metric the container does not define', base: 'container', change: (s) => (s.objective.metricName = 'val_loss'), path: 'objective.metricName', reason: /metricDefinitions \(train:loss, validation:loss\), got "val_loss"/ },
  { name: 'a container without metric definitions', base: 'container', change: (s) => (s.trainingJobDefinition.algorithm.metricDefinitions = []), path: 'objective.metricName', reason: /which defines none/ },
  { name: 'a batch transform', base: 'container', change: (s) => (s.trainingJobDefinition.algorithm = 'blazingtext-transform'), path: 'trainingJobDefinition.algorithm', reason: /got "blazingtext-transform": a batch transform has no objective metric to tune/ },
  { name: 'no ranges', change: (s) => (s.parameterRanges = {}), path: 'parameterRanges', reason: /1 to 30 parameter ranges in all, got 0/ },
  {
    name: '31 ranges',
    base: 'container',
    change: (s) => (ranges(s).categoricalParameterRanges = Array.from({ length: 29 }, (_, i) => ({ name: `p${i}`, values: ['a'] }))),
    path: 'parameterRanges',
    reason: /got 31/,
  },
  { name: 'misspelled range list', change: (s) => (ranges(s).integerParameterRange = []), path: 'parameterRanges.integerParameterRange', reason: /did you mean integerParameterRanges\?/ },
  { name: 'integer range upside down', change: (s) => (ranges(s).integerParameterRanges[0].minValue = 31), path: 'parameterRanges.integerParameterRanges[0].maxValue', reason: /at least minValue \(31\), got 30/ },
  { name: 'empty continuous range', change: (s) => (ranges(s).continuousParameterRanges[0].minValue = 0.05), path: 'parameterRanges.continuousParameterRanges[0].maxValue', reason: /greater than minValue \(0\.05\), got 0\.05/ },
  { name: 'Logarithmic from 0', change: (s) => (ranges(s).continuousParameterRanges[0].minValue = 0), path: 'parameterRanges.continuousParameterRanges[0].minValue', reason: /> 0 with Logarithmic scaling, got 0/ },
  { name: 'Logarithmic integer range from 0', base: 'container', change: (s) => (ranges(s).integerParameterRanges[0].minValue = '0'), path: 'parameterRanges.integerParameterRanges[0].minValue', reason: /> 0 with Logarithmic scaling, got 0/ },
  { name: 'ReverseLogarithmic on an integer range', change: (s) => (ranges(s).integerParameterRanges[0].scalingType = 'ReverseLogarithmic'), path: 'parameterRanges.integerParameterRanges[0].scalingType', reason: /ReverseLogarithmic is for continuous ranges only/ },
  { name: 'ReverseLogarithmic up to 1', base: 'container', change: (s) => (ranges(s).continuousParameterRanges[0].maxValue = 1), path: 'parameterRanges.continuousParameterRanges[0].maxValue', reason: /< 1 with ReverseLogarithmic scaling, got 1/ },
  { name: 'ReverseLogarithmic below 0', base: 'container', change: (s) => (ranges(s).continuousParameterRanges[0].minValue = -0.5), path: 'parameterRanges.continuousParameterRanges[0].minValue', reason: />= 0 with ReverseLogarithmic scaling, got -0\.5/ },
  { name: 'unknown scaling type', change: (s) => (ranges(s).continuousParameterRanges[0].scalingType = 'Log'), path: 'parameterRanges.continuousParameterRanges[0].scalingType', reason: /got "Log"/ },
  { name: 'bound that is not a number', change: (s) => (ranges(s).continuousParameterRanges[0].maxValue = 'high'), path: 'parameterRanges.continuousParameterRanges[0].maxValue', reason: /finite number .*got "high"/ },
  { name: 'fractional integer bound', change: (s) => (ranges(s).integerParameterRanges[1].maxValue = '100.5'), path: 'parameterRanges.integerParameterRanges[1].maxValue', reason: /integer .*got 100\.5/ },
  { name: 'range without a name', change: (s) => delete ranges(s).integerParameterRanges[2].name, path: 'parameterRanges.integerParameterRanges[2].name', reason: /^required/ },
  { name: 'misspelled range field', change: (s) => (ranges(s).integerParameterRanges[0].minvalue = 1), path: 'parameterRanges.integerParameterRanges[0].minvalue', reason: /did you mean minValue\?/ },
  { name: 'categorical range without values', change: (s) => (ranges(s).categoricalParameterRanges[0].values = []), path: 'parameterRanges.categoricalParameterRanges[0].values', reason: /1 to 30 values/ },
  { name: 'duplicate categorical values', change: (s) => (ranges(s).categoricalParameterRanges[0].values = ['cbow', 'cbow']), path: 'parameterRanges.categoricalParameterRanges[0].values[1]', reason: /duplicate value "cbow" \(also at index 0\)/ },
  {
    name: 'the same name in two range lists',
    change: (s) => ranges(s).categoricalParameterRanges.push({ name: 'window_size', values: ['5', '10'] }),
    path: 'parameterRanges.categoricalParameterRanges[1].name',
    reason: /duplicate hyperparameter name "window_size" \(also at parameterRanges\.integerParameterRanges\[0\]\)/,
  },
  { name: 'tuned and static at once', change: (s) => (s.trainingJobDefinition.hyperParameters.vector_dim = '100'), path: 'parameterRanges.integerParameterRanges[1].name', reason: /not also static, got "vector_dim"/ },
  { name: 'unknown tuned hyperparameter', change: (s) => (ranges(s).integerParameterRanges[0].name = 'windw_size'), path: 'parameterRanges.integerParameterRanges[0].name', reason: /^unknown word2vec hyperparameter of blazingtext; did you mean window_size\?$/ },
  { name: 'word2vec tuning a supervised hyperparameter', change: (s) => ranges(s).integerParameterRanges.push({ name: 'word_ngrams', minValue: 1, maxValue: 3 }), path: 'parameterRanges.integerParameterRanges[4].name', reason: /unknown word2vec hyperparameter .*known: mode, epochs/ },
  { name: 'unknown static hyperparameter', change: (s) => (s.trainingJobDefinition.hyperParameters = { epoch: '5' }), path: 'trainingJobDefinition.hyperParameters.epoch', reason: /did you mean epochs\?/ },
  { name: 'invalid static hyperparameter', change: (s) => (s.trainingJobDefinition.hyperParameters.epochs = '0'), path: 'trainingJobDefinition.hyperParameters.epochs', reason: /\[1, 10000\] \(the valid values of epochs\), got "0"/ },
  { name: 'learning rate range above 10', change: (s) => (ranges(s).continuousParameterRanges[0].maxValue = 11), path: 'parameterRanges.continuousParameterRanges[0].maxValue', reason: /number in \(0, 10\] \(the valid values of learning_rate\), got 11/ },
  { name: 'window size range from 0', change: (s) => (ranges(s).integerParameterRanges[0].minValue = 0), path: 'parameterRanges.integerParameterRanges[0].minValue', reason: /\[1, 100\] \(the valid values of window_size\), got 0/ },
  { name: 'continuous range over an integer hyperparameter', change: (s) => ranges(s).continuousParameterRanges.push({ name: 'batch_size', minValue: 5, maxValue: 20 }), path: 'parameterRanges.continuousParameterRanges[1]', reason: /integer or categorical range: batch_size takes an integer/ },
  { name: 'categorical value a hyperparameter refuses', change: (s) => ranges(s).categoricalParameterRanges.push({ name: 'subwords', values: ['false', 'yes'] }), path: 'parameterRanges.categoricalParameterRanges[1].values[1]', reason: /a boolean .*got "yes"/ },
  { name: 'modes of two families', change: (s) => (ranges(s).categoricalParameterRanges[0].values = ['cbow', 'supervised']), path: 'parameterRanges.categoricalParameterRanges[0].values[1]', reason: /mode of the same family as values\[0\] \(one of cbow, skipgram, batch_skipgram\), got "supervised"/ },
  { name: 'mode as an integer range', change: (s) => (ranges(s).categoricalParameterRanges = [], ranges(s).integerParameterRanges.push({ name: 'mode', minValue: 1, maxValue: 2 })), path: 'parameterRanges.integerParameterRanges[4]', reason: /categorical range: mode is one of/ },
  { name: 'no mode at all', change: (s) => (ranges(s).categoricalParameterRanges = []), path: 'trainingJobDefinition.hyperParameters.mode', reason: /^required: expected one of cbow, skipgram, batch_skipgram, supervised/ },
  {
    name: 'a trial at the lowest values breaking min_char <= max_char',
    change: (s) => ranges(s).integerParameterRanges.push({ name: 'min_char', minValue: 7, maxValue: 9 }),
    path: 'parameterRanges.integerParameterRanges[4].minValue',
    reason: /<= max_char \(6\), got 7 \(in the trial with each tuned hyperparameter at its minValue or first value\)/,
  },
  {
    name: 'subwords with the first mode, batch_skipgram',
    change: (s) => (s.trainingJobDefinition.hyperParameters.subwords = 'true'),
    path: 'trainingJobDefinition.hyperParameters.subwords',
    reason: /false with mode batch_skipgram .*in the trial with each tuned/,
  },
  {
    name: 'supervised early stopping without a validation channel',
    base: 'supervised',
    change: (s) => ((s.objective.metricName = 'train:loss'), s.trainingJobDefinition.inputDataConfig.pop()),
    path: 'trainingJobDefinition.inputDataConfig',
    reason: /required when hyperParameters\.early_stopping is true/,
  },
  { name: 'Grid over a continuous range', change: (s) => (s.strategy = 'Grid'), path: 'parameterRanges.continuousParameterRanges[0]', reason: /no continuous range with strategy Grid/ },
  {
    name: 'Grid larger than 750 jobs without a limit',
    change: (s) => ((s.strategy = 'Grid'), (ranges(s).continuousParameterRanges = []), delete s.resourceLimits.maxNumberOfTrainingJobs),
    path: 'resourceLimits.maxNumberOfTrainingJobs',
    reason: new RegExp(`grid of these ranges has ${26 * 51 * 31 * 21 * 2} points, more than the 750`),
  },
  { name: 'no training job limit', change: (s) => delete s.resourceLimits.maxNumberOfTrainingJobs, path: 'resourceLimits.maxNumberOfTrainingJobs', reason: /^required: .*unless strategy is Grid/ },
  { name: 'no resource limits', change: (s) => delete s.resourceLimits, path: 'resourceLimits.maxNumberOfTrainingJobs', reason: /^required/ },
  { name: '751 training jobs', change: (s) => (s.resourceLimits.maxNumberOfTrainingJobs = 751), path: 'resourceLimits.maxNumberOfTrainingJobs', reason: /\[1, 750\], got 751/ },
  { name: '101 parallel training jobs', change: (s) => (s.resourceLimits.maxParallelTrainingJobs = 101), path: 'resourceLimits.maxParallelTrainingJobs', reason: /\[1, 100\], got 101/ },
  { name: 'runtime under 120 s', change: (s) => (s.resourceLimits.maxRuntimeInSeconds = 119), path: 'resourceLimits.maxRuntimeInSeconds', reason: /\[120, 15552000\], got 119/ },
  { name: 'misspelled limit', change: (s) => (s.resourceLimits.maxParallelTrainingJob = 2), path: 'resourceLimits.maxParallelTrainingJob', reason: /did you mean maxParallelTrainingJobs\?/ },
  { name: 'target that is not a number', change: (s) => (s.completionCriteria = { targetObjectiveMetricValue: 'high' }), path: 'completionCriteria.targetObjectiveMetricValue', reason: /finite number, got "high"/ },
  { name: 'two jobs not improving', change: (s) => (s.completionCriteria = { bestObjectiveNotImproving: { maxNumberOfTrainingJobsNotImproving: 2 } }), path: 'completionCriteria.bestObjectiveNotImproving.maxNumberOfTrainingJobsNotImproving', reason: />= 3, got 2/ },
  { name: 'convergence on', change: (s) => (s.completionCriteria = { convergenceDetected: { completeOnConvergence: 'On' } }), path: 'completionCriteria.convergenceDetected.completeOnConvergence', reason: /Enabled or Disabled, got "On"/ },
  {
    name: 'convergence with strategy Random',
    base: 'supervised',
    change: (s) => (s.completionCriteria = { convergenceDetected: { completeOnConvergence: 'Enabled' } }),
    path: 'completionCriteria.convergenceDetected.completeOnConvergence',
    reason: /Disabled with strategy Random/,
  },
  {
    name: 'six warm start parents',
    base: 'supervised',
    change: (s) => (s.warmStartConfig.parentHyperParameterTuningJobs = Array.from({ length: 6 }, (_, i) => ({ hyperParameterTuningJobName: `p${i}` }))),
    path: 'warmStartConfig.parentHyperParameterTuningJobs',
    reason: /1 to 5 parents/,
  },
  { name: 'warm start from itself', base: 'supervised', change: (s) => (s.warmStartConfig.parentHyperParameterTuningJobs[0].hyperParameterTuningJobName = s.name), path: 'warmStartConfig.parentHyperParameterTuningJobs[0].hyperParameterTuningJobName', reason: /other than this one/ },
  { name: 'unknown warm start type', base: 'supervised', change: (s) => (s.warmStartConfig.warmStartType = 'Identical'), path: 'warmStartConfig.warmStartType', reason: /IdenticalDataAndAlgorithm or TransferLearning, got "Identical"/ },
  { name: 'negative seed', change: (s) => (s.randomSeed = -1), path: 'randomSeed', reason: /integer >= 0, got -1/ },
  { name: 'definition missing', change: (s) => delete s.trainingJobDefinition, path: 'trainingJobDefinition', reason: /^required: expected a training job definition/ },
  { name: 'definition of the wrong type', change: (s) => (s.trainingJobDefinition = 'blazingtext'), path: 'trainingJobDefinition', reason: /got "blazingtext"/ },
  { name: 'definition with a name', change: (s) => (s.trainingJobDefinition.name = 'w2v'), path: 'trainingJobDefinition.name', reason: /trials are named <tuning job name>-<index>-<id>/ },
  { name: 'definition with SageMaker\'s staticHyperParameters', change: (s) => (s.trainingJobDefinition.staticHyperParameters = {}), path: 'trainingJobDefinition.staticHyperParameters', reason: /static hyperparameters go in hyperParameters/ },
  { name: 'misspelled definition field', change: (s) => (s.trainingJobDefinition.outputpath = 's3://b/x'), path: 'trainingJobDefinition.outputpath', reason: /^unknown field; did you mean outputPath\?$/ },
  { name: 'bad channel URI in the definition', change: (s) => (s.trainingJobDefinition.inputDataConfig[0].uri = 'http://x'), path: 'trainingJobDefinition.inputDataConfig[0].uri', reason: /^expected s3:\/\/bucket\/prefix or file:\/\/path, got "http:\/\/x"$/ },
  { name: 'two instances for blazingtext', change: (s) => (s.trainingJobDefinition.resourceConfig.instanceCount = 2), path: 'parameterRanges.categoricalParameterRanges[0]', reason: /^expected only batch_skipgram with trainingJobDefinition.resourceConfig.instanceCount 2 \(BlazingText trains the other modes on one instance\), got cbow$/ },
  { name: 'number as a static container hyperparameter', base: 'container', change: (s) => (s.trainingJobDefinition.hyperParameters.lr = 0.1), path: 'trainingJobDefinition.hyperParameters.lr', reason: /write "0\.1"/ },
  { name: 'misspelled top-level field', change: (s) => (s.parameterRange = {}), path: 'parameterRange', reason: /^unknown field; did you mean parameterRanges\?$/ },
];

describe('parseTuningJobSpec: every invalid field is reported at its path', () => {
  it.each(BAD_VARIANTS)('$name -> $path', ({ base, change, path, reason }) => {
    const spec = copy(base);
    change(spec);
    const error = specError(spec);
    expect(error).toBeInstanceOf(SpecError);
    expect(error).toBeInstanceOf(BlazefleetError);
    expect(error.exitCode).toBe(2);
    const issue = error.issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify(error.issues)}`).toBeDefined();
    expect(issue!.reason).toMatch(reason);
    expect(error.message).toContain(`${path}: ${issue!.reason}`);
  });

  it('has a variant for every top-level field', () => {
    const fields = new Set(BAD_VARIANTS.map((v) => /^[A-Za-z]+/.exec(v.path)![0]));
    const full = parseTuningJobSpec({ ...SUPERVISED, completionCriteria: { convergenceDetected: { completeOnConvergence: 'Disabled' } }, strategyConfig: {} });
    for (const field of Object.keys(full)) expect(fields).toContain(field);
  });

  it('reports a problem as the only issue, with a one-line message', () => {
    const spec = copy();
    spec.parameterRanges.continuousParameterRanges[0].minValue = 0;
    const error = specError(spec);
    expect(error.message).toBe('parameterRanges.continuousParameterRanges[0].minValue: expected a number > 0 with Logarithmic scaling, got 0');
    expect([error.path, error.reason, error.kind]).toEqual(['parameterRanges.continuousParameterRanges[0].minValue', 'expected a number > 0 with Logarithmic scaling, got 0', 'tuning job']);
  });

  it('refuses anything but an object', () => {
    for (const value of [null, undefined, 'spec', 3, [WORD2VEC]]) {
      expect(specError(value).issues).toEqual([{ path: '', reason: expect.stringMatching(/^expected a tuning job spec object, got /) }]);
    }
  });

  it('reports several problems at once, unknown fields first, then in field order, the definition last', () => {
    const spec = copy();
    spec.strategy = 'Grid';
    spec.objective.metricName = 'validation:accuracy';
    spec.maxJobs = 3;
    spec.parameterRanges.continuousParameterRanges[0].minValue = 0;
    spec.trainingJobDefinition.name = 'x';
    spec.trainingJobDefinition.hyperParameters.widow_size = '3';
    spec.trainingJobDefinition.outputPath = 'ftp://x';
    const error = specError(spec);
    expect(error.issues.map((i) => i.path)).toEqual([
      'maxJobs',
      'objective.metricName',
      'parameterRanges.continuousParameterRanges[0].minValue',
      'parameterRanges.continuousParameterRanges[0]',
      'trainingJobDefinition.name',
      'trainingJobDefinition.hyperParameters.widow_size',
      'trainingJobDefinition.outputPath',
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('7 problems in the tuning job spec:');
    expect(lines.slice(1)).toEqual(error.issues.map((i) => `  ${i.path}: ${i.reason}`));
  });

  it('goes on checking the hyperparameters of valid ranges when another range is broken', () => {
    const spec = copy();
    spec.parameterRanges.integerParameterRanges[0].maxValue = 'x';
    spec.parameterRanges.integerParameterRanges[1].name = 'vector_dimm';
    expect(specError(spec).issues.map((i) => i.path)).toEqual(['parameterRanges.integerParameterRanges[0].maxValue', 'parameterRanges.integerParameterRanges[1].name']);
  });

  it('does not ask for a static mode when the range over mode is broken', () => {
    const spec = copy();
    spec.parameterRanges.categoricalParameterRanges[0].values = [];
    expect(specError(spec).issues.map((i) => i.path)).toEqual(['parameterRanges.categoricalParameterRanges[0].values']);
  });
});

describe('parseTuningJobSpecText', () => {
  const json = JSON.stringify(WORD2VEC, null, 2);
  const yaml = [
    'name: text8-w2v',
    'objective: { type: Maximize, metricName: "train:mean_rho" }',
    'parameterRanges:',
    '  integerParameterRanges:',
    ...WORD2VEC.parameterRanges.integerParameterRanges.map((r) => `    - { name: ${r.name}, minValue: ${r.minValue}, maxValue: ${r.maxValue} }`),
    '  continuousParameterRanges:',
    '    - { name: learning_rate, minValue: 0.005, maxValue: 0.05, scalingType: Logarithmic }',
    '  categoricalParameterRanges:',
    '    - { name: mode, values: [batch_skipgram, cbow] }',
    'resourceLimits: { maxNumberOfTrainingJobs: 12, maxParallelTrainingJobs: 2 }',
    'trainingJobDefinition:',
    '  algorithm: blazingtext',
    '  hyperParameters: { epochs: "5" }',
    '  inputDataConfig: [{ channelName: train, uri: "s3://bucket/text8/" }]',
    '  outputPath: s3://bucket/tuning/',
    '  resourceConfig: { instanceType: ml.c5.2xlarge }',
    '',
  ].join('\n');

  it('reads the same spec from JSON and from YAML', () => {
    expect(parseTuningJobSpecText(json, 'tuning.json')).toEqual(parseTuningJobSpec(WORD2VEC));
    expect(parseTuningJobSpecText(yaml, 'tuning.yaml')).toEqual(parseTuningJobSpec(WORD2VEC));
  });

  it('begins every message with the source name and places syntax errors', () => {
    const error = thrown(() => parseTuningJobSpecText(yaml.replace('name: text8-w2v', 'name: text8_w2v'), 'tuning.yaml')) as TuningJobSpecError;
    expect(error).toBeInstanceOf(TuningJobSpecError);
    expect(error.message).toMatch(/^tuning\.yaml: name: expected 1 to 32 letters/);
    const syntax = thrown(() => parseTuningJobSpecText('{\n  "name": "x",\n  "strategy" "Grid"\n}', 'tuning.json')) as TuningJobSpecError;
    expect(syntax).toBeInstanceOf(TuningJobSpecError);
    expect([syntax.issues[0].line, syntax.message]).toEqual([3, expect.stringMatching(/^tuning\.json:3:\d+: invalid JSON: /)]);
    const empty = thrown(() => parseTuningJobSpecText(' \n', 'tuning.yaml')) as TuningJobSpecError;
    expect(empty.message).toBe('tuning.yaml: expected a tuning job spec in JSON or YAML, got an empty text');
  });
});

describe('TUNING-JOB.md', () => {
  const doc = readFileSync(new URL('../TUNING-JOB.md', import.meta.url), 'utf8');

  it('has examples that parse, the JSON and YAML one alike', () => {
    const json = /```json\n([\s\S]*?)```/.exec(doc)![1]!;
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(parseTuningJobSpecText(yaml, 'TUNING-JOB.md')).toEqual(parseTuningJobSpecText(json, 'TUNING-JOB.md'));
  });

  it('documents every field of the spec', () => {
    const documented = new Set([...doc.matchAll(/^\| `([A-Za-z.[\]]+)`/gm)].map((m) => m[1]!.split(/[.[]/)[0]));
    const spec = parseTuningJobSpec({ ...SUPERVISED, strategy: 'Bayesian', strategyConfig: {} });
    expect([...documented].sort()).toEqual(Object.keys(spec).sort());
  });

  it('shows the error of its example spec', () => {
    const block = /^```\n(\d+ problems in the tuning job spec:\n[\s\S]*?)```/m.exec(doc)![1]!;
    const spec = copy();
    spec.objective.metricName = 'validation:accuracy';
    spec.parameterRanges.continuousParameterRanges[0].minValue = 0;
    spec.trainingJobDefinition.hyperParameters.widow_size = '3';
    expect(specError(spec).message).toBe(block.trimEnd());
  });
});
