import { cholesky, choleskyInverse, solveLower, solveLowerTransposed } from './linalg.js';
import { minimizeBoxed } from './optimize.js';

const LOG_2PI = Math.log(2 * Math.PI);
const JITTER = 1e-9;
/** Box bounds of the log hyperparameters: lengthscales on the unit cube, variances relative to standardized y. */
const LOG_LENGTHSCALE = [Math.log(0.005), Math.log(50)] as const;
const LOG_SIGNAL_VARIANCE = [Math.log(1e-2), Math.log(1e2)] as const;
const LOG_NOISE_VARIANCE = [Math.log(1e-6), Math.log(1)] as const;
/**
 * Weak log-normal priors (MAP rather than maximum likelihood) that keep early fits with few points reasonable:
 * lengthscales around 0.5 of the unit cube, signal variance around 1.
 */
const PRIOR_LENGTHSCALE = 0.5;
const PRIOR_SD_LENGTHSCALE = 1.5;
const PRIOR_SD_SIGNAL = 1.5;

/**
 * A Gaussian process with a Matérn 5/2 ARD kernel, k(r) = σ_f² (1 + √5 r + 5r²/3) exp(−√5 r) with
 * r² = Σ_d (x_d − x'_d)² / ℓ_d², plus Gaussian noise σ_n², and a zero prior mean (callers standardize y).
 * Hyperparameters θ = [log ℓ_1 … log ℓ_D, log σ_f², log σ_n²] are fitted by maximizing the log marginal likelihood
 * plus weak priors, with analytic gradients: ∂/∂θ log p(y) = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ).
 * All buffers grow with the number of points and are reused across fits and predictions.
 */
export class GaussianProcess {
  /** Number of training points. */
  n = 0;
  /** Outputs of the last `predict`. */
  mean = 0;
  variance = 0;
  private capacity = 0;
  private x = new Float64Array(0);
  private y = new Float64Array(0);
  /** Per pair (i > j, index i(i−1)/2 + j): (x_id − x_jd)² for every d, then the pair's kernel value and ∂k/∂ log ℓ factor. */
  private sqd = new Float64Array(0);
  private pairK = new Float64Array(0);
  private pairG = new Float64Array(0);
  private l = new Float64Array(0);
  private inverse = new Float64Array(0);
  private scratch = new Float64Array(0);
  private alpha = new Float64Array(0);
  private ks = new Float64Array(0);
  private hs = new Float64Array(0);
  private v = new Float64Array(0);
  private readonly ls2inv: Float64Array;
  private signal = 1;
  private noise = 1e-6;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  private readonly priorMean: Float64Array;

  constructor(readonly dim: number) {
    this.ls2inv = new Float64Array(dim);
    this.lower = new Float64Array(dim + 2).fill(LOG_LENGTHSCALE[0]);
    this.upper = new Float64Array(dim + 2).fill(LOG_LENGTHSCALE[1]);
    [this.lower[dim], this.upper[dim]] = LOG_SIGNAL_VARIANCE;
    [this.lower[dim + 1], this.upper[dim + 1]] = LOG_NOISE_VARIANCE;
    this.priorMean = new Float64Array(dim + 1).fill(Math.log(PRIOR_LENGTHSCALE));
    this.priorMean[dim] = 0;
  }

  /** A neutral starting point for fitting: the prior means and a small noise. */
  defaultTheta(): Float64Array {
    const theta = new Float64Array(this.dim + 2);
    theta.set(this.priorMean);
    theta[this.dim + 1] = Math.log(1e-3);
    return theta;
  }

  /** Replaces the training set with the first n rows of x (n × dim, row-major) and y. */
  setData(x: ArrayLike<number>, y: ArrayLike<number>, n: number): void {
    this.n = 0;
    this.reserve(n);
    for (let i = 0; i < n; i++) this.appendRow(x, i * this.dim, y[i]!);
  }

  /** Adds one training point (for pending points, with the posterior mean as its value); call `condition` after. */
  append(x: ArrayLike<number>, offset: number, y: number): void {
    this.reserve(this.n + 1);
    this.appendRow(x, offset, y);
  }

  /** Fits θ (in/out) by MAP with a bounded L-BFGS, then conditions on it. */
  fit(theta: Float64Array, maxEvaluations: number): void {
    const value = minimizeBoxed((t, g) => this.negativeLogPosterior(t, g), theta, this.lower, this.upper, {
      maxEvaluations,
      gradientTolerance: 1e-4,
      relativeTolerance: 1e-7,
    });
    if (!Number.isFinite(value)) theta.set(this.defaultTheta());
    this.condition(theta);
  }

