import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { blazefleet, jsonRecords, writeTinyCorpus } from './blazefleet-cli.js';

/** The SageMaker-style metric definition for train:mean_rho; it must find the metric in both log formats. */
const MEAN_RHO_REGEX = /#mean_rho: (-?[0-9.]+)/g;

const dir = temporaryDirectory('blazefleet-cli-train-');
const corpus = join(dir, 'corpus.txt');
const TINY = ['--min_count', '1', '--vector_dim', '10', '--epochs', '1', '--threads', '1'];

beforeAll(() => writeTinyCorpus(corpus));

function evalMeanRho(out: string): number {
  return (JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as { mean_rho: number }).mean_rho;
}

function vectorsHeader(out: string): string {
  return readFileSync(join(out, 'vectors.txt'), 'utf8').split('\n')[0]!;
}

describe('blazefleet train', () => {
  it('writes the artifacts and JSON log lines with progress and metric records', () => {
    const out = join(dir, 'json');
    const run = blazefleet(['train', '--mode', 'skipgram', '--train', corpus, '--output', out, ...TINY, '--log-format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    for (const file of ['vectors.txt', 'vectors.bin', 'eval.json', 'model.tar.gz']) expect(existsSync(join(out, file)), file).toBe(true);
    expect(vectorsHeader(out)).toMatch(/^\d+ 10$/);

    const records = jsonRecords(run.stdout);
    expect(records.every((r) => typeof r.level === 'number' && typeof r.time === 'number' && typeof r.msg === 'string')).toBe(true);
    const progress = records.filter((r) => r.msg === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const key of ['alpha', 'progress', 'wordsPerSecond', 'etaSeconds', 'epoch']) expect(typeof progress.at(-1)![key], key).toBe('number');
    expect(progress.at(-1)!.progress).toBe(1);

    const metric = records.find((r) => r.msg === 'metric' && r.metric === 'train:mean_rho' && r.final === true);
    expect(metric).toMatchObject({ epoch: 1, value: evalMeanRho(out) });
    const scraped = [...run.stdout.matchAll(MEAN_RHO_REGEX)].map((m) => Number(m[1]));
    expect(scraped).toEqual([Number(evalMeanRho(out).toFixed(6))]);
  });

  it('prints BlazingText-style text with a greppable metric line', () => {
    const out = join(dir, 'text');
    const run = blazefleet(['train', '--mode', 'cbow', '--train', corpus, '--output', out, ...TINY, '--log-format', 'text']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.some((l) => /^Alpha: \d+\.\d{4} {2}Progress: \d+\.\d{2}% {2}Million Words\/sec: \d+\.\d{2} {2}ETA: \d+h \d+m \d+s$/.test(l))).toBe(true);
    for (const expected of ['Training finished!', 'Evaluating word embeddings....']) expect(lines).toContain(expected);
    expect(lines.some((l) => /^Average throughput in Million words\/sec: \d+\.\d+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^Total training time in seconds: \d+\.\d+$/.test(l))).toBe(true);
    expect(run.stdout).toContain(JSON.stringify(JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')), null, 4));
    const scraped = [...run.stdout.matchAll(MEAN_RHO_REGEX)].map((m) => Number(m[1]));
    expect(scraped).toEqual([Number(evalMeanRho(out).toFixed(6))]);
  });

  it('reports train:mean_rho after every epoch with --evaluate_every_epoch', () => {
    const out = join(dir, 'every-epoch');
    const run = blazefleet(['train', '--mode', 'skipgram', '--train', corpus, '--output', out, ...TINY, '--epochs', '3', '--evaluate_every_epoch', '--log-format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const perEpoch = jsonRecords(run.stdout).filter((r) => r.msg === 'metric' && r.final === false);
    expect(perEpoch.map((r) => r.epoch)).toEqual([1, 2, 3]);
  });

  it('reads --hyperparameters with string values, flags overriding the file', () => {
    const hp = join(dir, 'hp.json');
    writeFileSync(hp, JSON.stringify({ mode: 'batch_skipgram', epochs: '1', min_count: '1', vector_dim: '10', batch_size: '4', evaluation: 'false' }));
    const fromFile = join(dir, 'hp-file');
    let run = blazefleet(['train', '--train', corpus, '--output', fromFile, '--hyperparameters', hp, '--threads', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(vectorsHeader(fromFile)).toMatch(/ 10$/);
    expect(existsSync(join(fromFile, 'eval.json'))).toBe(false);

    const overridden = join(dir, 'hp-override');
    run = blazefleet(['train', '--train', corpus, '--output', overridden, '--hyperparameters', hp, '--threads', '1', '--vector_dim=12', '--evaluation', 'true']);
    expect(run.code, run.stderr).toBe(0);
    expect(vectorsHeader(overridden)).toMatch(/ 12$/);
    expect(existsSync(join(overridden, 'eval.json'))).toBe(true);
  });

  it('--subwords alone trains n-gram vectors and writes model.bin', () => {
    const out = join(dir, 'subwords');
    const run = blazefleet(['train', '--mode', 'skipgram', '--train', corpus, '--output', out, ...TINY, '--subwords', '--buckets', '1000', '--log-format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(out, 'model.bin'))).toBe(true);
  });

  it('gives byte-identical vectors.bin for the same seed with one thread, different ones for another seed', () => {
    const runs = [7, 7, 8].map((seed, i) => {
      const out = join(dir, `seed-${i}`);
      const run = blazefleet(['train', '--mode', 'skipgram', '--train', corpus, '--output', out, ...TINY, '--epochs', '2', '--seed', String(seed)]);
      expect(run.code, run.stderr).toBe(0);
      return readFileSync(join(out, 'vectors.bin'));
    });
    expect(runs[0]!.equals(runs[1]!)).toBe(true);
    expect(runs[0]!.equals(runs[2]!)).toBe(false);
  });
});
