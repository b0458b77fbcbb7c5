import { describe, expect, it } from 'vitest';
import { cholesky, choleskyInverse, dot, solveLower, solveLowerTransposed } from './linalg.js';

function spd(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = Math.exp(-Math.abs(i - j) / 3) + (i === j ? 0.5 : 0);
  return a;
}

describe('dense Cholesky kernels', () => {
  it('factors A = L Lᵀ', () => {
    const n = 7;
    const a = spd(n);
    const l = a.slice();
    expect(cholesky(l, n)).toBe(true);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += l[i * n + k]! * l[j * n + k]!;
        expect(s).toBeCloseTo(a[i * n + j]!, 12);
      }
    }
  });

  it('solves A x = b through L and Lᵀ', () => {
    const n = 6;
    const a = spd(n);
    const l = a.slice();
    cholesky(l, n);
    const x = Float64Array.from({ length: n }, (_, i) => i - 2.5);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] = b[i]! + a[i * n + j]! * x[j]!;
    solveLower(l, n, b);
    solveLowerTransposed(l, n, b);
    for (let i = 0; i < n; i++) expect(b[i]).toBeCloseTo(x[i]!, 10);
  });

  it('inverts A from its factor', () => {
    const n = 9;
    const a = spd(n);
    const l = a.slice();
    cholesky(l, n);
    const inverse = new Float64Array(n * n);
    choleskyInverse(l, n, inverse, new Float64Array(n * n));
    const at = (i: number, j: number) => (i >= j ? inverse[i * n + j]! : inverse[j * n + i]!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k]! * at(k, j);
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('reports a matrix that is not positive definite', () => {
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
  });

  it('computes dot products of any length and offset', () => {
    const a = Float64Array.from({ length: 11 }, (_, i) => i);
    const b = Float64Array.from({ length: 11 }, (_, i) => 2 * i + 1);
    for (const length of [0, 1, 3, 4, 5, 9]) {
      let expected = 0;
      for (let k = 0; k < length; k++) expected += a[2 + k]! * b[1 + k]!;
      expect(dot(a, 2, b, 1, length)).toBe(expected);
    }
  });
});
