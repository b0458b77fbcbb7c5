import { TunerStateError } from '../errors.js';
import type { ParamValue, Params } from '../parameters.js';
import type { SearchSpace } from '../search-space.js';
import type { Strategy, SuggestContext } from './strategy.js';

export interface GridState {
  /** Grid points visited (suggested or skipped) so far. */
  readonly index: number;
}

/**
 * Every combination of the (all discrete) ranges, in order: the first parameter varies slowest, integers run from min
 * to max. Points a warm-start parent or an earlier trial already evaluated are skipped. Exhausted after the last one.
 */
export class GridStrategy implements Strategy {
  private readonly axes: readonly (readonly ParamValue[] | { min: number; count: number })[];
  private readonly size: number;
  private index: number;

  constructor(
    private readonly space: SearchSpace,
    saved: GridState,
  ) {
    if (!Number.isSafeInteger(saved.index) || saved.index < 0) throw new TunerStateError(`Grid strategy state: expected { index }, got ${JSON.stringify(saved)}`);
    this.axes = space.names.map((name) => {
      const range = space.ranges[name]!;
      if (range.type === 'Categorical') return range.values;
      if (range.type === 'Integer') return { min: range.min, count: range.max - range.min + 1 };
      throw new TunerStateError(`Grid strategy: parameter '${name}' is continuous`);
    });
    this.size = this.axes.reduce((n, axis) => n * ('count' in axis ? axis.count : axis.length), 1);
    this.index = saved.index;
  }

  suggest(context: SuggestContext): Params | undefined {
    const seen = new Set(context.observations.map((o) => this.key(o.params)));
    while (this.index < this.size) {
      const params = this.point(this.index++);
      if (!seen.has(this.key(params))) return params;
    }
    return undefined;
  }

  isExhausted(): boolean {
    return this.index >= this.size;
  }

  hasConverged(): boolean {
    return false;
  }

  state(): GridState {
    return { index: this.index };
  }

  private point(index: number): Params {
    const positions = new Array<number>(this.axes.length);
    let rest = index;
    for (let a = this.axes.length - 1; a >= 0; a--) {
      const axis = this.axes[a]!;
      const count = 'count' in axis ? axis.count : axis.length;
      positions[a] = rest % count;
      rest = Math.floor(rest / count);
    }
    const params: Params = {};
    this.axes.forEach((axis, a) => {
      params[this.space.names[a]!] = 'count' in axis ? axis.min + positions[a]! : axis[positions[a]!]!;
    });
    return params;
  }

  private key(params: Readonly<Params>): string {
    return JSON.stringify(this.space.names.map((n) => params[n]));
  }
}
