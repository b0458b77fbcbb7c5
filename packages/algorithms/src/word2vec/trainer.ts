import { availableParallelism } from 'node:os';
import { InputDataError, TrainingDivergedError, type TrainingProgress, type Word2VecHyperparameters } from '@blazefleet/core';
import type { Corpus } from '../corpus.js';
import { buildSubwordIndex, wordVectorsWithNgrams, type SubwordIndex } from '../subwords.js';
import type { Vocabulary } from '../vocabulary.js';
import { WordVectors } from '../word-vectors.js';
import { KERNEL_MODES, kernelModule } from '../kernels/kernel-module.js';
import { compactRows, expandRows, restoreRows } from '../kernels/shared-memory.js';
import { createModelMemory, type ModelLayout } from './model-memory.js';
import { TrainingThreads, findNonFinite, type ThreadCounters } from '../kernels/training-threads.js';

/** Everything training needs to go on after a completed epoch (with the corpus, hyperparameters and seed it ran with). */
export interface Word2VecTrainingState {
  completedEpochs: number;
  counters: ThreadCounters;
  /** Input rows (words, then n-gram buckets) and output rows, packed: dim floats a row. */
  input: Float32Array;
  output: Float32Array;
}

/**
 * Data-parallel training: this process holds one replica of the model and trains slice `index` of `count` equal
 * slices of the corpus positions (or, with `shards`, all of its own shard); every `syncPositions` positions (per
 * replica) the replicas synchronize their models.
 */
export interface ModelReplicas {
  index: number;
  count: number;
  syncPositions: number;
  /**
   * Set when each replica was given only its own shard of the corpus (all with the same vocabulary): the totals of all
   * shards. Each replica trains all of its shard, in as many parts per epoch as the others (from `positions`), so that
   * the replicas move through their shards in step; the words reported are the job's (`tokenCount`).
   */
  shards?: { positions: number; tokenCount: number };
  /**
   * Makes `values` (or only its `ranges`, [start, end) element offsets) the same on every replica: the values at their
   * previous synchronization plus every replica's changes since (the first call, on identical initial models, only
   * records them). Every replica makes the same calls in the same order, while nothing trains.
   */
  synchronize(values: Float32Array, ranges?: readonly (readonly [number, number])[]): Promise<void>;
}

/** Keeps the replicas' generators apart: without it they would subsample and draw negatives alike. */
const REPLICA_SEED_STRIDE = 7919;
/**
 * Rows of the most frequent words synchronized after every part; the whole model after every FULL_SYNC_PARTS. On the
 * 16.9 M-word corpus with 2 hosts (bench/distributed.ts), a whole-model sync every 8 parts sent 165 bytes per training
 * word, every 32 parts 83 bytes and trained 13% faster at the same mean_rho (0.687 against 0.682); once an epoch (128
 * parts) 6% faster again, but mean_rho fell to 0.643: the rarer words' rows then drift apart for too long.
 */
const HOT_SYNC_ROWS = 4096;
const FULL_SYNC_PARTS = 32;

export interface Word2VecTrainingOptions {
  corpus: Corpus;
  hyperparameters: Word2VecHyperparameters;
  /** Worker threads (Hogwild); default: available parallelism. */
  threads?: number;
  /** With threads = 1 the same seed gives byte-identical vectors. Default 1. */
  seed?: number;
  onProgress?: (progress: TrainingProgress) => void;
  /** Called after each epoch while training is paused; `vectors()` gives the current vectors, valid until the callback returns. */
  onEpochEnd?: (epoch: number, vectors: () => WordVectors) => void | Promise<void>;
  signal?: AbortSignal;
  /** Milliseconds between progress events (default 1000). */
  progressIntervalMs?: number;
  /**
   * A state that onCheckpoint gave, of the same corpus, hyperparameters (epochs may be more) and seed: training goes on
   * after its last epoch. With one thread the result is then the same as that of a run never interrupted.
   */
  resumeFrom?: Word2VecTrainingState;
  /** Called after every epoch with the state, training paused until it resolves; the arrays are valid until then. */
  onCheckpoint?: (state: Word2VecTrainingState) => Promise<void>;
  /** Train as one replica of several (every replica is given the same corpus, or its shard, hyperparameters and seed). */
  replicas?: ModelReplicas;
}

