import type { Params } from '../parameters.js';
import type { SearchSpace } from '../search-space.js';
import type { Strategy, SuggestContext } from './strategy.js';

/** Independent uniform draws on the scaled unit cube: log-scaled ranges are uniform in their logarithm. */
export class RandomStrategy implements Strategy {
  private readonly u: Float64Array;

  constructor(private readonly space: SearchSpace) {
    this.u = new Float64Array(space.dimensions);
  }

  suggest(context: SuggestContext): Params {
    for (let d = 0; d < this.u.length; d++) this.u[d] = context.rng.next();
    return this.space.decode(this.u);
  }

  isExhausted(): boolean {
    return false;
  }

  hasConverged(): boolean {
    return false;
  }

  state(): null {
    return null;
  }
}
