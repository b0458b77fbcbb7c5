import { GaussianProcess } from './math/gp.js';
import { SobolSequence } from './math/sobol.js';
import type { SearchSpace } from './search-space.js';
import type { Observation } from './strategies/strategy.js';

/** Background points averaged over, and grid points per numeric parameter. */
const BACKGROUND = 128;
const GRID = 16;
const FIT_EVALUATIONS = 100;

/**
 * First-order functional ANOVA of a Gaussian process fitted to the observations. The main effect of parameter p is
 * f_p(v) = mean over background points x of μ(x with p = v), for v on a grid of its scaled range (every value of a
 * categorical); its importance is Var_v f_p(v), normalized so that the importances sum to 1 (equal shares when the
 * model is flat). Background points are a fixed scrambled Sobol' set, so the answer depends only on the observations.
 */
export function parameterImportance(space: SearchSpace, observations: readonly Observation[], objective: number): Record<string, number> {
  const dim = space.featureDimensions;
  const n = observations.length;
  const x = new Float64Array(n * dim);
  observations.forEach((o, i) => space.paramsToFeatures(o.params, x, i * dim));
  const y = observations.map((o) => o.losses[objective]!);
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / n) || 1;
  const gp = new GaussianProcess(dim);
  gp.setData(x, Float64Array.from(y, (v) => (v - mean) / sd), n);
  gp.fit(gp.defaultTheta(), FIT_EVALUATIONS);

  const d = space.dimensions;
  const background = new Float64Array(BACKGROUND * d);
  const sobol = new SobolSequence(d, { seed: 0x5eed });
  for (let b = 0; b < BACKGROUND; b++) sobol.point(b, background, b * d);
  const u = new Float64Array(d);
  const features = new Float64Array(dim);
  const variances = space.names.map((name, p) => {
    const range = space.ranges[name]!;
    const levels = range.type === 'Categorical' ? range.values.length : GRID;
    const effects: number[] = [];
    for (let level = 0; level < levels; level++) {
      let sum = 0;
      for (let b = 0; b < BACKGROUND; b++) {
        u.set(background.subarray(b * d, b * d + d));
        u[p] = (level + 0.5) / levels;
        space.unitToFeatures(u, 0, features, 0);
        sum += gp.predictMean(features, 0);
      }
      effects.push(sum / BACKGROUND);
    }
    const m = effects.reduce((s, v) => s + v, 0) / levels;
    return effects.reduce((s, v) => s + (v - m) ** 2, 0) / levels;
  });
  const total = variances.reduce((s, v) => s + v, 0);
  return Object.fromEntries(space.names.map((name, p) => [name, total > 0 ? variances[p]! / total : 1 / d]));
}
