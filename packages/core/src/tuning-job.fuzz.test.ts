import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TrainingJobSpecError, TuningJobSpecError } from './errors.js';
import { editText, mulberry32, mutate, randomValue } from './testing/spec-fuzz.js';
import { parseTuningJobSpec, parseTuningJobSpecText, type TuningJobSpec } from './tuning-job.js';
import { trainingJobSpecForTrial } from './tuning-trial.js';

// Random tuning specs, valid and not, must give a spec or a TuningJobSpecError, never a TypeError from deep inside; and
// the trial every check was made on (each range at its lowest) must be a valid training job.

const BLAZINGTEXT = {
  name: 'fuzz-tuning',
  strategy: 'Bayesian',
  objective: { type: 'Maximize', metricName: 'train:mean_rho' },
  parameterRanges: {
    integerParameterRanges: [
      { name: 'window_size', minValue: '5', maxValue: '30' },
      { name: 'min_char', minValue: 2, maxValue: 4, scalingType: 'Linear' },
    ],
    continuousParameterRanges: [{ name: 'learning_rate', minValue: 0.005, maxValue: 0.05, scalingType: 'Logarithmic' }],
    categoricalParameterRanges: [{ name: 'mode', values: ['skipgram', 'cbow'] }],
  },
  resourceLimits: { maxNumberOfTrainingJobs: 12, maxParallelTrainingJobs: 2, maxRuntimeInSeconds: 3600 },
  trainingJobEarlyStoppingType: 'Auto',
  completionCriteria: { targetObjectiveMetricValue: 0.7, convergenceDetected: { completeOnConvergence: 'Enabled' } },
  warmStartConfig: { parentHyperParameterTuningJobs: [{ hyperParameterTuningJobName: 'parent-1' }], warmStartType: 'TransferLearning' },
  randomSeed: 3,
  trainingJobDefinition: {
    algorithm: 'blazingtext',
    hyperParameters: { epochs: '3', subwords: 'true', max_char: '5' },
    inputDataConfig: [{ channelName: 'train', uri: 's3://bucket/corpus/' }],
    outputPath: 's3://bucket/output',
    resourceConfig: { instanceType: 'ml.c5.2xlarge' },
  },
};

const CONTAINER = {
  ...BLAZINGTEXT,
  strategy: 'Hyperband',
  strategyConfig: { hyperbandStrategyConfig: { minResource: 1, maxResource: 9 } },
  objective: { type: 'Minimize', metricName: 'loss' },
  trainingJobEarlyStoppingType: 'Off',
  completionCriteria: { bestObjectiveNotImproving: { maxNumberOfTrainingJobsNotImproving: 4 } },
  trainingJobDefinition: {
    ...BLAZINGTEXT.trainingJobDefinition,
    algorithm: { command: 'python train.py', metricDefinitions: [{ name: 'loss', regex: 'loss=([0-9.]+)' }] },
    hyperParameters: { optimizer: 'adam' },
  },
};

const WORDS = [
  ...Object.keys(BLAZINGTEXT),
  'strategyConfig', 'hyperbandStrategyConfig', 'minResource', 'maxResource', 'Grid', 'Hyperband', 'Random', 'Auto', 'Logarithmic',
  'ReverseLogarithmic', 'name', 'minValue', 'maxValue', 'scalingType', 'values', 'integerParameterRanges', 'continuousParameterRanges',
  'categoricalParameterRanges', 'maxNumberOfTrainingJobs', 'mode', 'epochs', 'evaluation', 'subwords', 'min_char', 'max_char',
  'supervised', 'batch_skipgram', 'early_stopping', 'validation', 'validation:accuracy', 'train:loss', 'loss', 'blazingtext', 'true',
  'false', '0', '0.5', '-1', '1e400', '', ' ', '__proto__', 'constructor', 'toString', '\u0000', 'é',
];

function outcome(parse: () => TuningJobSpec): TuningJobSpec | TuningJobSpecError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TuningJobSpecError) return error;
    throw error;
  }
}