export interface TrainedWord2Vec {
  hyperparameters: Word2VecHyperparameters;
  vocabulary: Vocabulary;
  /** Final word vectors (with subwords: averaged with their n-gram vectors, as fastText does). */
  vectors: WordVectors;
  /** Raw input matrix: (vocabulary.size + buckets when subwords) x dim. */
  input: Float32Array;
  /** Raw output matrix: vocabulary.size x dim. */
  output: Float32Array;
  /** Word tokens of the corpus (of all shards together when the replicas trained shards). */
  tokenCount: number;
  epochs: number;
  /** Training time of this run (of the epochs after the checkpoint when resumed). */
  seconds: number;
  /** Word tokens processed per second (epochs trained x tokenCount / seconds), by all replicas together. */
  wordsPerSecond: number;
  threads: number;
}

/** Trains cbow, skipgram or batch_skipgram with Hogwild worker threads over one shared WebAssembly memory. */
export async function trainWord2Vec(options: Word2VecTrainingOptions): Promise<TrainedWord2Vec> {
  const { corpus, hyperparameters: hp } = options;
  const seed = options.seed ?? 1;
  const tokens = corpus.tokens;
  if (corpus.tokenCount === 0 || corpus.vocabulary.size === 0) throw new InputDataError('corpus', 'has no words to train on');
  const replicas = options.replicas;
  const replicaCount = replicas?.count ?? 1;
  const shards = replicas?.shards;
  const sliced = replicas !== undefined && shards === undefined;
  const sliceStart = sliced ? Math.floor((replicas.index * tokens.length) / replicaCount) : 0;
  const sliceEnd = sliced ? Math.floor(((replicas.index + 1) * tokens.length) / replicaCount) : tokens.length;
  const slice = sliceEnd - sliceStart;
  // The same on every replica (slices differ by one position at most; shards are counted together), so that all
  // synchronize equally often: a replica that called synchronize() once more than the others would wait forever.
  const partsPerEpoch = replicas ? Math.max(1, Math.round((shards?.positions ?? tokens.length) / replicaCount / replicas.syncPositions)) : 1;
  const jobTokenCount = shards?.tokenCount ?? corpus.tokenCount;
  const threadSeed = seed + REPLICA_SEED_STRIDE * (replicas?.index ?? 0);
  const threadCount = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.ceil(slice / 1000)));
  const subwords = hp.subwords ? buildSubwordIndex(corpus.vocabulary, hp.min_char, hp.max_char, hp.buckets) : undefined;
  const { memory, layout } = createModelMemory(corpus.vocabulary, hp, subwords, threadCount, seed);
  const resumed = options.resumeFrom;
  if (resumed !== undefined) {
    restoreRows(memory, layout.input, layout.inputRows, layout.dim, layout.stride, resumed.input);
    restoreRows(memory, layout.output, layout.nwords, layout.dim, layout.stride, resumed.output);
  }

  const threads = new TrainingThreads(
    kernelModule(),
    memory,
    // Replicas move through their slices or shards in step, so each one's share done is the job's: the learning rate
    // follows it.
    hp.epochs * slice,
    layout.threads.map((slot, t) => ({
      kind: 'word2vec' as const,
      mode: KERNEL_MODES[hp.mode],
      tokens,
      chunk: slot.chunk,
      start: sliceStart + Math.floor((t * slice) / threadCount),
      end: sliceStart + Math.floor(((t + 1) * slice) / threadCount),
      learningRate: hp.learning_rate,
      seed: threadSeed,
      configure: [
        layout.dim, layout.stride, layout.input, layout.output, layout.negatives, layout.negativesSize, layout.keep,
        layout.sigmoid, layout.logs, layout.subwordOffsets, layout.subwordRows, hp.subwords ? 1 : 0, hp.window_size,
        hp.negative_samples, hp.batch_size, layout.maxRowsPerWord, layout.hotWords, slot.scratch,
      ],
    })),
    resumed?.counters,
  );
  const started = performance.now();
  // Words of the whole job per position this replica trains (the replicas train theirs in step).
  const jobWordsPerPosition = shards ? shards.tokenCount / slice : (replicaCount * corpus.tokenCount) / tokens.length;
  const firstEpoch = resumed?.completedEpochs ?? 0;
  let epoch = firstEpoch;
  const stopReporting = threads.reportProgress(
    options.onProgress,
    (done, doneHere, seconds) => ({
      alpha: hp.learning_rate * Math.max(1 - done / threads.totalWork, 1e-4),
      epoch: Math.min(epoch + 1, hp.epochs),
      wordsPerSecond: seconds > 0 ? (doneHere * jobWordsPerPosition) / seconds : 0,
    }),
    options.progressIntervalMs,
  );
  try {
    // The replicas start from the same model (the same seed): the first call records it as the base of their changes.
    await replicas?.synchronize(modelRows(memory, layout));
    for (; epoch < hp.epochs; epoch++) {
      for (let part = 0; part < partsPerEpoch; part++) {
        if (await threads.runEpochPart({ epoch, part, parts: partsPerEpoch }, options.signal)) throw new TrainingDivergedError(epoch + 1, 'loss became NaN');
        // Ji et al.: the frequent words' rows change with almost every step, the others rarely: those are synchronized
        // after every part, the whole model every FULL_SYNC_PARTS parts and at the end of each epoch. (Summing a part's
        // changes while the next part trained measured no faster on one core per host, and raced with training.)
        const full = (part + 1) % FULL_SYNC_PARTS === 0 || part === partsPerEpoch - 1;
        await replicas?.synchronize(modelRows(memory, layout), full ? undefined : hotRanges(layout));
      }
      const evaluate = options.onEpochEnd !== undefined && epoch + 1 < hp.epochs;
      if (!evaluate && options.onCheckpoint === undefined) continue;
      const input = compactRows(memory, layout.input, layout.inputRows, layout.dim, layout.stride);
      const output = compactRows(memory, layout.output, layout.nwords, layout.dim, layout.stride);
      try {
        if (evaluate) await options.onEpochEnd!(epoch + 1, () => word2VecVectors(corpus.vocabulary, hp, input, subwords));
        await options.onCheckpoint?.({ completedEpochs: epoch + 1, counters: threads.counters(), input, output });
      } finally {
        expandRows(memory, layout.input, layout.inputRows, layout.dim, layout.stride);
        expandRows(memory, layout.output, layout.nwords, layout.dim, layout.stride);
      }
    }
  } finally {
    await threads.terminate();
    stopReporting();
  }

  const seconds = (performance.now() - started) / 1000;
  const input = compactRows(memory, layout.input, layout.inputRows, layout.dim, layout.stride);
  const output = compactRows(memory, layout.output, layout.nwords, layout.dim, layout.stride);
  if ((findNonFinite(input) ?? findNonFinite(output)) !== undefined) throw new TrainingDivergedError(hp.epochs, 'vectors contain NaN or infinity');
  const vectors = word2VecVectors(corpus.vocabulary, hp, input, subwords);
  if (options.onEpochEnd) await options.onEpochEnd(hp.epochs, () => vectors);
  return {
    hyperparameters: hp,
    vocabulary: corpus.vocabulary,
    vectors,
    input,
    output,
    tokenCount: jobTokenCount,
    epochs: hp.epochs,
    seconds,
    wordsPerSecond: seconds > 0 ? ((hp.epochs - firstEpoch) * jobTokenCount) / seconds : 0,
    threads: threadCount,
  };
}

