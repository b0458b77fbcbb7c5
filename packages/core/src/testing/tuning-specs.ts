// Tuning job specs for the tests: one valid spec of each kind, to copy and change.

export type Spec = Record<string, any>;

/** The README's word2vec tuning demo, with SageMaker's string bounds on some ranges. */
export const WORD2VEC = {
  name: 'text8-w2v',
  objective: { type: 'Maximize', metricName: 'train:mean_rho' },
  parameterRanges: {
    integerParameterRanges: [
      { name: 'window_size', minValue: '5', maxValue: '30' },
      { name: 'vector_dim', minValue: 50, maxValue: 100 },
      { name: 'min_count', minValue: 20, maxValue: 50 },
      { name: 'negative_samples', minValue: 5, maxValue: 25 },
    ],
    continuousParameterRanges: [{ name: 'learning_rate', minValue: '0.005', maxValue: '0.05', scalingType: 'Logarithmic' }],
    categoricalParameterRanges: [{ name: 'mode', values: ['batch_skipgram', 'cbow'] }],
  },
  resourceLimits: { maxNumberOfTrainingJobs: 12, maxParallelTrainingJobs: 2 },
  trainingJobDefinition: {
    algorithm: 'blazingtext',
    hyperParameters: { epochs: '5' },
    inputDataConfig: [{ channelName: 'train', uri: 's3://bucket/text8/' }],
    outputPath: 's3://bucket/tuning/',
    resourceConfig: { instanceType: 'ml.c5.2xlarge' },
  },
};

export const SUPERVISED = {
  name: 'dbpedia-tuning',
  strategy: 'Random',
  objective: { type: 'Maximize', metricName: 'validation:accuracy' },
  parameterRanges: {
    integerParameterRanges: [{ name: 'word_ngrams', minValue: 1, maxValue: 3 }],
    continuousParameterRanges: [{ name: 'learning_rate', minValue: 0.01, maxValue: 1, scalingType: 'Logarithmic' }],
    categoricalParameterRanges: [{ name: 'loss', values: ['softmax', 'ns'] }],
  },
  resourceLimits: { maxNumberOfTrainingJobs: 30, maxParallelTrainingJobs: 4, maxRuntimeInSeconds: 7200 },
  trainingJobEarlyStoppingType: 'Auto',
  completionCriteria: {
    targetObjectiveMetricValue: 0.98,
    bestObjectiveNotImproving: { maxNumberOfTrainingJobsNotImproving: 5 },
  },
  warmStartConfig: { parentHyperParameterTuningJobs: [{ hyperParameterTuningJobName: 'dbpedia-tuning-1' }], warmStartType: 'IdenticalDataAndAlgorithm' },
  randomSeed: 7,
  trainingJobDefinition: {
    algorithm: 'blazingtext',
    hyperParameters: { mode: 'supervised', epochs: '10', early_stopping: 'true' },
    inputDataConfig: [
      { channelName: 'train', uri: 's3://bucket/dbpedia/train' },
      { channelName: 'validation', uri: 's3://bucket/dbpedia/validation' },
    ],
    outputPath: 's3://bucket/models/',
    resourceConfig: { instanceType: 'ml.c5.4xlarge' },
  },
};

export const CONTAINER = {
  name: 'byo-tuning',
  strategy: 'Sobol',
  objective: { type: 'Minimize', metricName: 'validation:loss' },
  parameterRanges: {
    integerParameterRanges: [{ name: 'batch-size', minValue: 16, maxValue: 256, scalingType: 'Logarithmic' }],
    continuousParameterRanges: [{ name: 'momentum', minValue: 0.5, maxValue: 0.999, scalingType: 'ReverseLogarithmic' }],
    categoricalParameterRanges: [{ name: 'layers', values: [2, 4, '8'] }],
  },
  resourceLimits: { maxNumberOfTrainingJobs: 20 },
  trainingJobDefinition: {
    algorithm: {
      command: 'python train.py',
      metricDefinitions: [
        { name: 'train:loss', regex: 'train_loss=([0-9.]+)' },
        { name: 'validation:loss', regex: 'val_loss=([0-9.]+)' },
      ],
    },
    hyperParameters: { optimizer: 'sgd' },
    inputDataConfig: [{ channelName: 'data', uri: 'file://data' }],
    outputPath: 'file:///tmp/out',
    resourceConfig: { instanceType: 'ml.g4dn.xlarge', instanceCount: 2 },
  },
};

export const BASES = { word2vec: WORD2VEC, supervised: SUPERVISED, container: CONTAINER };
export const copy = (base: keyof typeof BASES = 'word2vec'): Spec => structuredClone(BASES[base]);

/** Strategy Hyperband with `config`, epochs no longer static. */
export function hyperband(s: Spec, config: unknown = { minResource: 1, maxResource: 27 }): void {
  s.strategy = 'Hyperband';
  s.strategyConfig = { hyperbandStrategyConfig: config };
  delete s.trainingJobDefinition.hyperParameters.epochs;
}

/** What `run` throws. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
