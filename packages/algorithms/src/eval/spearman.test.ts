import { describe, expect, it } from 'vitest';
import { naiveSpearman } from '../testing/reference-formulas.js';
import { seededRandom } from '../testing/seeded-random.js';
import { averageRanks, spearman } from './spearman.js';

describe('averageRanks', () => {
  it('gives tied values the mean of the ranks they span', () => {
    expect([...averageRanks([10, 20, 20, 5, 20])]).toEqual([2, 4, 4, 1, 4]);
    expect([...averageRanks([3, 1, 2])]).toEqual([3, 1, 2]);
  });
});

describe('spearman', () => {
  it('is 1 for any increasing relation and -1 for a decreasing one', () => {
    const x = [1, 2, 3, 4, 5, 6];
    expect(spearman(x, x.map((v) => v ** 3))).toBeCloseTo(1, 12);
    expect(spearman(x, x.map((v) => -Math.exp(v)))).toBeCloseTo(-1, 12);
  });

  it('matches a naive rank-counting computation, with and without ties', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = 3 + Math.floor(random() * 60);
      const ties = trial % 2 === 0;
      const x = Array.from({ length: n }, () => (ties ? Math.floor(random() * 5) : random()));
      const y = Array.from({ length: n }, (_, i) => (ties ? Math.floor(random() * 4) : x[i]! + random()));
      const expected = naiveSpearman(x, y);
      if (Number.isNaN(expected)) continue;
      expect(spearman(x, y)).toBeCloseTo(expected, 12);
    }
  });

  it('returns 0 where the correlation is undefined', () => {
    expect(spearman([], [])).toBe(0);
    expect(spearman([1], [2])).toBe(0);
    expect(spearman([3, 3, 3], [1, 2, 3])).toBe(0);
    expect(spearman([1, 2, 3], [1, Number.NaN, 3])).toBe(0);
  });

  it('refuses inputs of different lengths', () => {
    expect(() => spearman([1, 2], [1, 2, 3])).toThrow(RangeError);
  });
});