/** Each range at its minValue or first value: the trial the parser checked. */
function lowestTrial(spec: TuningJobSpec): Record<string, string | number> {
  const { integerParameterRanges, continuousParameterRanges, categoricalParameterRanges } = spec.parameterRanges;
  return Object.fromEntries([
    ...[...integerParameterRanges, ...continuousParameterRanges].map((r) => [r.name, r.minValue]),
    ...categoricalParameterRanges.map((r) => [r.name, r.values[0]!]),
  ]);
}

function expectWellFormed(result: TuningJobSpec | TuningJobSpecError): void {
  if (result instanceof TuningJobSpecError) {
    expect(result.issues.length).toBeGreaterThan(0);
    for (const issue of result.issues) {
      expect(issue.reason).not.toBe('');
      expect(result.message).toContain(issue.reason);
    }
    return;
  }
  expect(parseTuningJobSpec(JSON.parse(JSON.stringify(result)))).toEqual(result);
  const trial = trainingJobSpecForTrial(result, 'fuzz-001-a', lowestTrial(result));
  expect(trial.name).toBe('fuzz-001-a');
}

describe('tuning job spec fuzzing', () => {
  it('the fuzzed valid specs are valid', () => {
    expect(parseTuningJobSpec(BLAZINGTEXT).name).toBe('fuzz-tuning');
    expect(parseTuningJobSpec(CONTAINER).strategy).toBe('Hyperband');
  });

  it('random values give a TuningJobSpecError', () => {
    const random = mulberry32(11);
    for (let i = 0; i < 1000; i++) {
      const result = outcome(() => parseTuningJobSpec(randomValue(random, WORDS)));
      expect(result).toBeInstanceOf(TuningJobSpecError);
      expectWellFormed(result);
    }
  });

  it('random mutations of valid specs give a spec whose lowest trial is a valid training job, or a TuningJobSpecError', () => {
    const random = mulberry32(12);
    let errors = 0;
    for (const valid of [BLAZINGTEXT, CONTAINER]) {
      let spec: unknown = valid;
      for (let i = 0; i < 1500; i++) {
        spec = i % 4 === 0 ? mutate(valid, random, WORDS) : mutate(spec, random, WORDS);
        const result = outcome(() => parseTuningJobSpec(spec));
        if (result instanceof TuningJobSpecError) errors++;
        expectWellFormed(result);
      }
    }
    // Both outcomes must occur, or the fuzzing explores nothing.
    expect(errors).toBeGreaterThan(300);
    expect(errors).toBeLessThan(3000);
  });

  it('random edits of JSON and YAML text give a valid spec or a TuningJobSpecError', () => {
    const random = mulberry32(13);
    const texts = [JSON.stringify(BLAZINGTEXT, null, 2), stringify(CONTAINER)];
    for (let i = 0; i < 1000; i++) {
      const result = outcome(() => parseTuningJobSpecText(editText(texts[i % 2]!, random), 'fuzz.txt'));
      expectWellFormed(result);
      if (result instanceof TuningJobSpecError) expect(result.message.startsWith('fuzz.txt')).toBe(true);
    }
  });

  it('random tuned values give a trial or a TrainingJobSpecError', () => {
    const random = mulberry32(14);
    const spec = parseTuningJobSpec(BLAZINGTEXT);
    const names = ['window_size', 'min_char', 'learning_rate', 'mode', 'epochs', 'windowsize'];
    for (let i = 0; i < 500; i++) {
      const tuned = { ...lowestTrial(spec) } as Record<string, unknown>;
      const name = names[Math.floor(random() * names.length)]!;
      if (random() < 0.2) delete tuned[name];
      else tuned[name] = randomValue(random, WORDS, 4);
      try {
        trainingJobSpecForTrial(spec, 'fuzz-001-a', tuned as Record<string, string | number>);
      } catch (error) {
        if (!(error instanceof TrainingJobSpecError)) throw error;
        expect(error.issues.length).toBeGreaterThan(0);
      }
    }
  });
});
