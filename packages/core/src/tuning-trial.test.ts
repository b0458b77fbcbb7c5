import { describe, expect, it } from 'vitest';
import { TrainingJobSpecError } from './errors.js';
import { CONTAINER, WORD2VEC, copy, hyperband, thrown } from './testing/tuning-specs.js';
import { parseTrainingJobSpec } from './training-job.js';
import { parseTuningJobSpec } from './tuning-job.js';
import { trainingJobSpecForTrial, trialJobName } from './tuning-trial.js';

describe('trainingJobSpecForTrial', () => {
  const tuning = parseTuningJobSpec(WORD2VEC);
  const TUNED = { mode: 'cbow', learning_rate: 0.0123, window_size: 17, vector_dim: '64', min_count: 20.0, negative_samples: '7.0' };

  it('is the definition named after the trial, with the static and tuned hyperparameters as SageMaker strings', () => {
    const spec = trainingJobSpecForTrial(tuning, 'text8-w2v-007-4d0a8f62', TUNED);
    const { hyperParameters, ...rest } = tuning.trainingJobDefinition;
    expect(spec).toEqual({
      ...rest,
      name: 'text8-w2v-007-4d0a8f62',
      hyperParameters: { epochs: '5', mode: 'cbow', learning_rate: '0.0123', window_size: '17', vector_dim: '64', min_count: '20', negative_samples: '7' },
    });
    expect(parseTrainingJobSpec(spec)).toEqual(spec);
    expect(hyperParameters).toEqual({ epochs: '5' });
  });

  it('accepts the bounds of every range', () => {
    const lowest = { mode: 'batch_skipgram', learning_rate: 0.005, window_size: 5, vector_dim: 50, min_count: 20, negative_samples: 5 };
    const highest = { mode: 'cbow', learning_rate: '0.05', window_size: '30', vector_dim: 100, min_count: 50, negative_samples: 25 };
    expect(trainingJobSpecForTrial(tuning, 'a-001-x', lowest).hyperParameters.learning_rate).toBe('0.005');
    expect(trainingJobSpecForTrial(tuning, 'a-002-x', highest).hyperParameters.window_size).toBe('30');
  });

  it('names every missing, unknown or out-of-range tuned value', () => {
    const { window_size: _, ...missing } = TUNED;
    const error = thrown(() =>
      trainingJobSpecForTrial(tuning, 'a-001-x', { ...missing, mode: 'skipgram', learning_rate: 0.06, vector_dim: 64.5, windowsize: 3 }),
    ) as TrainingJobSpecError;
    expect(error).toBeInstanceOf(TrainingJobSpecError);
    expect(error.issues).toEqual([
      { path: 'hyperParameters.mode', reason: 'expected one of "batch_skipgram", "cbow" (parameterRanges.categoricalParameterRanges[0]), got "skipgram"' },
      { path: 'hyperParameters.learning_rate', reason: 'expected a number in [0.005, 0.05] (parameterRanges.continuousParameterRanges[0]), got 0.06' },
      { path: 'hyperParameters.vector_dim', reason: 'expected an integer in [50, 100] (parameterRanges.integerParameterRanges[1]), got 64.5' },
      { path: 'hyperParameters.windowsize', reason: 'expected no value: "windowsize" is not a tuned hyperparameter of tuning job text8-w2v' },
      { path: 'hyperParameters.window_size', reason: 'required: expected an integer in [5, 30] (parameterRanges.integerParameterRanges[0])' },
    ]);
  });

  it("refuses a trial the training job spec refuses: a bad name, a rule between hyperparameters", () => {
    expect((thrown(() => trainingJobSpecForTrial(tuning, 'a_001', TUNED)) as TrainingJobSpecError).path).toBe('name');
    const spec = copy();
    spec.parameterRanges.integerParameterRanges.push({ name: 'min_char', minValue: 2, maxValue: 9 });
    const withChars = parseTuningJobSpec(spec);
    expect(trainingJobSpecForTrial(withChars, 'a-001-x', { ...TUNED, min_char: 6 }).hyperParameters.min_char).toBe('6');
    const error = thrown(() => trainingJobSpecForTrial(withChars, 'a-002-x', { ...TUNED, min_char: 7 })) as TrainingJobSpecError;
    expect([error.path, error.reason]).toEqual(['hyperParameters.min_char', 'expected a value <= max_char (6), got 7']);
  });

  it('gives Hyperband trials epochs = maxResource unless told otherwise', () => {
    const spec = copy();
    hyperband(spec);
    const parsed = parseTuningJobSpec(spec);
    expect(trainingJobSpecForTrial(parsed, 'a-001-x', TUNED).hyperParameters.epochs).toBe('27');
    expect(trainingJobSpecForTrial(parsed, 'a-001-x', { ...TUNED, epochs: 9 }).hyperParameters.epochs).toBe('9');
    expect((thrown(() => trainingJobSpecForTrial(parsed, 'a-001-x', { ...TUNED, epochs: 28 })) as TrainingJobSpecError).path).toBe('hyperParameters.epochs');
    expect((thrown(() => trainingJobSpecForTrial(tuning, 'a-001-x', { ...TUNED, epochs: 9 })) as TrainingJobSpecError).path).toBe('hyperParameters.epochs');
  });

  it('passes a container its categorical values as written', () => {
    const parsed = parseTuningJobSpec(CONTAINER);
    const spec = trainingJobSpecForTrial(parsed, 'byo-tuning-001-a1', { 'batch-size': 64, momentum: 0.9, layers: 4 });
    expect(spec.hyperParameters).toEqual({ optimizer: 'sgd', 'batch-size': '64', momentum: '0.9', layers: '4' });
  });
});

describe('trialJobName', () => {
  it('is <tuning job>-<3-digit index>-<short id>', () => {
    expect(trialJobName('text8-w2v', 7, '4d0a8f62')).toBe('text8-w2v-007-4d0a8f62');
    expect(trialJobName('t', 750, 'a')).toBe('t-750-a');
  });

  it('fits a training job name for the longest tuning job name', () => {
    const longest = 'a'.repeat(32);
    const name = trialJobName(longest, 1, 'b'.repeat(63 - 32 - 5));
    expect(name).toHaveLength(63);
    expect(parseTrainingJobSpec({ ...WORD2VEC.trainingJobDefinition, name, hyperParameters: { mode: 'cbow' } }).name).toBe(name);
    expect(() => trialJobName(longest, 1, 'b'.repeat(63 - 32 - 4))).toThrow(/at most 63 characters, got 64; shorten the short id to 26/);
  });

  it('refuses an index outside [1, 999], a short id of other characters, a bad tuning job name', () => {
    for (const index of [0, 1000, 1.5, Number.NaN]) expect(() => trialJobName('t', index, 'a')).toThrow(RangeError);
    for (const id of ['', 'A1', 'a-1', 'a_1']) expect(() => trialJobName('t', 1, id)).toThrow(/short id/);
    for (const name of ['', '-t', 't_1', 'a'.repeat(33)]) expect(() => trialJobName(name, 1, 'a')).toThrow(/tuning job name/);
  });
});
