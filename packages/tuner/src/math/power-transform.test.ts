import { describe, expect, it } from 'vitest';
import { yeoJohnson, yeoJohnsonStandardized } from './power-transform.js';

const skewness = (v: ArrayLike<number>): number => {
  const a = Array.from(v);
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
  return a.reduce((s, x) => s + ((x - m) / sd) ** 3, 0) / a.length;
};

describe('Yeo–Johnson transform', () => {
  it('is the identity at λ = 1 and log1p at λ = 0 for non-negative values', () => {
    expect(yeoJohnson(3.5, 1)).toBeCloseTo(3.5, 12);
    expect(yeoJohnson(-2, 1)).toBeCloseTo(-2, 12);
    expect(yeoJohnson(3.5, 0)).toBeCloseTo(Math.log(4.5), 12);
  });

  it('keeps the order, standardizes, and removes most of the skew of heavy-tailed losses', () => {
    const losses = Array.from({ length: 60 }, (_, i) => 0.4 + Math.exp(i / 8));
    const warped = yeoJohnsonStandardized(losses);
    for (let i = 1; i < warped.length; i++) expect(warped[i]!).toBeGreaterThan(warped[i - 1]!);
    expect(warped.reduce((s, v) => s + v, 0) / warped.length).toBeCloseTo(0, 10);
    expect(warped.reduce((s, v) => s + v * v, 0) / warped.length).toBeCloseTo(1, 10);
    expect(Math.abs(skewness(warped))).toBeLessThan(Math.abs(skewness(losses)) / 2);
  });
});
