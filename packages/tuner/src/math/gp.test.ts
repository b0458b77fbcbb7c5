import { describe, expect, it } from 'vitest';
import { GaussianProcess } from './gp.js';
import { Rng } from './random.js';

/** Matérn 5/2 written out: σ² (1 + √5 r + 5r²/3) exp(−√5 r), r = |Δ| / ℓ. */
function matern52(delta: number, lengthscale: number, signal: number): number {
  const r = Math.abs(delta) / lengthscale;
  return signal * (1 + Math.sqrt(5) * r + (5 * r * r) / 3) * Math.exp(-Math.sqrt(5) * r);
}

function randomData(rng: Rng, n: number, dim: number, f: (x: number[]) => number): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n * dim);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: dim }, () => rng.next());
    x.set(row, i * dim);
    y[i] = f(row);
  }
  return { x, y };
}

describe('GaussianProcess', () => {
  it('matches the posterior of two points worked out by hand', () => {
    const [lengthscale, signal, noise] = [0.5, 2, 0.01];
    const [x1, x2, y1, y2, xq] = [0.2, 0.6, 1, -0.5, 0.3];
    // K = [[a, c], [c, a]], K⁻¹ = [[a, −c], [−c, a]] / (a² − c²).
    const a = signal + noise;
    const c = matern52(x1 - x2, lengthscale, signal);
    const det = a * a - c * c;
    const alpha1 = (a * y1 - c * y2) / det;
    const alpha2 = (-c * y1 + a * y2) / det;
    const [k1, k2] = [matern52(xq - x1, lengthscale, signal), matern52(xq - x2, lengthscale, signal)];
    const mean = k1 * alpha1 + k2 * alpha2;
    const variance = signal - (a * k1 * k1 - 2 * c * k1 * k2 + a * k2 * k2) / det;

    const gp = new GaussianProcess(1);
    gp.setData([x1, x2], [y1, y2], 2);
    gp.condition([Math.log(lengthscale), Math.log(signal), Math.log(noise)]);
    gp.predict([xq], 0);
    expect(gp.mean).toBeCloseTo(mean, 7);
    expect(gp.variance).toBeCloseTo(variance, 7);
    expect(gp.predictMean([xq], 0)).toBeCloseTo(mean, 7);
  });

  it('has the analytic gradient of its negative log posterior', () => {
    const rng = Rng.fromSeed(1);
    const { x, y } = randomData(rng, 15, 3, ([a, b, c]) => Math.sin(4 * a!) + b! * c!);
    const gp = new GaussianProcess(3);
    gp.setData(x, y, 15);
    const theta = Float64Array.from([-1, -0.5, 0.2, 0.1, Math.log(0.05)]);
    const grad = new Float64Array(5);
    gp.negativeLogPosterior(theta, grad);
    const scratch = new Float64Array(5);
    for (let k = 0; k < 5; k++) {
      const h = 1e-5;
      const plus = Float64Array.from(theta);
      const minus = Float64Array.from(theta);
      plus[k] = plus[k]! + h;
      minus[k] = minus[k]! - h;
      const numeric = (gp.negativeLogPosterior(plus, scratch) - gp.negativeLogPosterior(minus, scratch)) / (2 * h);
      expect(grad[k]).toBeCloseTo(numeric, 4);
    }
  });

  it('has the analytic gradients of its posterior mean and variance', () => {
    const rng = Rng.fromSeed(2);
    const { x, y } = randomData(rng, 12, 2, ([a, b]) => Math.cos(3 * a!) - b!);
    const gp = new GaussianProcess(2);
    gp.setData(x, y, 12);
    gp.condition([-1, -0.7, 0, Math.log(1e-3)]);
    const at = [0.37, 0.61];
    const gm = new Float64Array(2);
    const gv = new Float64Array(2);
    gp.predictWithGradient(at, 0, gm, gv);
    for (let d = 0; d < 2; d++) {
      const h = 1e-6;
      const plus = [...at];
      const minus = [...at];
      plus[d] = plus[d]! + h;
      minus[d] = minus[d]! - h;
      gp.predict(plus, 0);
      const [mp, vp] = [gp.mean, gp.variance];
      gp.predict(minus, 0);
      expect(gm[d]).toBeCloseTo((mp - gp.mean) / (2 * h), 5);
      expect(gv[d]).toBeCloseTo((vp - gp.variance) / (2 * h), 5);
    }
  });

  it('fits its hyperparameters well enough to predict a smooth function from 30 points', () => {
    const f = ([a, b]: number[]) => Math.sin(6 * a!) + 2 * (b! - 0.5) ** 2;
    const { x, y } = randomData(Rng.fromSeed(3), 30, 2, f);
    const gp = new GaussianProcess(2);
    gp.setData(x, y, 30);
    gp.fit(gp.defaultTheta(), 100);
    const rng = Rng.fromSeed(4);
    let squared = 0;
    for (let k = 0; k < 100; k++) {
      const p = [rng.next(), rng.next()];
      gp.predict(p, 0);
      squared += (gp.mean - f(p)) ** 2;
    }
    expect(Math.sqrt(squared / 100)).toBeLessThan(0.05);
  });

  it('takes a pending point valued at its posterior mean without moving the mean, and collapses its variance', () => {
    const { x, y } = randomData(Rng.fromSeed(5), 10, 2, ([a, b]) => a! - b!);
    const gp = new GaussianProcess(2);
    gp.setData(x, y, 10);
    const theta = [-1, -1, 0, Math.log(1e-4)];
    gp.condition(theta);
    const pending = [0.9, 0.1];
    gp.predict(pending, 0);
    const [mean, variance] = [gp.mean, gp.variance];
    gp.append(pending, 0, mean);
    gp.condition(theta);
    gp.predict(pending, 0);
    expect(gp.mean).toBeCloseTo(mean, 6);
    expect(gp.variance).toBeLessThan(variance / 100);
  });
});
