/** f(x) with its gradient written into `grad`. */
export type DifferentiableFunction = (x: Float64Array, grad: Float64Array) => number;

export interface BoxedMinimizeOptions {
  /** Function evaluations allowed, the initial one included. */
  maxEvaluations: number;
  /** Stop when the projected gradient's largest component falls below this. */
  gradientTolerance?: number;
  /** Stop when an accepted step improves f by less than this relative amount. */
  relativeTolerance?: number;
}

const MEMORY = 6;

/**
 * Minimizes f over the box [lower, upper] with a projected L-BFGS: the two-loop direction on the variables not held
 * at a bound, a projected backtracking (Armijo) line search, and a restart from steepest descent whenever the
 * direction stops descending. `x` holds the start on entry and the best point found on return; returns f there.
 */
export function minimizeBoxed(
  f: DifferentiableFunction,
  x: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  options: BoxedMinimizeOptions,
): number {
  const n = x.length;
  const gradTol = options.gradientTolerance ?? 1e-6;
  const relTol = options.relativeTolerance ?? 1e-10;
  const s = new Float64Array(MEMORY * n);
  const y = new Float64Array(MEMORY * n);
  const rho = new Float64Array(MEMORY);
  const alpha = new Float64Array(MEMORY);
  const g = new Float64Array(n);
  const gNew = new Float64Array(n);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]!));
  let fx = f(x, g);
  let evaluations = 1;
  let stored = 0;
  let newest = -1;
  while (evaluations < options.maxEvaluations && Number.isFinite(fx)) {
    let projected = 0;
    for (let i = 0; i < n; i++) {
      const free = !((x[i]! <= lower[i]! && g[i]! > 0) || (x[i]! >= upper[i]! && g[i]! < 0));
      d[i] = free ? g[i]! : 0;
      projected = Math.max(projected, Math.abs(d[i]!));
    }
    if (projected < gradTol) break;
    if (stored > 0) twoLoop(d, s, y, rho, alpha, stored, newest, n);
    else scale(d, 1 / Math.max(1, projected));
    let slope = 0;
    for (let i = 0; i < n; i++) {
      const blocked = (x[i]! <= lower[i]! && d[i]! > 0) || (x[i]! >= upper[i]! && d[i]! < 0);
      d[i] = blocked ? 0 : -d[i]!;
      slope += d[i]! * g[i]!;
    }
    if (!(slope < 0)) {
      if (stored === 0) break;
      stored = 0;
      newest = -1;
      for (let i = 0; i < n; i++) d[i] = 0;
      continue;
    }
    let step = 1;
    let fNew = Infinity;
    let accepted = false;
    while (evaluations < options.maxEvaluations) {
      let decrease = 0;
      for (let i = 0; i < n; i++) {
        xNew[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]! + step * d[i]!));
        decrease += g[i]! * (xNew[i]! - x[i]!);
      }
      fNew = f(xNew, gNew);
      evaluations++;
      if (fNew <= fx + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      step *= 0.5;
      if (step < 1e-12) break;
    }
    if (!accepted) {
      if (stored === 0) break;
      stored = 0;
      newest = -1;
      continue;
    }
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const si = xNew[i]! - x[i]!;
      const yi = gNew[i]! - g[i]!;
      sy += si * yi;
      yy += yi * yi;
    }
    if (sy > 1e-12 * Math.max(1, yy)) {
      newest = (newest + 1) % MEMORY;
      for (let i = 0; i < n; i++) {
        s[newest * n + i] = xNew[i]! - x[i]!;
        y[newest * n + i] = gNew[i]! - g[i]!;
      }
      rho[newest] = 1 / sy;
      stored = Math.min(MEMORY, stored + 1);
    }
    const improvement = fx - fNew;
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (improvement <= relTol * Math.max(1, Math.abs(fx))) break;
  }
  return fx;
}

/** Replaces q by H q, H being the L-BFGS inverse-Hessian estimate from the stored pairs, newest at `newest`. */
function twoLoop(
  q: Float64Array,
  s: Float64Array,
  y: Float64Array,
  rho: Float64Array,
  alpha: Float64Array,
  stored: number,
  newest: number,
  n: number,
): void {
  for (let c = 0, k = newest; c < stored; c++, k = (k + MEMORY - 1) % MEMORY) {
    let a = 0;
    for (let i = 0; i < n; i++) a += s[k * n + i]! * q[i]!;
    a *= rho[k]!;
    alpha[k] = a;
    for (let i = 0; i < n; i++) q[i] = q[i]! - a * y[k * n + i]!;
  }
  let yy = 0;
  for (let i = 0; i < n; i++) yy += y[newest * n + i]! * y[newest * n + i]!;
  scale(q, 1 / (rho[newest]! * yy));
  const oldest = (newest - stored + 1 + MEMORY) % MEMORY;
  for (let c = 0, k = oldest; c < stored; c++, k = (k + 1) % MEMORY) {
    let b = 0;
    for (let i = 0; i < n; i++) b += y[k * n + i]! * q[i]!;
    b *= rho[k]!;
    for (let i = 0; i < n; i++) q[i] = q[i]! + (alpha[k]! - b) * s[k * n + i]!;
  }
}

function scale(v: Float64Array, factor: number): void {
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * factor;
}
