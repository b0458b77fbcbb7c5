// INTERFACE STUB (lead implements): keep exported names and signatures.
import type { TrainingProgress, Word2VecHyperparameters } from '@blazefleet/core';
import type { Corpus } from '../corpus.js';
import type { Vocabulary } from '../vocabulary.js';
import type { WordVectors } from '../word-vectors.js';

export interface Word2VecTrainingOptions {
  corpus: Corpus;
  hyperparameters: Word2VecHyperparameters;
  /** Worker threads (Hogwild); default: available parallelism. */
  threads?: number;
  /** With threads = 1 the same seed gives byte-identical vectors. Default 1. */
  seed?: number;
  onProgress?: (progress: TrainingProgress) => void;
  /** Called after each epoch while training is paused; `vectors()` snapshots the current vectors. */
  onEpochEnd?: (epoch: number, vectors: () => WordVectors) => void | Promise<void>;
  signal?: AbortSignal;
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

export async function trainWord2Vec(options: Word2VecTrainingOptions): Promise<TrainedWord2Vec> {
  throw new Error('not implemented');
}
