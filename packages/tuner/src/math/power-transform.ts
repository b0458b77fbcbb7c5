/**
 * The Yeo–Johnson power transform with λ fitted by maximum likelihood, applied to standardized values and followed by
 * standardization. It makes skewed objectives (a few huge losses far from the optimum, as on Branin) look Gaussian, so
 * the GP spends its variance near the good values instead of on the outliers. Monotone: argmins are unchanged.
 */
export function yeoJohnsonStandardized(values: readonly number[]): Float64Array {
  const z = standardized(Float64Array.from(values));
  const lambda = fitLambda(z);
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = yeoJohnson(z[i]!, lambda);
  return standardized(out);
}

export function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) return Math.abs(lambda) < 1e-8 ? Math.log1p(y) : (Math.pow(y + 1, lambda) - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-8 ? -Math.log1p(-y) : -(Math.pow(1 - y, 2 - lambda) - 1) / (2 - lambda);
}

/** Profile log-likelihood of λ: −n/2 log σ²(ψ_λ(y)) + (λ − 1) Σ sign(y) log(|y| + 1). */
function logLikelihood(z: Float64Array, lambda: number, scratch: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < z.length; i++) mean += scratch[i] = yeoJohnson(z[i]!, lambda);
  mean /= z.length;
  let variance = 0;
  let jacobian = 0;
  for (let i = 0; i < z.length; i++) {
    variance += (scratch[i]! - mean) ** 2;
    jacobian += Math.sign(z[i]!) * Math.log1p(Math.abs(z[i]!));
  }
  variance /= z.length;
  return variance > 0 ? -0.5 * z.length * Math.log(variance) + (lambda - 1) * jacobian : -Infinity;
}

/** A coarse grid over [−2, 4], then golden-section search around the best grid point. */
function fitLambda(z: Float64Array): number {
  const scratch = new Float64Array(z.length);
  let best = 1;
  let bestValue = -Infinity;
  for (let lambda = -2; lambda <= 4 + 1e-9; lambda += 0.25) {
    const v = logLikelihood(z, lambda, scratch);
    if (v > bestValue) [best, bestValue] = [lambda, v];
  }
  let lo = best - 0.25;
  let hi = best + 0.25;
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 20; k++) {
    const a = hi - ratio * (hi - lo);
    const b = lo + ratio * (hi - lo);
    if (logLikelihood(z, a, scratch) >= logLikelihood(z, b, scratch)) hi = b;
    else lo = a;
  }
  return (lo + hi) / 2;
}

function standardized(v: Float64Array): Float64Array {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i]!;
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (v[i]! - mean) ** 2;
  const sd = variance > 0 ? Math.sqrt(variance / n) : 1;
  for (let i = 0; i < n; i++) v[i] = (v[i]! - mean) / sd;
  return v;
}
