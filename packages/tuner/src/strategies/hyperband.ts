import { TunerStateError } from '../errors.js';
import type { Params } from '../parameters.js';
import type { SearchSpace } from '../search-space.js';
import type { Strategy, SuggestContext } from './strategy.js';

/** SageMaker's Hyperband keeps η = 3: a third of the trials reaching a rung go on. */
export const HYPERBAND_ETA = 3;

export interface HyperbandBracket {
  /** Resources (epochs) at which a trial of this bracket is compared with the others, below maxResource. */
  readonly rungs: readonly number[];
  /** Hyperband's share of configurations for this bracket: ⌈(s_max + 1) / (s + 1) · η^s⌉ for s halvings. */
  readonly weight: number;
}

/**
 * The brackets for resources [min, max]: s_max = ⌊log_η(max/min)⌋; bracket b starts comparing at min·η^b and
 * again every factor η below max, so bracket 0 stops most aggressively and bracket s_max (nearly) never stops.
 */
export function hyperbandBrackets(minResource: number, maxResource: number): HyperbandBracket[] {
  let sMax = 0;
  while (minResource * HYPERBAND_ETA ** (sMax + 1) <= maxResource) sMax++;
  const brackets: HyperbandBracket[] = [];
  for (let b = 0; b <= sMax; b++) {
    const rungs: number[] = [];
    for (let r = minResource * HYPERBAND_ETA ** b; r < maxResource; r *= HYPERBAND_ETA) rungs.push(r);
    const s = sMax - b;
    brackets.push({ rungs, weight: Math.ceil(((sMax + 1) / (s + 1)) * HYPERBAND_ETA ** s) });
  }
  return brackets;
}

export interface HyperbandState {
  /** Smooth weighted round-robin counters, one per bracket. */
  readonly credit: readonly number[];
  /** Bracket of each trial, and how many of its bracket's rungs it has passed. */
  readonly trials: Readonly<Record<string, { readonly bracket: number; readonly passed: number }>>;
  /** Per bracket and rung, the losses trials had when they reached it. */
  readonly rungLosses: readonly (readonly (readonly number[])[])[];
}

/**
 * Asynchronous Hyperband (the ASHA form of Li et al.): every trial gets maxResource epochs and a bracket, brackets in
 * Hyperband's proportions; when a trial reports a step at or past one of its bracket's rungs it goes on only if its
 * loss is within the best 1/η of the losses recorded at that rung so far (itself included), and is stopped otherwise.
 * Configurations are drawn at random.
 */
export class HyperbandStrategy implements Strategy {
  private readonly brackets: HyperbandBracket[];
  private readonly credit: number[];
  private readonly trials: Record<string, { bracket: number; passed: number }>;
  private readonly rungLosses: number[][][];
  private readonly u: Float64Array;

  constructor(
    private readonly space: SearchSpace,
    private readonly resource: { readonly minResource: number; readonly maxResource: number; readonly resourceName: string },
    saved: HyperbandState | undefined,
  ) {
    this.brackets = hyperbandBrackets(resource.minResource, resource.maxResource);
    this.u = new Float64Array(space.dimensions);
    if (saved === undefined) {
      this.credit = this.brackets.map(() => 0);
      this.trials = {};
      this.rungLosses = this.brackets.map((b) => b.rungs.map(() => []));
      return;
    }
    if (saved.credit?.length !== this.brackets.length || saved.rungLosses?.length !== this.brackets.length || typeof saved.trials !== 'object') {
      throw new TunerStateError('Hyperband strategy state does not match its brackets');
    }
    this.credit = [...saved.credit];
    this.trials = Object.fromEntries(Object.entries(saved.trials).map(([k, v]) => [k, { ...v }]));
    this.rungLosses = saved.rungLosses.map((rungs) => rungs.map((losses) => [...losses]));
  }

  suggest(context: SuggestContext): Params {
    const total = this.brackets.reduce((sum, b) => sum + b.weight, 0);
    let chosen = 0;
    for (let b = 0; b < this.brackets.length; b++) {
      this.credit[b]! += this.brackets[b]!.weight;
      if (this.credit[b]! > this.credit[chosen]!) chosen = b;
    }
    this.credit[chosen]! -= total;
    this.trials[context.trialId] = { bracket: chosen, passed: 0 };
    for (let d = 0; d < this.u.length; d++) this.u[d] = context.rng.next();
    return { ...this.space.decode(this.u), [this.resource.resourceName]: this.resource.maxResource };
  }

  report(trialId: number, step: number, loss: number): boolean {
    const trial = this.trials[trialId];
    if (trial === undefined) return false;
    const rungs = this.brackets[trial.bracket]!.rungs;
    while (trial.passed < rungs.length && step >= rungs[trial.passed]!) {
      const losses = this.rungLosses[trial.bracket]![trial.passed]!;
      losses.push(loss);
      trial.passed++;
      if (loss > quantile(losses, 1 / HYPERBAND_ETA)) return true;
    }
    return false;
  }

  isExhausted(): boolean {
    return false;
  }

  hasConverged(): boolean {
    return false;
  }

  state(): HyperbandState {
    return { credit: [...this.credit], trials: this.trials, rungLosses: this.rungLosses };
  }
}

/** The q-quantile with linear interpolation between order statistics. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}
