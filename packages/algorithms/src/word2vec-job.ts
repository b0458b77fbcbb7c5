// INTERFACE STUB (helper B implements): keep exported names and signatures.
import type { MetricEvent, TrainingProgress, Word2VecHyperparameters } from '@blazefleet/core';
import type { AnalogyResult } from './eval/analogy.js';
import type { EvalJson } from './eval/word-similarity.js';

export interface Word2VecJobOptions {
  trainPath: string;
  outputDir: string;
  hyperparameters: Word2VecHyperparameters;
  threads?: number;
  seed?: number;
  /** Emit train:mean_rho after every epoch (needs evaluation). */
  evaluateEveryEpoch?: boolean;
  /** Extra gold word-similarity files evaluated like WS-353. */
  wordSimilarityFiles?: string[];
  /** questions-words.txt style analogy file. */
  analogiesPath?: string;
  onProgress?: (progress: TrainingProgress) => void;
  onMetric?: (metric: MetricEvent) => void;
  /** Milestones: corpus read, vocabulary size, training finished, artifacts written. */
  onLog?: (message: string, fields?: Record<string, unknown>) => void;
  signal?: AbortSignal;
}

export interface Word2VecJobResult {
  outputDir: string;
  /** Artifact file names written into outputDir. */
  files: string[];
  eval?: EvalJson;
  analogies?: AnalogyResult;
  vocabularySize: number;
  tokenCount: number;
  seconds: number;
  wordsPerSecond: number;
}

/**
 * Reads the corpus, trains, evaluates and writes vectors.txt, vectors.bin, eval.json, model.bin (subwords)
 * and model.tar.gz into outputDir. Nothing is left half-written: artifacts appear only once all succeeded.
 */
export async function runWord2VecJob(options: Word2VecJobOptions): Promise<Word2VecJobResult> {
  throw new Error('not implemented');
}