  /** Factorizes K for θ, adding jitter until it is positive definite. */
  condition(theta: ArrayLike<number>): void {
    this.setHyperparameters(theta);
    const n = this.n;
    for (let extra = 0; ; extra = extra === 0 ? 1e-8 : extra * 100) {
      this.buildKernel(extra);
      if (cholesky(this.l, n)) {
        this.noise += extra;
        break;
      }
      if (extra > 1) throw new RangeError('Gaussian process: kernel matrix is not positive definite');
    }
    this.alpha.set(this.y.subarray(0, n));
    solveLower(this.l, n, this.alpha);
    solveLowerTransposed(this.l, n, this.alpha);
  }

  /** −(log p(y | θ) + log prior(θ)) with its gradient; Infinity where K is not positive definite. */
  negativeLogPosterior(theta: ArrayLike<number>, grad: Float64Array): number {
    const n = this.n;
    const dim = this.dim;
    this.setHyperparameters(theta);
    this.buildKernel(0);
    grad.fill(0);
    if (!cholesky(this.l, n)) return Infinity;
    const alpha = this.alpha;
    alpha.set(this.y.subarray(0, n));
    solveLower(this.l, n, alpha);
    let value = 0.5 * n * LOG_2PI;
    for (let i = 0; i < n; i++) value += 0.5 * alpha[i]! * alpha[i]! + Math.log(this.l[i * n + i]!);
    solveLowerTransposed(this.l, n, alpha);
    choleskyInverse(this.l, n, this.inverse, this.scratch);
    const inverse = this.inverse;
    let dSignal = 0;
    let dNoise = 0;
    for (let i = 0; i < n; i++) {
      const w = alpha[i]! * alpha[i]! - inverse[i * n + i]!;
      dSignal += w * this.signal;
      dNoise += w * this.noise;
    }
    const sqd = this.sqd;
    const pairK = this.pairK;
    const pairG = this.pairG;
    for (let i = 1, p = 0; i < n; i++) {
      const ai = alpha[i]!;
      const row = i * n;
      for (let j = 0; j < i; j++, p++) {
        const w = ai * alpha[j]! - inverse[row + j]!;
        dSignal += 2 * w * pairK[p]!;
        const c = w * pairG[p]!;
        for (let d = 0, q = p * dim; d < dim; d++, q++) grad[d] = grad[d]! + c * sqd[q]!;
      }
    }
    for (let d = 0; d < dim; d++) grad[d] = -grad[d]! * this.ls2inv[d]!;
    grad[dim] = -0.5 * dSignal;
    grad[dim + 1] = -0.5 * dNoise;
    for (let d = 0; d <= dim; d++) {
      const sd = d < dim ? PRIOR_SD_LENGTHSCALE : PRIOR_SD_SIGNAL;
      const z = (theta[d]! - this.priorMean[d]!) / sd;
      value += 0.5 * z * z;
      grad[d] = grad[d]! + z / sd;
    }
    return value;
  }

  /** Posterior mean alone at x[offset …]: O(n·dim). */
  predictMean(x: ArrayLike<number>, offset: number): number {
    this.kernelColumn(x, offset);
    let mean = 0;
    for (let i = 0; i < this.n; i++) mean += this.ks[i]! * this.alpha[i]!;
    return mean;
  }

  /** Posterior mean and latent variance at x[offset …] into `mean` and `variance`. */
  predict(x: ArrayLike<number>, offset: number): void {
    const n = this.n;
    this.kernelColumn(x, offset);
    const ks = this.ks;
    const alpha = this.alpha;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += ks[i]! * alpha[i]!;
    const v = this.v;
    v.set(ks.subarray(0, n));
    solveLower(this.l, n, v);
    let explained = 0;
    for (let i = 0; i < n; i++) explained += v[i]! * v[i]!;
    this.mean = mean;
    this.variance = Math.max(this.signal - explained, 1e-12 * this.signal);
  }

  /** `predict` plus the gradients of mean and variance: with w = K⁻¹ k(x), ∂var/∂x = −2 wᵀ ∂k(x)/∂x. */
  predictWithGradient(x: ArrayLike<number>, offset: number, gradMean: Float64Array, gradVariance: Float64Array): void {
    this.predict(x, offset);
    const n = this.n;
    const dim = this.dim;
    const w = this.v;
    solveLowerTransposed(this.l, n, w);
    gradMean.fill(0);
    gradVariance.fill(0);
    const hs = this.hs;
    const alpha = this.alpha;
    const xs = this.x;
    const ls2inv = this.ls2inv;
    for (let i = 0; i < n; i++) {
      const a = -hs[i]! * alpha[i]!;
      const b = 2 * hs[i]! * w[i]!;
      for (let d = 0, q = i * dim; d < dim; d++, q++) {
        const delta = (x[offset + d]! - xs[q]!) * ls2inv[d]!;
        gradMean[d] = gradMean[d]! + a * delta;
        gradVariance[d] = gradVariance[d]! + b * delta;
      }
    }
  }

