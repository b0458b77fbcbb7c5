import { describe, expect, it } from 'vitest';
import { SOBOL_MAX_DIMENSIONS, SobolSequence } from './sobol.js';

function points(sequence: SobolSequence, count: number): number[][] {
  return Array.from({ length: count }, (_, i) => {
    const out = new Array<number>(sequence.dimensions);
    sequence.point(i, out);
    return out;
  });
}

describe('SobolSequence', () => {
  it('reproduces the unscrambled Joe–Kuo sequence', () => {
    // Dimensions 1 and 2 as published (e.g. SciPy's Sobol(d=2, scramble=False) documentation); dimension 3 worked by
    // hand from its row (s = 2, a = 1, m = 1, 3): V = 1/2, 3/4, then m_3 = 2·m_2 ⊕ 4·m_1 ⊕ m_1 = 3, V_3 = 3/8,
    // XORed in Gray-code order.
    expect(points(new SobolSequence(3, false), 8)).toEqual([
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
    ]);
  });

  it('puts one of the first 2^m points in each interval of width 2^-m, in every dimension, scrambled or not', () => {
    for (const scramble of [false, { seed: 5 }] as const) {
      const first = points(new SobolSequence(SOBOL_MAX_DIMENSIONS, scramble), 64);
      for (let d = 0; d < SOBOL_MAX_DIMENSIONS; d++) {
        const cells = new Set(first.map((p) => Math.floor(p[d]! * 64)));
        expect(cells.size, `dimension ${d + 1}`).toBe(64);
      }
    }
  });

  it('keeps the 2-D net structure when scrambled: the same 16×16 cells filled by 256 points as unscrambled, at least half', () => {
    const cellCounts = (scramble: { seed: number } | false): number[] => {
      const first = points(new SobolSequence(8, scramble), 256);
      const counts: number[] = [];
      for (let a = 0; a < 8; a++) {
        for (let b = a + 1; b < 8; b++) counts.push(new Set(first.map((p) => Math.floor(p[a]! * 16) * 16 + Math.floor(p[b]! * 16))).size);
      }
      return counts;
    };
    const plain = cellCounts(false);
    expect(cellCounts({ seed: 1 })).toEqual(plain);
    expect(cellCounts({ seed: 99 })).toEqual(plain);
    expect(Math.min(...plain)).toBeGreaterThanOrEqual(128);
  });

  it('scrambles deterministically by seed and keeps points inside [0, 1)', () => {
    const a = points(new SobolSequence(5, { seed: 1 }), 32);
    expect(points(new SobolSequence(5, { seed: 1 }), 32)).toEqual(a);
    expect(points(new SobolSequence(5, { seed: 2 }), 32)).not.toEqual(a);
    expect(a[0]).not.toEqual([0, 0, 0, 0, 0]);
    for (const p of a) for (const v of p) expect(v >= 0 && v < 1).toBe(true);
  });

  it('rejects dimensions beyond its direction numbers', () => {
    expect(() => new SobolSequence(SOBOL_MAX_DIMENSIONS + 1, false)).toThrow(/1 to 40 dimensions/);
  });
});
