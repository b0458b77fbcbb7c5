import type { Params } from '../parameters.js';
import type { Rng } from '../math/random.js';

/** A finished trial (or a warm-start parent) as strategies see it: its tuned parameters and losses to minimize. */
export interface Observation {
  readonly params: Readonly<Params>;
  /** One per objective, signs flipped for maximized ones, so that lower is better everywhere. */
  readonly losses: readonly number[];
}

export interface SuggestContext {
  /** Id the suggestion will get. */
  readonly trialId: number;
  readonly observations: readonly Observation[];
  /** Trials that are running: suggested, value still to come. */
  readonly pending: readonly Readonly<Params>[];
  /** Trials that failed: they will never have a value. */
  readonly failed: readonly Readonly<Params>[];
  /** The tuner's generator; part of its saved state, so strategies must draw only from it. */
  readonly rng: Rng;
}

/**
 * A search strategy: proposes the next parameters from what has been observed. Everything it remembers between calls
 * must be in `state()` (plain JSON), from which the tuner rebuilds it after a restart.
 */
export interface Strategy {
  /** Tuned parameters for a new trial (plus a resource parameter for Hyperband), or undefined when exhausted. */
  suggest(context: SuggestContext): Params | undefined;
  /** True once no further suggestion will come (only a grid ends). */
  isExhausted(): boolean;
  /** True once the strategy judges the search converged (only the Bayesian strategy does). */
  hasConverged(): boolean;
  /** An intermediate loss of a trial (lower is better); true when the strategy stops the trial (Hyperband). */
  report?(trialId: number, step: number, loss: number): boolean;
  state(): unknown;
}