  /** The smallest posterior mean at the training points: K_f α = y − σ_n² α. */
  minTrainingMean(): number {
    let best = Infinity;
    for (let i = 0; i < this.n; i++) best = Math.min(best, this.y[i]! - this.noise * this.alpha[i]!);
    return best;
  }

  private setHyperparameters(theta: ArrayLike<number>): void {
    for (let d = 0; d < this.dim; d++) this.ls2inv[d] = Math.exp(-2 * theta[d]!);
    this.signal = Math.exp(theta[this.dim]!);
    this.noise = Math.exp(theta[this.dim + 1]!) + JITTER;
  }

  /** K + (σ_n² + extra) I into the lower triangle of `l`, and each pair's kernel value and lengthscale factor. */
  private buildKernel(extra: number): void {
    const n = this.n;
    const dim = this.dim;
    const sqd = this.sqd;
    const l = this.l;
    const ls2inv = this.ls2inv;
    const pairK = this.pairK;
    const pairG = this.pairG;
    const signal = this.signal;
    for (let i = 0, p = 0; i < n; i++) {
      const row = i * n;
      for (let j = 0; j < i; j++, p++) {
        let r2 = 0;
        for (let d = 0, q = p * dim; d < dim; d++, q++) r2 += sqd[q]! * ls2inv[d]!;
        const r = Math.sqrt(5 * r2);
        const e = Math.exp(-r);
        const k = signal * (1 + r + (r * r) / 3) * e;
        l[row + j] = k;
        pairK[p] = k;
        pairG[p] = signal * (5 / 3) * (1 + r) * e;
      }
      l[row + i] = signal + this.noise + extra;
    }
  }

  /** k(x, x_i) into `ks` and its derivative factor into `hs`. */
  private kernelColumn(x: ArrayLike<number>, offset: number): void {
    const dim = this.dim;
    const signal = this.signal;
    const xs = this.x;
    const ls2inv = this.ls2inv;
    const ks = this.ks;
    const hs = this.hs;
    for (let i = 0, n = this.n; i < n; i++) {
      let r2 = 0;
      for (let d = 0, q = i * dim; d < dim; d++, q++) {
        const delta = x[offset + d]! - xs[q]!;
        r2 += delta * delta * ls2inv[d]!;
      }
      const r = Math.sqrt(5 * r2);
      const e = Math.exp(-r);
      ks[i] = signal * (1 + r + (r * r) / 3) * e;
      hs[i] = signal * (5 / 3) * (1 + r) * e;
    }
  }

  private appendRow(x: ArrayLike<number>, offset: number, y: number): void {
    const dim = this.dim;
    const i = this.n;
    for (let d = 0; d < dim; d++) this.x[i * dim + d] = x[offset + d]!;
    this.y[i] = y;
    for (let j = 0, q = ((i * (i - 1)) / 2) * dim; j < i; j++) {
      for (let d = 0; d < dim; d++, q++) {
        const delta = this.x[i * dim + d]! - this.x[j * dim + d]!;
        this.sqd[q] = delta * delta;
      }
    }
    this.n = i + 1;
  }

  private reserve(n: number): void {
    if (n <= this.capacity) return;
    const capacity = Math.max(n, Math.ceil(this.capacity * 1.5), 16);
    const grow = (old: Float64Array, size: number): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size);
      next.set(old.subarray(0, Math.min(old.length, size)));
      return next;
    };
    const pairs = (capacity * (capacity - 1)) / 2;
    this.x = grow(this.x, capacity * this.dim);
    this.y = grow(this.y, capacity);
    this.sqd = grow(this.sqd, pairs * this.dim);
    this.pairK = new Float64Array(pairs);
    this.pairG = new Float64Array(pairs);
    this.l = new Float64Array(capacity * capacity);
    this.inverse = new Float64Array(capacity * capacity);
    this.scratch = new Float64Array(capacity * capacity);
    this.alpha = grow(this.alpha, capacity);
    this.ks = new Float64Array(capacity);
    this.hs = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
    this.capacity = capacity;
  }
}
