import { appendFileSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSupervisedHyperparameters, parseWord2VecHyperparameters, type MetricEvent } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { runSupervisedJob, type SupervisedJobOptions } from '../supervised-job.js';
import { writeLines, writeTopicCorpus } from '../testing/corpus-files.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { readWord2VecBinary } from '../formats/word2vec-binary.js';
import { runWord2VecJob, type Word2VecJobOptions } from '../word2vec-job.js';

const work = temporaryDirectory('resume-test-');

// Big enough that an epoch takes a moment, so that an abort lands inside one.
const corpusPath = join(work, 'corpus.txt');
const TOPIC_WORDS = Array.from({ length: 40 }, (_, topic) => Array.from({ length: 50 }, (_, w) => `t${topic}w${w}`));
writeTopicCorpus(corpusPath, { seed: 3, lines: 3_000, wordsPerLine: 20, wordsOfLine: (line) => TOPIC_WORDS[line % TOPIC_WORDS.length]! });

const LABEL_WORDS = { sports: 'ball goal team match score player', food: 'bread soup cook taste salt dinner', music: 'song band guitar drum sing album' };
function labeledLines(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const names = Object.keys(LABEL_WORDS) as (keyof typeof LABEL_WORDS)[];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, () => {
    const topic = pick(names);
    const words = Array.from({ length: 8 }, () => pick((random() < 0.6 ? LABEL_WORDS[topic] : LABEL_WORDS[pick(names)]).split(' ')));
    return `__label__${topic} ${words.join(' ')}`;
  });
}
const labeledTrain = join(work, 'labeled.train');
const labeledValid = join(work, 'labeled.valid');
writeLines(labeledTrain, labeledLines(15_000, 1));
writeLines(labeledValid, labeledLines(300, 2));

const word2vec = (raw: Record<string, unknown>) =>
  parseWord2VecHyperparameters({ mode: 'skipgram', min_count: 1, vector_dim: 10, epochs: 4, sampling_threshold: 0.001, evaluation: false, ...raw });
const supervised = (raw: Record<string, unknown>) =>
  parseSupervisedHyperparameters({ mode: 'supervised', min_count: 1, vector_dim: 10, epochs: 4, learning_rate: 0.2, word_ngrams: 2, buckets: 5000, ...raw });

interface LogRecord {
  message: string;
  fields: Record<string, unknown> | undefined;
}

type Job = (options: { checkpointDir?: string; signal?: AbortSignal; onLog?: Word2VecJobOptions['onLog']; onMetric?: (metric: MetricEvent) => void; outputDir: string }) => Promise<{ outputDir: string; files: string[] }>;

function word2vecJob(hp: ReturnType<typeof word2vec>, trainPath = corpusPath): Job {
  return (options) => runWord2VecJob({ trainPath, hyperparameters: hp, threads: 1, seed: 5, ...options });
}

function supervisedJob(hp: ReturnType<typeof supervised>, extra: Partial<SupervisedJobOptions> = {}): Job {
  return (options) => runSupervisedJob({ trainPath: labeledTrain, validationPath: labeledValid, hyperparameters: hp, threads: 1, seed: 5, ...extra, ...options });
}

/** Runs `job` with a log and metric recorder. */
async function recorded(job: Job, options: { checkpointDir?: string; outputDir: string }) {
  const logs: LogRecord[] = [];
  const metrics: MetricEvent[] = [];
  const result = await job({ ...options, onLog: (message, fields) => logs.push({ message, fields }), onMetric: (metric) => metrics.push(metric) });
  return { result, logs, metrics, messages: logs.map((log) => log.message) };
}

/** Runs `job` and aborts it as soon as it has saved the checkpoint of `epoch`, in the next epoch; returns the epoch of the checkpoint left. */
async function interruptAfter(epoch: number, job: Job, checkpointDir: string, outputDir: string): Promise<number> {
  const controller = new AbortController();
  const onLog = (message: string): void => {
    if (message === `Checkpoint written after epoch ${epoch}`) setImmediate(() => controller.abort(new Error('stopped by the test')));
  };
  await expect(job({ checkpointDir, outputDir, signal: controller.signal, onLog })).rejects.toThrow('stopped by the test');
  const left = readdirSync(checkpointDir);
  expect(left).toHaveLength(1);
  // The abort lands inside the next epoch, unless that epoch was done first (then its checkpoint is the one left).
  const saved = Number(/^epoch-(\d+)$/.exec(left[0]!)?.[1]);
  expect(saved === epoch || saved === epoch + 1, left[0]).toBe(true);
  return saved;
}

function artifacts(result: { outputDir: string; files: string[] }): Record<string, Buffer> {
  return Object.fromEntries(result.files.map((file) => [file, readFileSync(join(result.outputDir, file))]));
}

/** A job's result without what depends on the time it took. */
function untimed(result: object): Record<string, unknown> {
  const { seconds: _seconds, wordsPerSecond: _words, tokensPerSecond: _tokens, outputDir: _outputDir, ...rest } = result as Record<string, unknown>;
  return rest;
}

