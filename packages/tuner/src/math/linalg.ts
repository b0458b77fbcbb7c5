// Dense symmetric positive-definite kernels on row-major n×n Float64Arrays (leading dimension n). Only the lower
// triangle is read and written, so callers may keep other data in the strict upper triangle.

/** Overwrites the lower triangle of `a` with its Cholesky factor L (a = L Lᵀ); false when `a` is not positive definite. */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const s = a[rj + j]! - dot(a, rj, a, rj, j);
    if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j]! - dot(a, ri, a, rj, j)) / ljj;
    }
  }
  return true;
}

/** Solves L x = b in place. */
export function solveLower(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    b[i] = (b[i]! - dot(l, ri, b, 0, i)) / l[ri + i]!;
  }
}

/** Solves Lᵀ x = b in place. */
export function solveLowerTransposed(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const xi = (b[i] = b[i]! / l[i * n + i]!);
    for (let k = 0; k < i; k++) b[k] = b[k]! - l[i * n + k]! * xi;
  }
}

/**
 * Writes (L Lᵀ)⁻¹ into the lower triangle of `out`, using `scratch` (n×n) for U = L⁻ᵀ. Row i of U is column i of
 * L⁻¹, the forward solution of L u = e_i (zero before i), and (L Lᵀ)⁻¹_ij = Σ_{k ≥ i} U_ik U_jk for j ≤ i: every step
 * is a dot product of contiguous row segments.
 */
export function choleskyInverse(l: Float64Array, n: number, out: Float64Array, scratch: Float64Array): void {
  const u = scratch;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    u[ri + i] = 1 / l[ri + i]!;
    for (let k = i + 1; k < n; k++) u[ri + k] = -dot(l, k * n + i, u, ri + i, k - i) / l[k * n + k]!;
  }
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) out[ri + j] = dot(u, ri + i, u, j * n + i, n - i);
  }
}

/** Σ a[ia + k] b[ib + k] for k < length, with four accumulators so that the additions do not wait on each other. */
export function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < length; k += 4) {
    s0 += a[ia + k]! * b[ib + k]!;
    s1 += a[ia + k + 1]! * b[ib + k + 1]!;
    s2 += a[ia + k + 2]! * b[ib + k + 2]!;
    s3 += a[ia + k + 3]! * b[ib + k + 3]!;
  }
  for (; k < length; k++) s0 += a[ia + k]! * b[ib + k]!;
  return s0 + s1 + (s2 + s3);
}
