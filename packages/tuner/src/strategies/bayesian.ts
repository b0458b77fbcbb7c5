import { TunerStateError } from '../errors.js';
import { maximizeExpectedImprovement } from '../math/acquisition.js';
import { GaussianProcess } from '../math/gp.js';
import type { Rng } from '../math/random.js';
import { yeoJohnsonStandardized } from '../math/power-transform.js';
import { SobolSequence } from '../math/sobol.js';
import type { Params } from '../parameters.js';
import { parEgoScalarization } from '../pareto.js';
import type { SearchSpace } from '../search-space.js';
import type { Observation, Strategy, SuggestContext } from './strategy.js';

/** The model sees at most this many observations: the best half and the most recent of the others. */
const MAX_MODEL_POINTS = 200;
const UNIFORM_CANDIDATES = 512;
const LOCAL_CANDIDATES = 256;
/** Perturbation scales (on the unit cube) of the local candidates around the best observations. */
const LOCAL_SCALES = [0.01, 0.05, 0.2];
const LOCAL_CENTRES = 5;
const REFINED_CANDIDATES = 4;
const REFINE_EVALUATIONS = 25;
/** Evaluations of the marginal likelihood per fit: a warm start from the previous fit converges in a few. */
const FIT_EVALUATIONS_WARM = 25;
const FIT_EVALUATIONS_COLD = 80;
/** Convergence: the largest EI stays below this share of the observed range for this many suggestions in a row. */
export const CONVERGENCE_RELATIVE_EI = 1e-4;
export const CONVERGENCE_SUGGESTIONS = 5;

export interface BayesianState {
  readonly sobolSeed: number;
  /** Initial-design points drawn so far. */
  readonly designIndex: number;
  /** The last fitted GP hyperparameters (the next fit starts there), null before the first fit. */
  readonly theta: readonly number[] | null;
  /** Consecutive model-based suggestions whose best EI was negligible. */
  readonly lowImprovementStreak: number;
  /** Largest EI of the last model-based suggestion, relative to the observed range (for the record). */
  readonly lastRelativeImprovement: number | null;
}

/**
 * Gaussian-process Bayesian optimization: a scrambled Sobol' initial design, then expected improvement under a
 * Matérn 5/2 ARD GP on the feature space (integers rounded and categoricals one-hot inside the acquisition), maximized
 * over uniform and local candidates with L-BFGS refinement. Running trials enter the model as points valued at the
 * posterior mean (kriging believer), which flattens EI around them so parallel asks spread out; failed trials enter
 * valued at the worst observation, which steers the search away from configurations that crash.
 * When the best EI is negligible (see CONVERGENCE_RELATIVE_EI) the model has nothing left to exploit where it looks,
 * so the suggestion is the next Sobol' point instead: exploration that lets a model stuck in one basin see the others.
 * With several objectives each suggestion scalarizes them with fresh random weights (ParEGO).
 */
export class BayesianStrategy implements Strategy {
  private readonly gp: GaussianProcess;
  private readonly design: SobolSequence;
  private readonly u: Float64Array;
  private readonly candidates: Float64Array;
  private readonly chosen: Float64Array;
  private state_: BayesianState;

  constructor(
    private readonly space: SearchSpace,
    private readonly initialTrials: number,
    saved: BayesianState,
  ) {
    if (!Number.isSafeInteger(saved.sobolSeed) || !Number.isSafeInteger(saved.designIndex) || !Number.isSafeInteger(saved.lowImprovementStreak)) {
      throw new TunerStateError(`Bayesian strategy state: malformed ${JSON.stringify(saved)}`);
    }
    if (saved.theta !== null && saved.theta.length !== space.featureDimensions + 2) throw new TunerStateError('Bayesian strategy state: theta has the wrong length');
    this.gp = new GaussianProcess(space.featureDimensions);
    this.design = new SobolSequence(space.dimensions, { seed: saved.sobolSeed });
    this.u = new Float64Array(space.dimensions);
    this.candidates = new Float64Array((UNIFORM_CANDIDATES + LOCAL_CANDIDATES) * space.featureDimensions);
    this.chosen = new Float64Array(space.featureDimensions);
    this.state_ = saved;
  }

