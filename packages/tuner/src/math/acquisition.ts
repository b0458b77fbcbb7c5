import type { GaussianProcess } from './gp.js';
import { minimizeBoxed } from './optimize.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Φ(z) through erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7 everywhere). */
export function normalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.5 * a);
  const poly =
    -a * a - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return 0.5 * (x >= 0 ? erfc : 2 - erfc);
}

/** Expected improvement below `best` of a normal with this mean and standard deviation (minimization). */
export function expectedImprovement(mean: number, sd: number, best: number): number {
  const z = (best - mean) / sd;
  return Math.max(0, sd * (z * normalCdf(z) + normalPdf(z)));
}

/** How the acquisition sees the feature space: which features move continuously, and the map onto feasible points. */
export interface AcquisitionSpace {
  readonly featureDimensions: number;
  /** 1 for features refined by gradient; integer and one-hot features stay where the candidate put them. */
  readonly continuousFeatures: Uint8Array;
  /** Rounds integer features and one-hot encodes categorical ones in place (the transform of Garrido-Merchán & Hernández-Lobato). */
  snapFeatures(features: Float64Array, offset: number): void;
}

export interface AcquisitionOptions {
  /** How many of the best candidates are refined by L-BFGS. */
  refine: number;
  /** Function evaluations per refinement. */
  maxEvaluations: number;
}

/**
 * Maximizes EI over snapped candidates (m × featureDimensions), then refines the best few along their continuous
 * features with a bounded L-BFGS on −EI. Writes the winner into `out` and returns its EI (in the GP's units).
 */
export function maximizeExpectedImprovement(
  gp: GaussianProcess,
  best: number,
  space: AcquisitionSpace,
  candidates: Float64Array,
  m: number,
  options: AcquisitionOptions,
  out: Float64Array,
): number {
  const dim = space.featureDimensions;
  const scores = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    gp.predict(candidates, c * dim);
    scores[c] = expectedImprovement(gp.mean, Math.sqrt(gp.variance), best);
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let bestEi = scores[order[0]!]!;
  out.set(candidates.subarray(order[0]! * dim, order[0]! * dim + dim));
  const free: number[] = [];
  for (let d = 0; d < dim; d++) if (space.continuousFeatures[d]) free.push(d);
  if (free.length === 0 || options.refine === 0) return bestEi;

  const x = new Float64Array(dim);
  const z = new Float64Array(free.length);
  const gradMean = new Float64Array(dim);
  const gradVariance = new Float64Array(dim);
  const lower = new Float64Array(free.length);
  const upper = new Float64Array(free.length).fill(1);
  let scale = 1;
  const negativeEi = (point: Float64Array, grad: Float64Array): number => {
    for (let k = 0; k < free.length; k++) x[free[k]!] = point[k]!;
    gp.predictWithGradient(x, 0, gradMean, gradVariance);
    const sd = Math.sqrt(gp.variance);
    const u = (best - gp.mean) / sd;
    const cdf = normalCdf(u);
    const pdf = normalPdf(u);
    for (let k = 0; k < free.length; k++) {
      const d = free[k]!;
      grad[k] = -scale * (-cdf * gradMean[d]! + (pdf * gradVariance[d]!) / (2 * sd));
    }
    return -scale * sd * (u * cdf + pdf);
  };
  for (let r = 0, taken = 0; r < m && taken < options.refine; r++) {
    const c = order[r]!;
    if (!(scores[c]! > 0)) break;
    taken++;
    x.set(candidates.subarray(c * dim, c * dim + dim));
    for (let k = 0; k < free.length; k++) z[k] = x[free[k]!]!;
    scale = 1 / scores[c]!;
    minimizeBoxed(negativeEi, z, lower, upper, { maxEvaluations: options.maxEvaluations, gradientTolerance: 1e-7 });
    for (let k = 0; k < free.length; k++) x[free[k]!] = z[k]!;
    gp.predict(x, 0);
    const ei = expectedImprovement(gp.mean, Math.sqrt(gp.variance), best);
    if (ei > bestEi) {
      bestEi = ei;
      out.set(x);
    }
  }
  return bestEi;
}
