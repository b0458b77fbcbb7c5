// INTERFACE STUB (helper A implements): keep exported names and signatures.
import type { WordVectors } from '../word-vectors.js';

/** word2vec text format: "V D" header, then "word v1 ... vD" per line. Loads with gensim's load_word2vec_format. */
export async function writeWord2VecText(path: string, vectors: WordVectors): Promise<void> {
  throw new Error('not implemented');
}
export async function readWord2VecText(path: string): Promise<WordVectors> {
  throw new Error('not implemented');
}
