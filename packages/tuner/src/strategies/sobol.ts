import { TunerStateError } from '../errors.js';
import { SobolSequence } from '../math/sobol.js';
import type { Params } from '../parameters.js';
import type { SearchSpace } from '../search-space.js';
import type { Strategy } from './strategy.js';

export interface SobolState {
  /** Seed of the scramble, drawn from the tuner's generator when the tuner is created. */
  readonly seed: number;
  /** Points drawn so far. */
  readonly index: number;
}

/** Scrambled Sobol' points on the scaled unit cube, in sequence: more even coverage than random for the same count. */
export class SobolStrategy implements Strategy {
  private readonly sequence: SobolSequence;
  private readonly u: Float64Array;
  private index: number;

  constructor(
    private readonly space: SearchSpace,
    private readonly saved: SobolState,
  ) {
    if (!Number.isSafeInteger(saved.seed) || !Number.isSafeInteger(saved.index) || saved.index < 0) {
      throw new TunerStateError(`Sobol strategy state: expected { seed, index } integers, got ${JSON.stringify(saved)}`);
    }
    this.sequence = new SobolSequence(space.dimensions, { seed: saved.seed });
    this.u = new Float64Array(space.dimensions);
    this.index = saved.index;
  }

  suggest(): Params {
    this.sequence.point(this.index++, this.u);
    return this.space.decode(this.u);
  }

  isExhausted(): boolean {
    return false;
  }

  hasConverged(): boolean {
    return false;
  }

  state(): SobolState {
    return { seed: this.saved.seed, index: this.index };
  }
}
