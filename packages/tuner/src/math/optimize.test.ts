import { describe, expect, it } from 'vitest';
import { minimizeBoxed } from './optimize.js';

describe('minimizeBoxed (projected L-BFGS)', () => {
  it('finds the Rosenbrock minimum inside the box', () => {
    const x = Float64Array.from([-1.2, 1]);
    const f = minimizeBoxed(
      (p, g) => {
        const [a, b] = [p[0]!, p[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      x,
      [-2, -2],
      [2, 2],
      { maxEvaluations: 500, gradientTolerance: 1e-9, relativeTolerance: 0 },
    );
    expect(f).toBeLessThan(1e-10);
    expect(x[0]).toBeCloseTo(1, 4);
    expect(x[1]).toBeCloseTo(1, 4);
  });

  it('stops on the bound when the unconstrained minimum lies outside', () => {
    const x = Float64Array.from([0.5, 0.5, 0.5]);
    minimizeBoxed(
      (p, g) => {
        let v = 0;
        const target = [2, -1, 0.3];
        for (let i = 0; i < 3; i++) {
          g[i] = 2 * (p[i]! - target[i]!);
          v += (p[i]! - target[i]!) ** 2;
        }
        return v;
      },
      x,
      [0, 0, 0],
      [1, 1, 1],
      { maxEvaluations: 100 },
    );
    expect(Array.from(x).map((v) => Number(v.toFixed(6)))).toEqual([1, 0, 0.3]);
  });

  it('keeps its evaluation budget', () => {
    let calls = 0;
    minimizeBoxed(
      (p, g) => {
        calls++;
        g[0] = Math.cos(p[0]!) * 10;
        return Math.sin(p[0]!) * 10;
      },
      Float64Array.from([0]),
      [-100],
      [100],
      { maxEvaluations: 7 },
    );
    expect(calls).toBeLessThanOrEqual(7);
  });
});
