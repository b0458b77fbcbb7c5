// The host-side draws of the tensor trainers (subsampling, windows, negatives, labels): one generator per epoch, seeded
// from the training seed and the epoch, so that every epoch samples alike whether or not the run resumed before it.

/** xoshiro128** seeded by SplitMix32: fast 32-bit draws. */
export class EpochRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    let state = seed | 0;
    const splitMix = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.#a = splitMix();
    this.#b = splitMix();
    this.#c = splitMix();
    this.#d = splitMix();
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    const b = this.#b;
    const result = Math.imul(rotateLeft(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    this.#c ^= this.#a;
    this.#d ^= b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotateLeft(this.#d, 11);
    return result / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/** The generator of epoch `epoch` (0-based) of a training seeded with `seed`. */
export function epochRandom(seed: number, epoch: number): EpochRandom {
  return new EpochRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)) >>> 0);
}

function rotateLeft(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
