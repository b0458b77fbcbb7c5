import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TrainingJobSpecError } from './errors.js';
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

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  ...Object.keys(VALID),
  'blazingtext', 'train', 'validation', 'mode', 'epochs', 'supervised', 'early_stopping', 'command', 'metricDefinitions', 'regex',
  'channelName', 'uri', 'instanceType', 'instanceCount', 'key', 'value', 's3://bucket/x', 'file://x', 's3://', 'ml.g5.xlarge',
  'true', '1', '', ' ', '(', '([0-9]+)', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '\u0000', 'é',
];

function randomValue(random: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  switch (Math.floor(random() * (depth > 3 ? 4 : 7))) {
    case 0:
      return pick([null, true, false, undefined]);
    case 1:
      return pick([0, 1, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308, Number.NaN, Number.POSITIVE_INFINITY, 3600, 2_419_201]);
    case 2:
      return pick(WORDS);
    case 3:
      return String.fromCharCode(...Array.from({ length: Math.floor(random() * 8) }, () => Math.floor(random() * 0x250)));
    case 4:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(WORDS), randomValue(random, depth + 1)]));
  }
}

/** A copy of `value` with one random node replaced, removed, or given an extra key. */
function mutate(value: unknown, random: () => number): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let parent: Record<string, unknown> | unknown[] = copy;
  for (;;) {
    const keys = Object.keys(parent);
    if (keys.length === 0) break;
    const key = keys[Math.floor(random() * keys.length)]!;
    const child = (parent as Record<string, unknown>)[key];
    const r = random();
    if (typeof child !== 'object' || child === null || r < 0.3) {
      if (r < 0.15) delete (parent as Record<string, unknown>)[key];
      else (parent as Record<string, unknown>)[key] = randomValue(random, 2);
      return copy;
    }
    parent = child as Record<string, unknown>;
  }
  (parent as Record<string, unknown>)[WORDS[Math.floor(random() * WORDS.length)]!] = randomValue(random, 2);
  return copy;
}

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
      const value = randomValue(random, 0);
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
      spec = i % 4 === 0 ? mutate(VALID, random) : mutate(spec, random);
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
    const inserts = ['{', '}', '[', ']', ':', ',', '"', "'", '\n', ' ', '  ', '-', '#', '&a', '*a', '!!', '|', '>', '\t', '1', 'x'];
    for (let i = 0; i < 1500; i++) {
      let text = texts[i % 2]!;
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * text.length);
        const insert = random() < 0.5 ? inserts[Math.floor(random() * inserts.length)]! : '';
        text = text.slice(0, at) + insert + text.slice(at + 1 + Math.floor(random() * 3));
      }
      const result = outcome(() => parseTrainingJobSpecText(text, 'fuzz.txt'));
      expectWellFormed(result);
      if (result instanceof TrainingJobSpecError) expect(result.message.startsWith('fuzz.txt')).toBe(true);
    }
  });
});
