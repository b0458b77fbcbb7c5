import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputDataError, TrainingDivergedError, type TrainingProgress, type Word2VecHyperparameters } from '@blazefleet/core';
import type { Corpus } from '../corpus.js';
import { buildSubwordIndex, type SubwordIndex } from '../subwords.js';
import type { Vocabulary } from '../vocabulary.js';
import { WordVectors } from '../word-vectors.js';
import { KERNEL_MODES, kernelModule } from './kernel-module.js';
import { createModelMemory, type ModelLayout } from './model-memory.js';
import type { TrainingThreadData, TrainingThreadMessage } from './training-thread.js';

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
  tokenCount: number;
  epochs: number;
  seconds: number;
  /** Corpus tokens processed per second (epochs x tokenCount / seconds). */
  wordsPerSecond: number;
  threads: number;
}

// Compiled JS runs the worker beside this file; under a TypeScript test runner it runs the built copy.
const THREAD_SCRIPT = new URL(
  import.meta.url.endsWith('.ts') ? '../../dist/word2vec/training-thread.js' : './training-thread.js',
  import.meta.url,
);

/** Trains cbow, skipgram or batch_skipgram with Hogwild worker threads over one shared WebAssembly memory. */
export async function trainWord2Vec(options: Word2VecTrainingOptions): Promise<TrainedWord2Vec> {
  const { corpus, hyperparameters: hp } = options;
  const seed = options.seed ?? 1;
  const tokens = corpus.tokens;
  if (corpus.tokenCount === 0 || corpus.vocabulary.size === 0) throw new InputDataError('corpus', 'has no words to train on');
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.ceil(tokens.length / 1000)));
  const subwords = hp.subwords ? buildSubwordIndex(corpus.vocabulary, hp.min_char, hp.max_char, hp.buckets) : undefined;
  const { memory, layout } = createModelMemory(corpus.vocabulary, hp, subwords, threads, seed);

  const totalWork = hp.epochs * tokens.length;
  const processed = new BigInt64Array(new SharedArrayBuffer(8));
  const loss = new Float64Array(new SharedArrayBuffer(16 * threads));
  const module = kernelModule();
  const workers: Worker[] = [];
  for (let t = 0; t < threads; t++) {
    const data: TrainingThreadData = {
      module,
      memory,
      layout,
      thread: t,
      tokens,
      start: Math.floor((t * tokens.length) / threads),
      end: Math.floor(((t + 1) * tokens.length) / threads),
      mode: KERNEL_MODES[hp.mode],
      learningRate: hp.learning_rate,
      window: hp.window_size,
      negative: hp.negative_samples,
      batchSize: hp.batch_size,
      subwords: hp.subwords,
      seed: BigInt.asUintN(64, BigInt(seed) * 1_000_003n + BigInt(t) + 1n),
      processed,
      loss,
      totalWork,
    };
    workers.push(new Worker(THREAD_SCRIPT, { workerData: data }));
  }

  const started = performance.now();
  const wordsPerPosition = corpus.tokenCount / tokens.length;
  let lastLoss = 0;
  let lastExamples = 0;
  let epoch = 0;
  const report = () => {
    if (!options.onProgress) return;
    const done = Math.min(Number(Atomics.load(processed, 0)), totalWork);
    const seconds = (performance.now() - started) / 1000;
    let lossSum = 0;
    let examples = 0;
    for (let t = 0; t < threads; t++) {
      lossSum += loss[2 * t]!;
      examples += loss[2 * t + 1]!;
    }
    const perSecond = seconds > 0 ? done / seconds : 0;
    options.onProgress({
      alpha: hp.learning_rate * Math.max(1 - done / totalWork, 1e-4),
      progress: done / totalWork,
      epoch: Math.min(epoch + 1, hp.epochs),
      wordsPerSecond: perSecond * wordsPerPosition,
      etaSeconds: perSecond > 0 ? (totalWork - done) / perSecond : Number.POSITIVE_INFINITY,
      loss: examples > lastExamples ? (lossSum - lastLoss) / (examples - lastExamples) : 0,
    });
    lastLoss = lossSum;
    lastExamples = examples;
  };
  const timer = setInterval(report, options.progressIntervalMs ?? 1000);

  try {
    for (; epoch < hp.epochs; epoch++) {
      options.signal?.throwIfAborted();
      const results = await Promise.all(workers.map((worker) => runEpoch(worker, epoch, options.signal)));
      if (results.some((r) => r.type === 'diverged')) throw new TrainingDivergedError(epoch + 1, 'loss became NaN');
      if (options.onEpochEnd && epoch + 1 < hp.epochs) {
        const input = compactRows(memory, layout.input, layout.inputRows, layout.dim, layout.stride);
        try {
          await options.onEpochEnd(epoch + 1, () => buildVectors(corpus.vocabulary, hp, layout, input, subwords));
        } finally {
          expandRows(memory, layout.input, layout.inputRows, layout.dim, layout.stride);
        }
      }
    }
  } finally {
    clearInterval(timer);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  report();

  const seconds = (performance.now() - started) / 1000;
  const input = compactRows(memory, layout.input, layout.inputRows, layout.dim, layout.stride);
  const output = compactRows(memory, layout.output, layout.nwords, layout.dim, layout.stride);
  const firstBad = findNonFinite(input) ?? findNonFinite(output);
  if (firstBad !== undefined) throw new TrainingDivergedError(hp.epochs, 'vectors contain NaN or infinity');
  const vectors = buildVectors(corpus.vocabulary, hp, layout, input, subwords);
  if (options.onEpochEnd) await options.onEpochEnd(hp.epochs, () => vectors);
  return {
    hyperparameters: hp,
    vocabulary: corpus.vocabulary,
    vectors,
    input,
    output,
    tokenCount: corpus.tokenCount,
    epochs: hp.epochs,
    seconds,
    wordsPerSecond: (hp.epochs * corpus.tokenCount) / seconds,
    threads,
  };
}