function resumedLog(logs: LogRecord[]): LogRecord | undefined {
  return logs.find((log) => log.message.startsWith('Resumed from checkpoint'));
}

describe.each([
  ['skipgram', word2vecJob(word2vec({ mode: 'skipgram', subwords: true, buckets: 500 }))],
  ['cbow', word2vecJob(word2vec({ mode: 'cbow' }))],
  ['batch_skipgram', word2vecJob(word2vec({ mode: 'batch_skipgram' }))],
  ['supervised softmax', supervisedJob(supervised({}))],
  ['supervised ns, early_stopping', supervisedJob(supervised({ loss: 'ns', epochs: 10, early_stopping: true, patience: 3, min_epochs: 2, learning_rate: 0.5 }))],
] as const)('%s, interrupted in epoch 3 and run again', (name, job) => {
  const dir = join(work, name.replace(/\W+/g, '-'));
  const checkpointDir = join(dir, 'checkpoints');

  it('resumes after the last saved epoch and ends with the model of a run never interrupted, bit for bit', async () => {
    const straight = await recorded(job, { outputDir: join(dir, 'straight') });
    const saved = await interruptAfter(2, job, checkpointDir, join(dir, 'interrupted'));
    const resumed = await recorded(job, { checkpointDir, outputDir: join(dir, 'resumed') });

    expect(resumedLog(resumed.logs)?.fields).toMatchObject({ checkpoint: join(checkpointDir, `epoch-${saved}`), completedEpochs: saved });
    expect(resumedLog(resumed.logs)?.message).toMatch(new RegExp(`^Resumed from checkpoint after epoch ${saved} of \\d+$`));
    expect(artifacts(resumed.result)).toEqual(artifacts(straight.result));
    expect(untimed(resumed.result)).toEqual(untimed(straight.result));
    // The epochs trained after the checkpoint report what the uninterrupted run reported, loss included.
    expect(resumed.metrics).toEqual(straight.metrics.filter((metric) => metric.epoch === undefined || metric.epoch > saved));

    // A retried job that had finished (say, it failed writing its artifacts) trains nothing more.
    const again = await recorded(job, { checkpointDir, outputDir: join(dir, 'again') });
    const last = Number(/^epoch-(\d+)$/.exec(readdirSync(checkpointDir)[0]!)?.[1]);
    expect(last).toBeGreaterThan(saved);
    expect(resumedLog(again.logs)?.fields).toMatchObject({ completedEpochs: last });
    expect(again.messages.filter((message) => message.startsWith('Checkpoint written'))).toEqual([]);
    expect(again.metrics.every((metric) => metric.epoch === undefined)).toBe(true);
    expect(artifacts(again.result)).toEqual(artifacts(straight.result));
  });
});

describe('resuming with more epochs', () => {
  it.each([
    ['cbow', (epochs: number) => word2vecJob(word2vec({ mode: 'cbow', epochs }))],
    ['supervised', (epochs: number) => supervisedJob(supervised({ epochs }))],
  ] as const)('%s: a job of 2 epochs goes on to 4 after its epoch 2', async (name, jobOf) => {
    const checkpointDir = join(work, `more-epochs-${name}`, 'checkpoints');
    const first = await recorded(jobOf(2), { checkpointDir, outputDir: join(work, `more-epochs-${name}`, 'two') });
    expect(resumedLog(first.logs)).toBeUndefined();
    expect(readdirSync(checkpointDir)).toEqual(['epoch-2']);
    const more = await recorded(jobOf(4), { checkpointDir, outputDir: join(work, `more-epochs-${name}`, 'four') });
    expect(resumedLog(more.logs)).toEqual({
      message: 'Resumed from checkpoint after epoch 2 of 4',
      fields: { checkpoint: join(checkpointDir, 'epoch-2'), completedEpochs: 2, epochs: 4 },
    });
    expect(more.messages.filter((message) => message.startsWith('Checkpoint written'))).toEqual(['Checkpoint written after epoch 3', 'Checkpoint written after epoch 4']);
    expect(readdirSync(checkpointDir)).toEqual(['epoch-4']);
  });
});

describe('resuming with several threads', () => {
  it('goes on from the merged model of a checkpoint another number of threads wrote', async () => {
    const checkpointDir = join(work, 'threads', 'checkpoints');
    const hp = word2vec({ mode: 'skipgram', epochs: 3 });
    const two = await runWord2VecJob({ trainPath: corpusPath, outputDir: join(work, 'threads', 'two'), hyperparameters: { ...hp, epochs: 2 }, threads: 2, checkpointDir });
    // The checkpoint holds the model the run ended with, the threads' replicas of the frequent words' rows merged.
    const saved = readFileSync(join(checkpointDir, 'epoch-2', 'input.f32'));
    const final = (await readWord2VecBinary(join(two.outputDir, 'vectors.bin'))).matrix;
    expect(new Float32Array(saved.buffer, saved.byteOffset, saved.length / 4)).toEqual(final);
    const logs: string[] = [];
    const result = await runWord2VecJob({ trainPath: corpusPath, outputDir: join(work, 'threads', 'three'), hyperparameters: hp, threads: 3, checkpointDir, onLog: (message) => logs.push(message) });
    expect(logs).toContain('Resumed from checkpoint after epoch 2 of 3');
    expect(logs).toContain('Checkpoint written after epoch 3');
    const vectors = readFileSync(join(result.outputDir, 'vectors.txt'), 'utf8').split('\n').slice(1, -1);
    expect(vectors).toHaveLength(TOPIC_WORDS.flat().length);
    expect(vectors.every((line) => line.split(' ').slice(1).every((value) => Number.isFinite(Number(value))))).toBe(true);
  });
});

