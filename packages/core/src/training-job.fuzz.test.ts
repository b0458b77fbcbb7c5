import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TrainingJobSpecError } from './errors.js';
import { editText, mulberry32, mutate, randomValue } from './testing/spec-fuzz.js';
import { parseTrainingJobSpec, parseTrainingJobSpecText, type TrainingJobSpec } from './training-job.js';

// Random specs, valid and not, must give a spec or a TrainingJobSpecError: never a TypeError from deep inside.

const VALID = {
  name: 'fuzz-1',
  algorithm: { command: 'python train.py', image: 'trainer:1', metricDefinitions: [{ name: 'loss', regex: 'loss=([0-9.]+)' }] },
  hyperParameters: { mode: 'skipgram', epochs: '1' },
  inputDataConfig: [
    { channelName: 'train', uri: 's3://bucket/corpus/', compressionType: 'Gzip' },
    { channelName: 'validation', uri: 'file://data/validation' },
  ],
  outputPath: 's3://bucket/output',
  resourceConfig: { instanceType: 'ml.c5.2xlarge', instanceCount: 1, volumeSizeInGB: 30 },
  stoppingCondition: { maxRuntimeInSeconds: 3600, maxWaitTimeInSeconds: 7200 },
  retryStrategy: { maximumRetryAttempts: 2 },
  checkpointConfig: { uri: 's3://bucket/checkpoints' },
  environment: { SEED: '1' },
  tags: [{ key: 'team', value: 'search' }],
  stopGracePeriodSeconds: 60,
};

const WORDS = [
  ...Object.keys(VALID),
  'blazingtext', 'blazingtext-transform', 'model', 'data', 'k', 'content_type', 'train', 'validation', 'mode', 'epochs', 'supervised', 'early_stopping', 'command', 'metricDefinitions', 'regex',
  'channelName', 'uri', 'instanceType', 'instanceCount', 'key', 'value', 's3://bucket/x', 'file://x', 's3://', 'ml.g5.xlarge',
  'true', '1', '', ' ', '(', '([0-9]+)', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '\u0000', 'é',
];

function outcome(parse: () => TrainingJobSpec): TrainingJobSpec | TrainingJobSpecError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof TrainingJobSpecError) return error;
    throw error;
  }
}

function expectWellFormed(result: TrainingJobSpec | TrainingJobSpecError): void {
  if (result instanceof TrainingJobSpecError) {
    expect(result.issues.length).toBeGreaterThan(0);
    for (const issue of result.issues) {
      expect(issue.reason).not.toBe('');
      expect(result.message).toContain(issue.reason);
    }
  } else {
    expect(parseTrainingJobSpec(JSON.parse(JSON.stringify(result)))).toEqual(result);
  }
}

describe('training job spec fuzzing', () => {
  it('the fuzzed valid spec is valid', () => {
    expect(parseTrainingJobSpec(VALID).name).toBe('fuzz-1');
  });

  it('random values give a TrainingJobSpecError', () => {
    const random = mulberry32(1);
    for (let i = 0; i < 1500; i++) {
      const value = randomValue(random, WORDS);
      const result = outcome(() => parseTrainingJobSpec(value));
      expect(result).toBeInstanceOf(TrainingJobSpecError);
      expectWellFormed(result);
    }
  });

  it('random mutations of a valid spec give a valid spec or a TrainingJobSpecError', () => {
    const random = mulberry32(2);
    let errors = 0;
    let spec: unknown = VALID;
    for (let i = 0; i < 3000; i++) {
      spec = i % 4 === 0 ? mutate(VALID, random, WORDS) : mutate(spec, random, WORDS);
      const result = outcome(() => parseTrainingJobSpec(spec));
      if (result instanceof TrainingJobSpecError) errors++;
      expectWellFormed(result);
    }
    // Both outcomes must occur, or the fuzzing explores nothing.
    expect(errors).toBeGreaterThan(300);
    expect(errors).toBeLessThan(3000);
  });

  it('random edits of JSON and YAML text give a valid spec or a TrainingJobSpecError', () => {
    const random = mulberry32(3);
    const texts = [JSON.stringify(VALID, null, 2), stringify(VALID)];
    for (let i = 0; i < 1500; i++) {
      const text = editText(texts[i % 2]!, random);
      const result = outcome(() => parseTrainingJobSpecText(text, 'fuzz.txt'));
      expectWellFormed(result);
      if (result instanceof TrainingJobSpecError) expect(result.message.startsWith('fuzz.txt')).toBe(true);
    }
  });
});
