import type { Vocabulary } from './vocabulary.js';

const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;
/** fastText's end-of-sentence token; it never gets character n-grams. */
const END_OF_SENTENCE = '</s>';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** fastText's 32-bit FNV-1a over UTF-8 bytes (bytes sign-extended, as fastText's int8_t cast does). */
export function fastTextHash(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  // ASCII text is its own UTF-8: hash the char codes without encoding (the common case, and a hot path of prediction).
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) hash = Math.imul(hash ^ code, FNV_PRIME);
    else ascii = false;
  }
  if (ascii) return hash >>> 0;
  hash = FNV_OFFSET_BASIS;
  const bytes = utf8Encoder.encode(text);
  for (let i = 0; i < bytes.length; i++) {
    hash = Math.imul(hash ^ ((bytes[i]! << 24) >> 24), FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * Walks the n-grams of `<word>` exactly as fastText's Dictionary::computeSubwords does and reports each as the byte
 * range [start, end) of the bracketed UTF-8 bytes with its hash. The hash grows with the n-gram, one byte at a time,
 * so no n-gram string is built.
 */
function forEachNgram(
  bytes: Uint8Array,
  minn: number,
  maxn: number,
  visit: (start: number, end: number, hash: number) => void,
): void {
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    if ((bytes[i]! & 0xc0) === 0x80) continue;
    let hash = FNV_OFFSET_BASIS;
    let j = i;
    for (let n = 1; j < length && n <= maxn; n++) {
      hash = Math.imul(hash ^ ((bytes[j++]! << 24) >> 24), FNV_PRIME);
      while (j < length && (bytes[j]! & 0xc0) === 0x80) {
        hash = Math.imul(hash ^ ((bytes[j++]! << 24) >> 24), FNV_PRIME);
      }
      if (n >= minn && !(n === 1 && (i === 0 || j === length))) visit(i, j, hash >>> 0);
    }
  }
}

function bracketed(word: string): Uint8Array {
  return utf8Encoder.encode('<' + word + '>');
}

/** Character n-grams of `<word>` of length minn..maxn, by fastText's rules (UTF-8 aware). */
export function characterNgrams(word: string, minn: number, maxn: number): string[] {
  const bytes = bracketed(word);
  const ngrams: string[] = [];
  forEachNgram(bytes, minn, maxn, (start, end) => ngrams.push(utf8Decoder.decode(bytes.subarray(start, end))));
  return ngrams;
}

/** Bucket ids (hash % buckets, not offset by the vocabulary size) of a word's n-grams. */
export function ngramBuckets(word: string, minn: number, maxn: number, buckets: number): Int32Array {
  if (buckets <= 0 || maxn <= 0) return new Int32Array(0);
  const ids: number[] = [];
  forEachNgram(bracketed(word), minn, maxn, (_start, _end, hash) => ids.push(hash % buckets));
  return Int32Array.from(ids);
}

/** CSR index: bucket ids of word i are rows[offsets[i] .. offsets[i+1]). */
export interface SubwordIndex {
  offsets: Int32Array;
  rows: Int32Array;
}

/**
 * fastText's getWordVector for every vocabulary word: the word's input row and its n-gram rows (bucket b at row
 * nwords + b of `input`, dim floats a row) added in float32, scaled by the float32 1/n, so that the vectors are
 * bit-identical to fastText's.
 */
export function wordVectorsWithNgrams(input: Float32Array, nwords: number, dim: number, index: SubwordIndex): Float32Array {
  const matrix = input.slice(0, nwords * dim);
  for (let word = 0; word < nwords; word++) {
    const target = word * dim;
    const first = index.offsets[word]!;
    const last = index.offsets[word + 1]!;
    for (let i = first; i < last; i++) {
      const source = (nwords + index.rows[i]!) * dim;
      for (let d = 0; d < dim; d++) matrix[target + d]! += input[source + d]!;
    }
    const scale = Math.fround(1 / (1 + last - first));
    for (let d = 0; d < dim; d++) matrix[target + d]! *= scale;
  }
  return matrix;
}

/** N-gram buckets of every vocabulary word; like fastText, the end-of-sentence token `</s>` gets none. */
export function buildSubwordIndex(vocabulary: Vocabulary, minn: number, maxn: number, buckets: number): SubwordIndex {
  const words = vocabulary.words;
  const offsets = new Int32Array(words.length + 1);
  if (buckets <= 0 || maxn <= 0 || minn > maxn) return { offsets, rows: new Int32Array(0) };
  let rows = new Int32Array(words.length * 16);
  let count = 0;
  const push = (_start: number, _end: number, hash: number): void => {
    if (count === rows.length) {
      const grown = new Int32Array(rows.length * 2);
      grown.set(rows);
      rows = grown;
    }
    rows[count++] = hash % buckets;
  };
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    if (word !== END_OF_SENTENCE) forEachNgram(bracketed(word), minn, maxn, push);
    offsets[w + 1] = count;
  }
  return { offsets, rows: rows.slice(0, count) };
}
