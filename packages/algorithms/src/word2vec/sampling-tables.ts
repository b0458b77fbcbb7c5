import { shuffle } from '../kernels/shared-memory.js';
import type { Vocabulary } from '../vocabulary.js';

// What every word2vec trainer (the WebAssembly one, the tensor one) samples negatives from, so that all draw alike.

/** Slots of the unigram^0.75 negative table. */
export const NEGATIVE_TABLE_SIZE = 10_000_000;

/**
 * The negative table of word ids (Vocabulary.negativeTable), shuffled by `seed`: trainers read it sequentially from a
 * random start, as fastText does, which needs no random access into 40 MB per draw.
 */
export function shuffledNegativeTable(vocabulary: Vocabulary, seed: number): Int32Array {
  const table = vocabulary.negativeTable(NEGATIVE_TABLE_SIZE);
  shuffle(table, seed);
  return table;
}