/** Input and output rows as they lie in memory, padding and all: what replicas synchronize. */
function modelRows(memory: WebAssembly.Memory, layout: ModelLayout): Float32Array {
  return new Float32Array(memory.buffer, layout.input, (layout.output - layout.input) / 4 + layout.nwords * layout.stride);
}

/** The input and output rows of the HOT_SYNC_ROWS most frequent words (ids are by frequency), within modelRows. */
function hotRanges(layout: ModelLayout): [number, number][] {
  const length = Math.min(HOT_SYNC_ROWS, layout.nwords) * layout.stride;
  const output = (layout.output - layout.input) / 4;
  return [
    [0, length],
    [output, output + length],
  ];
}

/**
 * Word vectors from the input matrix (vocabulary.size + buckets when subwords, x dim): without subwords the word rows
 * themselves; with subwords, the average of the word row and its n-gram rows (fastText's getWordVector), keeping the
 * n-gram rows for unknown words.
 */
export function word2VecVectors(vocabulary: Vocabulary, hp: Word2VecHyperparameters, input: Float32Array, subwords: SubwordIndex | undefined): WordVectors {
  const dim = hp.vector_dim;
  const nwords = vocabulary.size;
  if (!subwords) return new WordVectors(vocabulary.words, dim, input.subarray(0, nwords * dim));
  const matrix = wordVectorsWithNgrams(input, nwords, dim, subwords);
  return new WordVectors(vocabulary.words, dim, matrix, {
    minn: hp.min_char,
    maxn: hp.max_char,
    buckets: hp.buckets,
    ngramVectors: input.subarray(nwords * dim),
  });
}