function runEpoch(worker: Worker, epoch: number, signal: AbortSignal | undefined): Promise<TrainingThreadMessage> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal!.reason);
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onMessage = (message: TrainingThreadMessage) => {
      cleanup();
      resolve(message);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({ epoch });
  });
}

function findNonFinite(values: Float32Array): number | undefined {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return undefined;
}

/** Moves rows stored `stride` floats apart to `dim` floats apart, in place; returns the packed rows. */
function compactRows(memory: WebAssembly.Memory, offset: number, rows: number, dim: number, stride: number): Float32Array {
  const all = new Float32Array(memory.buffer, offset, rows * stride);
  if (stride !== dim) for (let r = 1; r < rows; r++) all.copyWithin(r * dim, r * stride, r * stride + dim);
  return all.subarray(0, rows * dim);
}

/** Undoes compactRows (the padding floats are never read, so their values do not matter). */
function expandRows(memory: WebAssembly.Memory, offset: number, rows: number, dim: number, stride: number): void {
  const all = new Float32Array(memory.buffer, offset, rows * stride);
  if (stride !== dim) for (let r = rows - 1; r > 0; r--) all.copyWithin(r * stride, r * dim, r * dim + dim);
}

/**
 * Word vectors from the packed input matrix: without subwords the word rows themselves; with subwords, the
 * average of the word row and its n-gram rows (fastText's getWordVector), keeping the n-gram rows for unknown words.
 */
function buildVectors(
  vocabulary: Vocabulary,
  hp: Word2VecHyperparameters,
  layout: ModelLayout,
  input: Float32Array,
  subwords: SubwordIndex | undefined,
): WordVectors {
  const { dim, nwords } = layout;
  if (!subwords) return new WordVectors(vocabulary.words, dim, input.subarray(0, nwords * dim));
  const matrix = new Float32Array(nwords * dim);
  for (let w = 0; w < nwords; w++) {
    const start = subwords.offsets[w]!;
    const end = subwords.offsets[w + 1]!;
    const out = w * dim;
    for (let d = 0; d < dim; d++) matrix[out + d] = input[w * dim + d]!;
    for (let j = start; j < end; j++) {
      const row = (nwords + subwords.rows[j]!) * dim;
      for (let d = 0; d < dim; d++) matrix[out + d]! += input[row + d]!;
    }
    const scale = 1 / (1 + end - start);
    for (let d = 0; d < dim; d++) matrix[out + d]! *= scale;
  }
  return new WordVectors(vocabulary.words, dim, matrix, {
    minn: hp.min_char,
    maxn: hp.max_char,
    buckets: hp.buckets,
    ngramVectors: input.subarray(nwords * dim),
  });
}
