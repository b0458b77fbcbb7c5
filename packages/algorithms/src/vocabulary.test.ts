import { describe, expect, it } from 'vitest';
import { Vocabulary } from './vocabulary.js';

const vocabulary = new Vocabulary(['the', 'of', 'cat', 'rare'], new Float64Array([1000, 300, 20, 1]));

describe('Vocabulary', () => {
  it('indexes words and sums counts', () => {
    expect(vocabulary.size).toBe(4);
    expect(vocabulary.totalCount).toBe(1321);
    expect(vocabulary.indexOf('cat')).toBe(2);
    expect(vocabulary.indexOf('dog')).toBe(-1);
  });

  it('keep probability is sqrt(t/f) + t/f, clamped to 1', () => {
    const t = 1e-3;
    const keep = vocabulary.keepProbabilities(t);
    expect(keep).toBeInstanceOf(Float32Array);
    vocabulary.words.forEach((_, i) => {
      const ratio = t / (vocabulary.counts[i]! / 1321);
      expect(keep[i]).toBeCloseTo(Math.min(1, Math.sqrt(ratio) + ratio), 6);
    });
    expect(keep[0]).toBeLessThan(0.1);
    expect(keep[3]).toBe(1);
  });

  it('negative table gives each word its unigram^0.75 share within one slot', () => {
    const size = 100_003;
    const table = vocabulary.negativeTable(size);
    expect(table).toHaveLength(size);
    const slots = new Array<number>(vocabulary.size).fill(0);
    let outOfOrder = 0;
    for (let i = 0; i < size; i++) {
      slots[table[i]!]!++;
      if (i > 0 && table[i]! < table[i - 1]!) outOfOrder++;
    }
    expect(outOfOrder).toBe(0);
    const powers = Array.from(vocabulary.counts, (count) => count ** 0.75);
    const total = powers.reduce((a, b) => a + b, 0);
    powers.forEach((power, i) => expect(Math.abs(slots[i]! - (power / total) * size)).toBeLessThanOrEqual(1));
    expect(Array.from(vocabulary.negativeTable(size))).toEqual(Array.from(table));
  });

  it('negative table gives every word a slot even when its share is under one', () => {
    const counts = new Float64Array(50).fill(1);
    counts[0] = 1e9;
    const table = new Vocabulary(Array.from({ length: 50 }, (_, i) => `w${i}`), counts).negativeTable(1000);
    expect(new Set(table).size).toBe(50);
  });
});
