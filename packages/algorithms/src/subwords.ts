// INTERFACE STUB (helper A implements): keep exported names and signatures.
import type { Vocabulary } from './vocabulary.js';

/** fastText's 32-bit FNV-1a over UTF-8 bytes (bytes sign-extended, as fastText's int8_t cast does). */
export function fastTextHash(text: string): number {
  throw new Error('not implemented');
}

/** Character n-grams of `<word>` of length minn..maxn, by fastText's rules (UTF-8 aware). */
export function characterNgrams(word: string, minn: number, maxn: number): string[] {
  throw new Error('not implemented');
}

/** Bucket ids (hash % buckets, not offset by the vocabulary size) of a word's n-grams. */
export function ngramBuckets(word: string, minn: number, maxn: number, buckets: number): Int32Array {
  throw new Error('not implemented');
}

/** CSR index: bucket ids of word i are rows[offsets[i] .. offsets[i+1]). */
export interface SubwordIndex {
  offsets: Int32Array;
  rows: Int32Array;
}

export function buildSubwordIndex(vocabulary: Vocabulary, minn: number, maxn: number, buckets: number): SubwordIndex {
  throw new Error('not implemented');
}
