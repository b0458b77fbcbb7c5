import type { Rng } from './math/random.js';

/** a dominates b: no worse in every loss and better in one (losses: lower is better). */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) better = true;
  }
  return better;
}

/** Indices of the loss vectors no other one dominates, in input order. */
export function paretoFrontIndices(losses: readonly (readonly number[])[]): number[] {
  return losses.flatMap((l, i) => (losses.some((other) => dominates(other, l)) ? [] : [i]));
}

/** ParEGO's ρ in the augmented Chebyshev scalarization. */
const AUGMENTATION = 0.05;

/**
 * ParEGO (Knowles 2006): each loss normalized to [0, 1] over the observations, then
 * max_i λ_i f_i + ρ Σ_i λ_i f_i with weights λ drawn uniformly from the simplex for this call.
 */
export function parEgoScalarization(losses: readonly (readonly number[])[], rng: Rng): number[] {
  const k = losses[0]!.length;
  const weights = Array.from({ length: k }, () => -Math.log(1 - rng.next()));
  const total = weights.reduce((s, w) => s + w, 0);
  const lo = Array.from({ length: k }, (_, i) => Math.min(...losses.map((l) => l[i]!)));
  const hi = Array.from({ length: k }, (_, i) => Math.max(...losses.map((l) => l[i]!)));
  return losses.map((l) => {
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < k; i++) {
      const f = (weights[i]! / total) * (hi[i]! > lo[i]! ? (l[i]! - lo[i]!) / (hi[i]! - lo[i]!) : 0);
      max = Math.max(max, f);
      sum += f;
    }
    return max + AUGMENTATION * sum;
  });
}
