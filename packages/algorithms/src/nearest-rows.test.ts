import { describe, expect, it } from 'vitest';
import { offerRowsByDot, TopRows, writeUnitRows } from './nearest-rows.js';
import { seededRandom } from './testing/seeded-random.js';

function randomMatrix(rows: number, dim: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: rows * dim }, () => random() - 0.5);
}

/** Every row's dot product with the query, sorted best first (ties to the lower row), as the reference. */
function fullSort(matrix: Float32Array, dim: number, query: Float32Array): { row: number; score: number }[] {
  const rows = matrix.length / dim;
  return Array.from({ length: rows }, (_, row) => {
    let score = 0;
    for (let d = 0; d < dim; d++) score += matrix[row * dim + d]! * query[d]!;
    return { row, score };
  }).sort((a, b) => b.score - a.score || a.row - b.row);
}

describe('TopRows and offerRowsByDot', () => {
  it.each([1, 5, 17, 100])('keep the same best %i rows as a full sort, best first', (k) => {
    for (const dim of [3, 16, 17]) {
      const matrix = randomMatrix(400, dim, dim);
      const query = randomMatrix(1, dim, 99 + dim);
      const top = new TopRows(k);
      offerRowsByDot(matrix, dim, query, 0, 400, top);
      const expected = fullSort(matrix, dim, query).slice(0, k);
      const best = top.best();
      expect(best.map((r) => r.row)).toEqual(expected.map((r) => r.row));
      best.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 12));
    }
  });

  it('merges the best of row ranges into the best of all rows', () => {
    const matrix = randomMatrix(300, 8, 4);
    const query = randomMatrix(1, 8, 5);
    const whole = new TopRows(10);
    offerRowsByDot(matrix, 8, query, 0, 300, whole);
    const merged = new TopRows(10);
    for (const [from, to] of [[0, 100], [100, 250], [250, 300]] as const) {
      const part = new TopRows(10);
      offerRowsByDot(matrix, 8, query, from, to, part);
      for (let i = 0; i < part.size; i++) merged.offer(part.scores[i]!, part.rows[i]!);
    }
    expect(merged.best()).toEqual(whole.best());
  });

  it('ranks equal scores by row and keeps fewer rows than it has room for', () => {
    const top = new TopRows(3);
    for (const row of [4, 2, 9, 1]) top.offer(0.5, row);
    expect(top.best().map((r) => r.row)).toEqual([1, 2, 4]);
    const roomy = new TopRows(10);
    offerRowsByDot(new Float32Array([1, 0, 0, 1]), 2, new Float32Array([0, 1]), 0, 2, roomy);
    expect(roomy.best()).toEqual([{ row: 1, score: 1 }, { row: 0, score: 0 }]);
  });
});

describe('writeUnitRows', () => {
  it('scales rows to unit length and leaves zero rows zero', () => {
    const matrix = new Float32Array([3, 4, 0, 0, -1, 0]);
    const unit = new Float32Array(6).fill(7);
    writeUnitRows(matrix, 2, unit);
    expect(Array.from(unit)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0, -1, 0]);
  });
});
