// INTERFACE STUB (helper A implements): keep exported names and signatures.
import type { WordVectors } from '../word-vectors.js';

/** word2vec binary format: "V D\n", then "word " + D little-endian float32 + "\n" per word. */
export async function writeWord2VecBinary(path: string, vectors: WordVectors): Promise<void> {
  throw new Error('not implemented');
}
export async function readWord2VecBinary(path: string): Promise<WordVectors> {
  throw new Error('not implemented');
}
