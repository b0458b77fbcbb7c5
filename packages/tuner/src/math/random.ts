/**
 * xoshiro128** (Blackman & Vigna): a fast 32-bit generator whose whole state is four 32-bit words, so a tuner can
 * persist it after every event and resume the exact same stream after a restart.
 */
export class Rng {
  private constructor(
    private s0: number,
    private s1: number,
    private s2: number,
    private s3: number,
  ) {}

  /** Expands any safe integer seed into a state with splitmix32, which never yields the all-zero state in practice. */
  static fromSeed(seed: number): Rng {
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x85ebca6b);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    return new Rng(next(), next(), next(), next() | 1);
  }

  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff) || state.every((w) => w === 0)) {
      throw new RangeError(`random state: expected four 32-bit words, not all zero, got ${JSON.stringify(state)}`);
    }
    return new Rng(state[0]!, state[1]!, state[2]!, state[3]!);
  }

  state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; the second variate is dropped so that no cached value lives outside the state). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}
