import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputDataError, TrainingDivergedError, parseWord2VecHyperparameters, type MetricEvent } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { archiveEntries } from './testing/archive-entries.js';
import { writeTopicCorpus } from './testing/corpus-files.js';
import { readCorpus } from './corpus.js';
import { loopbackHosts } from './distributed/loopback-hosts.js';
import { directorySnapshot } from './testing/directory-snapshot.js';
import { fastTextRows, hasFastText } from './testing/reference-tools.js';
import { temporaryDirectory } from './testing/temporary-directory.js';
import { runWord2VecJob, type DistributedWord2VecOptions, type Word2VecJobResult } from './word2vec-job.js';

const work = temporaryDirectory('word2vec-job-test-');

const WS353 = ['EN-WS-353-ALL.txt', 'EN-WS-353-REL.txt', 'EN-WS-353-SIM.txt'];
const WORDS = ['tiger', 'cat', 'car', 'automobile', 'king', 'queen', 'money', 'bank', 'the', 'of', 'dollar', 'cash'];
const trainPath = join(work, 'train.txt');
writeTopicCorpus(trainPath, { seed: 1, lines: 300, wordsPerLine: 20, wordsOfLine: () => WORDS });

const hyperparameters = (raw: Record<string, unknown>) =>
  parseWord2VecHyperparameters({ mode: 'cbow', min_count: 1, vector_dim: 10, epochs: 2, ...raw });

