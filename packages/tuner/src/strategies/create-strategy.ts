import type { ResolvedConfig } from '../config.js';
import type { Rng } from '../math/random.js';
import type { SearchSpace } from '../search-space.js';
import { BayesianStrategy, type BayesianState } from './bayesian.js';
import { GridStrategy, type GridState } from './grid.js';
import { HyperbandStrategy, type HyperbandState } from './hyperband.js';
import { RandomStrategy } from './random.js';
import { SobolStrategy, type SobolState } from './sobol.js';
import type { Strategy } from './strategy.js';

/** The configured strategy, fresh (drawing any seed it needs from `rng`) or rebuilt from its saved state. */
export function createStrategy(config: ResolvedConfig, space: SearchSpace, saved: unknown, rng: Rng): Strategy {
  const fresh = saved === undefined;
  switch (config.strategy) {
    case 'Random':
      return new RandomStrategy(space);
    case 'Grid':
      return new GridStrategy(space, fresh ? { index: 0 } : (saved as GridState));
    case 'Sobol':
      return new SobolStrategy(space, fresh ? { seed: rng.nextUint32(), index: 0 } : (saved as SobolState));
    case 'Bayesian':
      return new BayesianStrategy(
        space,
        config.initialTrials,
        fresh ? { sobolSeed: rng.nextUint32(), designIndex: 0, theta: null, lowImprovementStreak: 0, lastRelativeImprovement: null } : (saved as BayesianState),
      );
    case 'Hyperband':
      return new HyperbandStrategy(space, config.hyperband!, fresh ? undefined : (saved as HyperbandState));
  }
}
