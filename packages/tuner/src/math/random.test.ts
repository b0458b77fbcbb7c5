import { describe, expect, it } from 'vitest';
import { Rng } from './random.js';

describe('Rng (xoshiro128**)', () => {
  it('repeats its stream for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = Rng.fromSeed(seed);
      return Array.from({ length: 5 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(2 ** 40 + 1)).not.toEqual(draw(1));
  });

  it('resumes exactly from a saved state', () => {
    const rng = Rng.fromSeed(3);
    for (let i = 0; i < 10; i++) rng.next();
    const copy = Rng.fromState(JSON.parse(JSON.stringify(rng.state())));
    expect(Array.from({ length: 20 }, () => copy.next())).toEqual(Array.from({ length: 20 }, () => rng.next()));
  });

  it('draws uniforms in [0, 1) and standard normals with the right moments', () => {
    const rng = Rng.fromSeed(9);
    const u = Array.from({ length: 20000 }, () => rng.next());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, v) => s + v, 0) / u.length).toBeCloseTo(0.5, 2);
    const z = Array.from({ length: 20000 }, () => rng.normal());
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    expect(mean).toBeCloseTo(0, 1);
    expect(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length).toBeCloseTo(1, 1);
  });

  it('rejects a malformed state', () => {
    expect(() => Rng.fromState([1, 2, 3])).toThrow(/four 32-bit words/);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => Rng.fromState([1, 2, 3, 2 ** 32])).toThrow(RangeError);
  });
});
