// INTERFACE STUB (helper A implements): keep exported names and signatures.
import type { WordVectors } from '../word-vectors.js';

/** The parts of a fastText .bin model (format version 12) that Blazefleet writes and reads. */
export interface FastTextModel {
  args: {
    dim: number;
    ws: number;
    epoch: number;
    minCount: number;
    neg: number;
    wordNgrams: number;
    loss: 'hs' | 'ns' | 'softmax' | 'ova';
    model: 'cbow' | 'sg' | 'sup';
    bucket: number;
    minn: number;
    maxn: number;
    lrUpdateRate: number;
    t: number;
  };
  words: string[];
  counts: Float64Array;
  /** Labels (supervised models), after the words in the dictionary. */
  labels: string[];
  labelCounts: Float64Array;
  ntokens: number;
  /** (words.length + bucket) x dim. */
  input: Float32Array;
  /** rows x dim (words for cbow/sg, labels for supervised). */
  output: Float32Array;
}

export async function writeFastTextModel(path: string, model: FastTextModel): Promise<void> {
  throw new Error('not implemented');
}
export async function readFastTextModel(path: string): Promise<FastTextModel> {
  throw new Error('not implemented');
}
/** Word vectors as fastText computes them: the average of the word's row and its n-gram rows; keeps n-grams for unknown words. */
export function wordVectorsFromFastTextModel(model: FastTextModel): WordVectors {
  throw new Error('not implemented');
}
