// Independent, deliberately plain computations that tests check the engine against.

/** Cosine similarity in float64. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** Spearman's rho: ranks by O(n^2) counting (ties get their mean rank), Pearson by the raw-sums formula. */
export function naiveSpearman(x: number[], y: number[]): number {
  const rank = (v: number[]): number[] =>
    v.map((a) => 1 + v.filter((b) => b < a).length + (v.filter((b) => b === a).length - 1) / 2);
  const rx = rank(x);
  const ry = rank(y);
  const n = x.length;
  let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += rx[i]!; sy += ry[i]!;
    sxx += rx[i]! * rx[i]!; syy += ry[i]! * ry[i]!; sxy += rx[i]! * ry[i]!;
  }
  return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
}
