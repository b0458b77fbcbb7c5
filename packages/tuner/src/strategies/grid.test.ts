import { describe, expect, it } from 'vitest';
import { CategoricalParameter, IntegerParameter } from '../parameters.js';
import { Tuner } from '../tuner.js';

const ranges = { layers: IntegerParameter(1, 3), mode: CategoricalParameter(['cbow', 'skipgram']) };

describe('GridStrategy', () => {
  it('enumerates every combination in order, then reports the grid exhausted', () => {
    const tuner = new Tuner({ parameterRanges: ranges, objective: 'Minimize', strategy: 'Grid', maxTrials: 10, seed: 1 });
    const seen: unknown[] = [];
    for (let s = tuner.ask(); s; s = tuner.ask()) {
      seen.push(s.params);
      tuner.tell(s.trialId, 1);
    }
    expect(seen).toEqual([
      { layers: 1, mode: 'cbow' },
      { layers: 1, mode: 'skipgram' },
      { layers: 2, mode: 'cbow' },
      { layers: 2, mode: 'skipgram' },
      { layers: 3, mode: 'cbow' },
      { layers: 3, mode: 'skipgram' },
    ]);
    expect(tuner.ask()).toBeUndefined();
    expect(tuner.isComplete()).toEqual({ complete: true, reason: 'Exhausted' });
  });

  it('skips points a warm-start parent already evaluated', () => {
    const tuner = new Tuner({
      parameterRanges: ranges,
      objective: 'Minimize',
      strategy: 'Grid',
      seed: 1,
      warmStart: { type: 'IdenticalDataAndAlgorithm', parentTrials: [{ params: { layers: 2, mode: 'cbow' }, value: 3 }, { params: { layers: '1', mode: 'skipgram' }, value: 2 }] },
    });
    const seen: unknown[] = [];
    for (let s = tuner.ask(); s; s = tuner.ask()) {
      seen.push(s.params);
      tuner.tell(s.trialId, 1);
    }
    expect(seen).toEqual([
      { layers: 1, mode: 'cbow' },
      { layers: 2, mode: 'skipgram' },
      { layers: 3, mode: 'cbow' },
      { layers: 3, mode: 'skipgram' },
    ]);
  });
});
