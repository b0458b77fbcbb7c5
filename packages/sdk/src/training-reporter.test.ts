import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseSupervisedHyperparameters, parseWord2VecHyperparameters, type TrainingProgress } from '@blazefleet/core';
import type { SupervisedJobResult, Word2VecJobResult } from '@blazefleet/algorithms';
import { metricLine } from './metric-line.js';
import { createTrainingReporter, type LogFormat } from './training-reporter.js';

class CapturedOutput extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const hyperparameters = parseWord2VecHyperparameters({ mode: 'skipgram', epochs: 2 });
const progress = (fraction: number): TrainingProgress => ({
  alpha: 0.05 * (1 - fraction),
  progress: fraction,
  epoch: fraction < 0.5 ? 1 : 2,
  wordsPerSecond: 730_000,
  etaSeconds: 3725 * (1 - fraction),
  loss: 2.5,
});
const result: Word2VecJobResult = {
  outputDir: 'out',
  files: ['vectors.txt', 'vectors.bin', 'eval.json', 'model.tar.gz'],
  eval: { 'EN-WS-353-ALL.txt': { not_found: 2, spearmans_rho: 0.6, total_pairs: 353 }, mean_rho: 0.61234567 },
  vocabularySize: 10,
  tokenCount: 1000,
  seconds: 12.5,
  wordsPerSecond: 1_234_567,
};

function runReporter(format: LogFormat, isTTY: boolean): string {
  const out = new CapturedOutput(isTTY);
  const io = { stdout: out, stderr: out, stdin: process.stdin, debug: false };
  const reporter = createTrainingReporter(format, io);
  reporter.started({ trainPath: 'c.txt', outputDir: 'out', hyperparameters, threads: 1, seed: 1 });
  reporter.log('Read 1000 words', { warnings: [{ reason: 'invalid UTF-8 replaced', count: 3 }] });
  reporter.progress(progress(0.25));
  reporter.metric({ name: 'train:mean_rho', value: 0.5, epoch: 1 });
  reporter.progress(progress(0.75));
  reporter.metric({ name: 'train:mean_rho', value: result.eval!.mean_rho });
  reporter.finished(result);
  return out.text;
}

describe('metricLine', () => {
  it('prints train:mean_rho as BlazingText does and other channels with an underscore', () => {
    expect(metricLine({ name: 'train:mean_rho', value: 0.61234567 })).toBe('#mean_rho: 0.612346');
    expect(metricLine({ name: 'validation:accuracy', value: 0.5 })).toBe('#validation_accuracy: 0.5');
    expect(metricLine({ name: 'train:mean_rho', value: Number.NaN })).toBe('#mean_rho: NaN');
  });
  it('prints the supervised metrics as BlazingText names them', () => {
    expect(metricLine({ name: 'validation:accuracy', value: 0.94, epoch: 3 })).toBe('#validation_accuracy: 0.94');
    expect(metricLine({ name: 'train:loss', value: 0.3141592 })).toBe('#train_loss: 0.314159');
  });
});