  suggest(context: SuggestContext): Params {
    const observations = context.observations;
    if (observations.length < 2 || observations.length + context.pending.length + context.failed.length < this.initialTrials) {
      return this.designPoint();
    }
    const dim = this.space.featureDimensions;
    const used = selectForModel(observations, context.rng);
    const n = used.points.length;
    const x = new Float64Array(n * dim);
    used.points.forEach((o, i) => this.space.paramsToFeatures(o.params, x, i * dim));
    const standardized = yeoJohnsonStandardized(used.values);

    const theta = this.state_.theta === null ? this.gp.defaultTheta() : Float64Array.from(this.state_.theta);
    this.gp.setData(x, standardized, n);
    this.gp.fit(theta, this.state_.theta === null ? FIT_EVALUATIONS_COLD : FIT_EVALUATIONS_WARM);
    if (context.pending.length + context.failed.length > 0) {
      const rows = new Float64Array((context.pending.length + context.failed.length) * dim);
      const worst = Math.max(...standardized);
      const values = [...context.pending, ...context.failed].map((params, k) => {
        this.space.paramsToFeatures(params, rows, k * dim);
        if (k >= context.pending.length) return worst;
        this.gp.predict(rows, k * dim);
        return this.gp.mean;
      });
      values.forEach((value, k) => this.gp.append(rows, k * dim, value));
      this.gp.condition(theta);
    }
    const best = this.gp.minTrainingMean();
    const m = this.fillCandidates(used.points, standardized, context.rng);
    const ei = maximizeExpectedImprovement(this.gp, best, this.space, this.candidates, m, { refine: REFINED_CANDIDATES, maxEvaluations: REFINE_EVALUATIONS }, this.chosen);

    const range = Math.max(...standardized) - Math.min(...standardized);
    const relative = range > 0 ? ei / range : 0;
    const low = relative < CONVERGENCE_RELATIVE_EI;
    this.state_ = {
      ...this.state_,
      theta: Array.from(theta),
      lowImprovementStreak: low ? this.state_.lowImprovementStreak + 1 : 0,
      lastRelativeImprovement: relative,
    };
    return low ? this.designPoint() : this.space.featuresToParams(this.chosen, 0);
  }

  /** The next point of the Sobol' design: the initial design, and exploration once the model expects nothing more. */
  private designPoint(): Params {
    this.design.point(this.state_.designIndex, this.u);
    this.state_ = { ...this.state_, designIndex: this.state_.designIndex + 1 };
    return this.space.decode(this.u);
  }

  isExhausted(): boolean {
    return false;
  }

  hasConverged(): boolean {
    return this.state_.lowImprovementStreak >= CONVERGENCE_SUGGESTIONS;
  }

  state(): BayesianState {
    return this.state_;
  }

  /** Uniform candidates, then perturbations of the best observed points; all snapped to feasible features. */
  private fillCandidates(points: readonly Observation[], values: Float64Array, rng: Rng): number {
    const dim = this.space.featureDimensions;
    const c = this.candidates;
    for (let k = 0; k < UNIFORM_CANDIDATES; k++) {
      for (let d = 0; d < this.u.length; d++) this.u[d] = rng.next();
      this.space.unitToFeatures(this.u, 0, c, k * dim);
    }
    const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]! || a - b);
    const centres = order.slice(0, Math.min(LOCAL_CENTRES, order.length));
    for (let k = 0; k < LOCAL_CANDIDATES; k++) {
      const at = (UNIFORM_CANDIDATES + k) * dim;
      this.space.paramsToFeatures(points[centres[k % centres.length]!]!.params, c, at);
      const sd = LOCAL_SCALES[k % LOCAL_SCALES.length]!;
      for (let d = 0; d < dim; d++) c[at + d] = c[at + d]! + sd * rng.normal();
      this.space.snapFeatures(c, at);
    }
    return UNIFORM_CANDIDATES + LOCAL_CANDIDATES;
  }
}

/** The model's targets: the single loss, or a ParEGO scalarization with weights drawn for this suggestion. */
function selectForModel(observations: readonly Observation[], rng: Rng): { points: Observation[]; values: number[] } {
  const objectives = observations[0]!.losses.length;
  const scalar = objectives === 1 ? observations.map((o) => o.losses[0]!) : parEgoScalarization(observations.map((o) => o.losses), rng);
  if (observations.length <= MAX_MODEL_POINTS) return { points: [...observations], values: scalar };
  const byValue = Array.from(scalar.keys()).sort((a, b) => scalar[a]! - scalar[b]! || a - b);
  const keep = new Set(byValue.slice(0, MAX_MODEL_POINTS / 2));
  for (let i = observations.length - 1; keep.size < MAX_MODEL_POINTS; i--) keep.add(i);
  const indices = [...keep].sort((a, b) => a - b);
  return { points: indices.map((i) => observations[i]!), values: indices.map((i) => scalar[i]!) };
}
