import { WordVectors } from '../word-vectors.js';

/** `count` words: `first`, then w0, w1, ... for the rest. */
export function numberedWords(count: number, first: readonly string[] = []): string[] {
  return [...first, ...Array.from({ length: count - first.length }, (_, i) => `w${i}`)];
}

/** Vectors for `words` whose values `value` draws one after another, row by row. */
export function randomWordVectors(words: readonly string[], dim: number, value: () => number): WordVectors {
  return new WordVectors([...words], dim, Float32Array.from({ length: words.length * dim }, value));
}