describe('reporters of a supervised training', () => {
  const supervisedResult: SupervisedJobResult = {
    outputDir: 'out',
    files: ['model.bin', 'metrics.json', 'model.tar.gz'],
    metrics: { examples: 500, accuracy: 0.94, labels: [], confusionMatrix: { labels: [], counts: [] } },
    labels: 6,
    vocabularySize: 900,
    bestEpoch: 4,
    stoppedEarly: true,
    seconds: 2.5,
    tokensPerSecond: 3_450_000,
  };
  function runSupervised(format: LogFormat): string {
    const out = new CapturedOutput(false);
    const reporter = createTrainingReporter(format, { stdout: out, stderr: out, stdin: process.stdin, debug: false });
    reporter.started({ trainPath: 't.txt', validationPath: 'v.txt', outputDir: 'out', hyperparameters: parseSupervisedHyperparameters({ mode: 'supervised' }), threads: 1, seed: 1 });
    reporter.metric({ name: 'train:loss', value: 0.5, epoch: 1 });
    reporter.metric({ name: 'validation:accuracy', value: 0.9, epoch: 1 });
    reporter.metric({ name: 'validation:accuracy', value: 0.94 });
    reporter.finished(supervisedResult);
    return out.text;
  }

  it('prints per-epoch lines, then the final accuracy and the number of validation examples', () => {
    const lines = runSupervised('text').split('\n');
    expect(lines.slice(0, 2)).toEqual(['#train_loss: 0.5', '#validation_accuracy: 0.9']);
    expect(lines).toContain('Average throughput in Million words/sec: 3.45');
    expect(lines.slice(-4, -1)).toEqual(['Stopped early: no improvement in validation accuracy; kept epoch 4', '#validation_accuracy: 0.94', 'Number of validation examples: 500']);
  });

  it('logs the result and the validation headline as JSON records', () => {
    const records = runSupervised('json')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.find((r) => r.msg === 'training started')).toMatchObject({ validationPath: 'v.txt' });
    expect(records.find((r) => r.msg === 'training finished')).toMatchObject({ labels: 6, bestEpoch: 4, stoppedEarly: true, tokensPerSecond: 3_450_000 });
    expect(records.find((r) => r.msg === 'evaluation')).toEqual(expect.objectContaining({ validation: { examples: 500, accuracy: 0.94 } }));
    expect(records.filter((r) => r.msg === 'metric').map((r) => r.line)).toEqual(['#train_loss: 0.5', '#validation_accuracy: 0.9', '#validation_accuracy: 0.94']);
  });
});

describe('text reporter', () => {
  it('prints one BlazingText progress line per event when not at a terminal', () => {
    const lines = runReporter('text', false).split('\n');
    expect(lines).toContain('Alpha: 0.0375  Progress: 25.00%  Million Words/sec: 0.73  ETA: 0h 46m 34s');
    expect(lines).toContain('warning: invalid UTF-8 replaced (3 times)');
    expect(lines.filter((l) => l.startsWith('Alpha: '))).toHaveLength(2);
    expect(lines).toContain('Average throughput in Million words/sec: 1.23');
    expect(lines).toContain('Total training time in seconds: 12.50');
  });

  it('prints the final metric after the evaluation, per-epoch metrics when they happen', () => {
    const text = runReporter('text', false);
    expect(text.indexOf('#mean_rho: 0.5\n')).toBeLessThan(text.indexOf('Training finished!'));
    expect(text.indexOf('Evaluating word embeddings....')).toBeLessThan(text.indexOf('#mean_rho: 0.612346'));
    expect(text).toContain(JSON.stringify(result.eval, null, 4));
    expect([...text.matchAll(/#mean_rho: (-?[0-9.]+)/g)].map((m) => Number(m[1]))).toEqual([0.5, 0.612346]);
  });

  it('rewrites the progress line in place at a terminal and ends it before other output', () => {
    const text = runReporter('text', true);
    expect(text).toMatch(/\rAlpha: 0\.0375 [^\n]*\n#mean_rho: 0\.5\n\rAlpha: 0\.0125 [^\n]*\nTraining finished!/);
  });
});

describe('JSON reporter', () => {
  it('writes one JSON record per line with progress, metric and result records', () => {
    const records = runReporter('json', false)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.every((r) => r.level === 30 && typeof r.time === 'number' && !('pid' in r) && !('hostname' in r))).toBe(true);
    expect(records.filter((r) => r.msg === 'progress')[0]).toMatchObject({ alpha: progress(0.25).alpha, progress: 0.25, epoch: 1, wordsPerSecond: 730_000 });
    const metrics = records.filter((r) => r.msg === 'metric');
    expect(metrics).toEqual([
      expect.objectContaining({ metric: 'train:mean_rho', value: 0.5, epoch: 1, final: false, line: '#mean_rho: 0.5' }),
      expect.objectContaining({ metric: 'train:mean_rho', value: 0.61234567, epoch: 2, final: true, line: '#mean_rho: 0.612346' }),
    ]);
    expect(records.find((r) => r.msg === 'evaluation')).toMatchObject({ eval: result.eval });
  });
});