describe('checkpoints that are not resumed', () => {
  const dir = join(work, 'not-resumed');
  const smallCorpus = join(dir, 'data', 'small.txt');
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeTopicCorpus(smallCorpus, { seed: 1, lines: 300, wordsPerLine: 20, wordsOfLine: (line) => TOPIC_WORDS[line % 4]! });

  /** A fresh checkpoint of `job` in a new directory. */
  async function checkpointOf(job: Job, name: string): Promise<string> {
    const checkpointDir = join(dir, name, 'checkpoints');
    await job({ checkpointDir, outputDir: join(dir, name, 'first') });
    return checkpointDir;
  }

  /** Runs `job` on `checkpointDir`: it must warn with `warning` and start over, its checkpoints replacing the one it ignored. */
  async function expectFreshStart(job: Job, checkpointDir: string, name: string, warning: RegExp): Promise<Awaited<ReturnType<typeof recorded>>> {
    const run = await recorded(job, { checkpointDir, outputDir: join(dir, name, 'fresh') });
    expect(resumedLog(run.logs)).toBeUndefined();
    const warnings = run.logs.filter((log) => log.message.startsWith('Warning: checkpoint'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(warning);
    expect(warnings[0]!.fields?.checkpoint).toMatch(/epoch-\d+$/);
    const written = run.messages.filter((message) => message.startsWith('Checkpoint written'));
    expect(written[0]).toBe('Checkpoint written after epoch 1');
    expect(readdirSync(checkpointDir)).toEqual([`epoch-${written.length}`]);
    return run;
  }

  it('of other hyperparameters, seed or data: warns naming what differs and starts over', async () => {
    const base = word2vec({ mode: 'cbow', epochs: 2 });
    let checkpointDir = await checkpointOf(word2vecJob(base, smallCorpus), 'hyperparameter');
    const other = word2vecJob({ ...base, vector_dim: 12 }, smallCorpus);
    const run = await expectFreshStart(other, checkpointDir, 'hyperparameter', /another job: vector_dim is 12, 10 in the checkpoint$/);
    expect(artifacts(run.result)).toEqual(artifacts((await recorded(other, { outputDir: join(dir, 'hyperparameter', 'reference') })).result));

    checkpointDir = await checkpointOf(word2vecJob(word2vec({ mode: 'cbow', epochs: 3 }), smallCorpus), 'fewer-epochs');
    await expectFreshStart(word2vecJob(base, smallCorpus), checkpointDir, 'fewer-epochs', /epochs is 2, 3 in the checkpoint \(epochs may only grow\)/);

    checkpointDir = await checkpointOf(word2vecJob(base, smallCorpus), 'seed');
    const otherSeed: Job = (options) => runWord2VecJob({ trainPath: smallCorpus, hyperparameters: base, threads: 1, seed: 6, ...options });
    await expectFreshStart(otherSeed, checkpointDir, 'seed', /seed is 6, 5 in the checkpoint/);

    checkpointDir = await checkpointOf(word2vecJob(base, smallCorpus), 'data');
    appendFileSync(smallCorpus, 't0w1 t0w2 t0w3\n');
    await expectFreshStart(word2vecJob(base, smallCorpus), checkpointDir, 'data', /train file small\.txt has \d+ bytes, \d+ in the checkpoint; vocabulary differs/);
  });

  it('of a classifier without validation data now: warns and starts over', async () => {
    const hp = supervised({ epochs: 2 });
    const checkpointDir = await checkpointOf(supervisedJob(hp), 'validation');
    await expectFreshStart(supervisedJob(hp, { validationPath: undefined }), checkpointDir, 'validation', /no validation data, the checkpoint's job had some/);
  });

  it('that is corrupt (truncated matrix, bad JSON): warns, never fails, and starts over', async () => {
    const job = word2vecJob(word2vec({ mode: 'cbow', epochs: 2 }), smallCorpus);
    let checkpointDir = await checkpointOf(job, 'truncated');
    truncateSync(join(checkpointDir, 'epoch-2', 'output.f32'), 100);
    await expectFreshStart(job, checkpointDir, 'truncated', /cannot be read: output\.f32: 100 bytes, expected \d+/);

    checkpointDir = await checkpointOf(job, 'bad-json');
    writeFileSync(join(checkpointDir, 'epoch-2', 'checkpoint.json'), '{"format": "blazefleet-checkpoint", ');
    await expectFreshStart(job, checkpointDir, 'bad-json', /cannot be read: unreadable checkpoint\.json/);
  });
});