describe('runWord2VecJob', () => {
  it('writes vectors, eval.json and model.tar.gz, and reports metrics and milestones', async () => {
    const outputDir = join(work, 'cbow');
    mkdirSync(outputDir);
    writeFileSync(join(outputDir, 'notes.txt'), 'keep me');
    const metrics: MetricEvent[] = [];
    const logs: string[] = [];
    const result = await runWord2VecJob({
      trainPath,
      outputDir,
      hyperparameters: hyperparameters({}),
      threads: 1,
      evaluateEveryEpoch: true,
      onMetric: (m) => metrics.push(m),
      onLog: (message) => logs.push(message),
    });
    expect(result.files).toEqual(['vectors.txt', 'vectors.bin', 'eval.json', 'model.tar.gz']);
    expect(readdirSync(outputDir).sort()).toEqual(['eval.json', 'model.tar.gz', 'notes.txt', 'vectors.bin', 'vectors.txt']);
    expect(readFileSync(join(outputDir, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(result.vocabularySize).toBe(WORDS.length);
    expect(result.tokenCount).toBe(6000);
    expect(readFileSync(join(outputDir, 'vectors.txt'), 'utf8').split('\n')[0]).toBe(`${WORDS.length} 10`);

    const text = readFileSync(join(outputDir, 'eval.json'), 'utf8');
    expect(text).toContain('\n    "EN-WS-353-ALL.txt": {\n        "not_found": ');
    const json = JSON.parse(text) as Record<string, { not_found: number; spearmans_rho: number; total_pairs: number }> & { mean_rho: number };
    expect(json).toEqual(result.eval);
    expect(Object.keys(json)).toEqual([...WS353, 'mean_rho']);
    for (const [name, total] of [['EN-WS-353-ALL.txt', 353], ['EN-WS-353-REL.txt', 252], ['EN-WS-353-SIM.txt', 203]] as const) {
      expect(json[name]!.total_pairs).toBe(total);
      expect(json[name]!.not_found).toBeGreaterThan(total - 20);
      expect(json[name]!.not_found).toBeLessThan(total);
      expect(Math.abs(json[name]!.spearmans_rho)).toBeLessThanOrEqual(1);
    }
    expect(json.mean_rho).toBeCloseTo(WS353.reduce((s, n) => s + json[n]!.spearmans_rho, 0) / 3, 12);

    expect(metrics.map((m) => [m.name, m.epoch])).toEqual([
      ['train:mean_rho', 1],
      ['train:mean_rho', 2],
      ['train:mean_rho', undefined],
    ]);
    expect(metrics.at(-1)!.value).toBe(json.mean_rho);
    expect(logs).toEqual(['Read 6000 words', `Vocabulary: ${WORDS.length} words`, 'Trained 2 epochs on 1 thread', 'Artifacts written']);
    expect((await archiveEntries(join(outputDir, 'model.tar.gz'))).map((entry) => entry.path)).toEqual(['vectors.txt', 'vectors.bin', 'eval.json']);
  });

  it('adds model.bin with subwords, loadable by fastText', async () => {
    const outputDir = join(work, 'subwords');
    const result = await runWord2VecJob({
      trainPath,
      outputDir,
      hyperparameters: hyperparameters({ mode: 'skipgram', subwords: true, buckets: 1000, evaluation: false }),
      threads: 1,
    });
    expect(result.files).toEqual(['vectors.txt', 'vectors.bin', 'model.bin', 'model.tar.gz']);
    expect(result.eval).toBeUndefined();
    expect((await archiveEntries(join(outputDir, 'model.tar.gz'))).map((entry) => entry.path)).toEqual(['vectors.txt', 'vectors.bin', 'model.bin']);
    if (!hasFastText()) return;
    const fromFastText = fastTextRows(['print-word-vectors', join(outputDir, 'model.bin')], { input: 'tiger\n' })[0]!.slice(1).map(Number);
    const row = readFileSync(join(outputDir, 'vectors.txt'), 'utf8').split('\n').find((line) => line.startsWith('tiger '))!;
    const ours = row.trim().split(' ').slice(1).map(Number);
    expect(fromFastText).toHaveLength(10);
    fromFastText.forEach((v, k) => expect(v).toBeCloseTo(ours[k]!, 4));
  });

  it('gives byte-identical archives for identical single-threaded trainings', async () => {
    const archives = [];
    for (const name of ['same-a', 'same-b']) {
      const result = await runWord2VecJob({ trainPath, outputDir: join(work, name), hyperparameters: hyperparameters({}), threads: 1, seed: 7 });
      archives.push(readFileSync(join(result.outputDir, 'model.tar.gz')));
    }
    expect(archives[0]!.equals(archives[1]!)).toBe(true);
  });

  it('trains on a directory of files as on their concatenation', async () => {
    const lines = readFileSync(trainPath, 'utf8').split('\n').slice(0, -1);
    const parts = [lines.slice(0, 100), lines.slice(100, 180), lines.slice(180)].map((part) => `${part.join('\n')}\n`);
    const dir = join(work, 'train-dir');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    // Key order: a.txt, nested/b.txt.gz, z.txt.
    writeFileSync(join(dir, 'z.txt'), parts[2]!);
    writeFileSync(join(dir, 'nested', 'b.txt.gz'), gzipSync(parts[1]!));
    writeFileSync(join(dir, 'a.txt'), parts[0]!);
    writeFileSync(join(dir, '.notes'), 'not training data\n');
    const concatenated = join(work, 'concatenated.txt');
    writeFileSync(concatenated, parts.join(''));
    const vectors = [];
    for (const [name, path] of [['from-dir', dir], ['from-file', concatenated]] as const) {
      const result = await runWord2VecJob({ trainPath: path, outputDir: join(work, name), hyperparameters: hyperparameters({ mode: 'skipgram' }), threads: 1, seed: 3 });
      expect(result.tokenCount).toBe(6000);
      vectors.push(readFileSync(join(result.outputDir, 'vectors.bin')));
    }
    expect(vectors[0]!.equals(vectors[1]!)).toBe(true);
  });

  it('scores analogies when given a questions file', async () => {
    const questions = join(work, 'questions.txt');
    writeFileSync(questions, ': money\nmoney dollar bank cash\nking queen tiger cat\n: gram-x\ncar automobile unknown word\n');
    const metrics: MetricEvent[] = [];
    const result = await runWord2VecJob({
      trainPath,
      outputDir: join(work, 'analogies'),
      hyperparameters: hyperparameters({}),
      threads: 1,
      analogiesPath: questions,
      onMetric: (m) => metrics.push(m),
    });
    expect(result.analogies!.overall.total).toBe(2);
    expect(result.analogies!.skipped).toBe(1);
    expect(metrics.find((m) => m.name === 'train:analogy_accuracy')!.value).toBe(result.analogies!.overall.accuracy);
  });

  describe('failures leave the output directory exactly as it was', () => {
    const outputDir = join(work, 'precious');
    mkdirSync(join(outputDir, 'sub'), { recursive: true });
    writeFileSync(join(outputDir, 'vectors.txt'), 'an earlier run');
    writeFileSync(join(outputDir, 'sub', 'data.bin'), Buffer.from([0, 1, 2]));
    const before = directorySnapshot(outputDir);

    it('when no word reaches min_count', async () => {
      const run = runWord2VecJob({ trainPath, outputDir, hyperparameters: hyperparameters({ min_count: 1_000_000 }), threads: 1 });
      await expect(run).rejects.toThrow(InputDataError);
      expect(directorySnapshot(outputDir)).toEqual(before);
    });

    it('when training diverges', async () => {
      const hp = hyperparameters({ learning_rate: 10, sampling_threshold: 1, epochs: 5 });
      await expect(runWord2VecJob({ trainPath, outputDir, hyperparameters: hp, threads: 1 })).rejects.toThrow(TrainingDivergedError);
      expect(directorySnapshot(outputDir)).toEqual(before);
    });

    it('when the run is aborted after the first epoch', async () => {
      const controller = new AbortController();
      const run = runWord2VecJob({
        trainPath,
        outputDir,
        hyperparameters: hyperparameters({}),
        threads: 1,
        evaluateEveryEpoch: true,
        signal: controller.signal,
        onMetric: () => controller.abort(),
      });
      await expect(run).rejects.toThrow();
      expect(directorySnapshot(outputDir)).toEqual(before);
    });

    it('when an extra gold file is malformed, before any training', async () => {
      const gold = join(work, 'bad-gold.txt');
      writeFileSync(gold, 'tiger cat\n');
      const run = runWord2VecJob({ trainPath, outputDir, hyperparameters: hyperparameters({}), wordSimilarityFiles: [gold] });
      await expect(run).rejects.toThrow(`${gold}:1`);
      expect(directorySnapshot(outputDir)).toEqual(before);
    });

    it('and a directory the run created is removed again', async () => {
      const fresh = join(work, 'never', 'created');
      await expect(runWord2VecJob({ trainPath, outputDir: fresh, hyperparameters: hyperparameters({ min_count: 1_000_000 }) })).rejects.toThrow();
      expect(existsSync(join(work, 'never'))).toBe(false);
      await expect(runWord2VecJob({ trainPath: join(work, 'absent.txt'), outputDir: fresh, hyperparameters: hyperparameters({}) })).rejects.toThrow(
        InputDataError,
      );
      expect(existsSync(join(work, 'never'))).toBe(false);
    });
  });
});

describe('runWord2VecJob on several hosts', () => {
  /** Runs one job per host on loopback: the results, and the fields each host logged after training. */
  async function runHosts(
    trainPaths: string[],
    distributed: Omit<DistributedWord2VecOptions, 'rank' | 'hosts'>,
  ): Promise<{ result: Word2VecJobResult; trained: Record<string, unknown> }[]> {
    const hosts = await loopbackHosts(trainPaths.length);
    return Promise.all(
      trainPaths.map(async (path, rank) => {
        let trained: Record<string, unknown> = {};
        const result = await runWord2VecJob({
          trainPath: path,
          outputDir: join(work, `hosts-${hosts.length}-${Object.keys(distributed).join('-')}`),
          hyperparameters: hyperparameters({ mode: 'batch_skipgram', min_count: 2 }),
          threads: 1,
          evaluateEveryEpoch: true,
          distributed: { rank, hosts, stepTimeoutMs: 60_000, ...distributed },
          onLog: (message, fields) => {
            if (message.startsWith('Trained on')) trained = fields!;
          },
        });
        return { result, trained };
      }),
    );
  }

  it('with sharded input, gives every host the vocabulary of all shards and the same vectors, for shards of unequal size', async () => {
    const shards = join(work, 'shards');
    mkdirSync(join(shards, 'all'), { recursive: true });
    // Shard 1 is a quarter of shard 0, and its own words ('lion', 'euro') are in no other shard.
    writeTopicCorpus(join(shards, 'all', 'part-0.txt'), { seed: 2, lines: 160, wordsPerLine: 10, wordsOfLine: () => WORDS });
    writeTopicCorpus(join(shards, 'all', 'part-1.txt'), { seed: 3, lines: 40, wordsPerLine: 10, wordsOfLine: () => [...WORDS.slice(0, 6), 'lion', 'euro'] });
    const whole = await readCorpus(join(shards, 'all'), { minCount: 2 });
    expect(whole.vocabulary.words).toContain('lion');

    const hosts = await runHosts([join(shards, 'all', 'part-0.txt'), join(shards, 'all', 'part-1.txt')], { shardedInput: true, syncPositions: 150 });
    expect(hosts[0]!.result.files).toContain('vectors.txt');
    expect(hosts[1]!.result.files).toEqual([]);
    const vectorsText = readFileSync(join(hosts[0]!.result.outputDir, 'vectors.txt'), 'utf8').trim().split('\n');
    expect(vectorsText.slice(1).map((line) => line.split(' ')[0])).toEqual(whole.vocabulary.words);
    for (const { result, trained } of hosts) {
      expect(result.vocabularySize).toBe(whole.vocabulary.size);
      expect(result.tokenCount).toBe(whole.tokenCount);
      expect(result.wordsPerSecond).toBeGreaterThan(0);
      expect(trained.vocabularySha256).toBe(hosts[0]!.trained.vocabularySha256);
      expect(trained.vectorsSha256).toBe(hosts[0]!.trained.vectorsSha256);
      // As many syncs on both hosts, several an epoch: (2200 / 2 / 150 = 7 parts) x 2 epochs.
      expect(trained.syncBytesSent).toBe(hosts[0]!.trained.syncBytesSent);
    }
  });

  it('with fully replicated input, trains each host on its slice of the same corpus to the same vectors', async () => {
    const hosts = await runHosts([trainPath, trainPath], { syncPositions: 1000 });
    for (const { result, trained } of hosts) {
      expect(result.tokenCount).toBe(6000);
      expect(trained.vectorsSha256).toBe(hosts[0]!.trained.vectorsSha256);
    }
  });
});
