import { Rng } from './random.js';
import { JOE_KUO_DIRECTIONS } from './sobol-directions.js';

const BITS = 32;
export const SOBOL_MAX_DIMENSIONS = JOE_KUO_DIRECTIONS.length + 1;

/**
 * Sobol' points in Gray-code order with Joe–Kuo direction numbers, 32 bits per coordinate. Scrambled (the default
 * for sampling) with Matoušek's linear matrix scramble plus a random digital shift, both drawn from `seed`, which
 * keeps the (t, m, s)-net structure while removing the points on the cube's faces. Point i is computed directly from
 * i, so the only state a sampler has to keep is how many points it has drawn.
 */
export class SobolSequence {
  /** dimensions × 32 direction numbers, bit 31 being the 1/2 digit. */
  private readonly directions: Uint32Array;
  private readonly shift: Uint32Array;

  constructor(
    readonly dimensions: number,
    scramble: { seed: number } | false,
  ) {
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > SOBOL_MAX_DIMENSIONS) {
      throw new RangeError(`Sobol sequence: expected 1 to ${SOBOL_MAX_DIMENSIONS} dimensions, got ${dimensions}`);
    }
    this.directions = new Uint32Array(dimensions * BITS);
    this.shift = new Uint32Array(dimensions);
    for (let d = 0; d < dimensions; d++) directionNumbers(d, this.directions.subarray(d * BITS, (d + 1) * BITS));
    if (scramble) {
      const rng = Rng.fromSeed(scramble.seed);
      const rows = new Uint32Array(BITS);
      for (let d = 0; d < dimensions; d++) {
        for (let i = 0; i < BITS; i++) {
          const higher = i === 0 ? 0 : (0xffffffff << (BITS - i)) >>> 0;
          rows[i] = ((rng.nextUint32() & higher) | (1 << (BITS - 1 - i))) >>> 0;
        }
        const v = this.directions.subarray(d * BITS, (d + 1) * BITS);
        for (let k = 0; k < BITS; k++) v[k] = scrambleDigits(rows, v[k]!);
        this.shift[d] = rng.nextUint32();
      }
    }
  }

  /** Writes point `index` (0-based) into `out[offset ...]`, each coordinate in [0, 1). */
  point(index: number, out: Float64Array | number[], offset = 0): void {
    const gray = (index ^ Math.floor(index / 2)) >>> 0;
    for (let d = 0; d < this.dimensions; d++) {
      let x = this.shift[d]!;
      let g = gray;
      for (let k = d * BITS; g !== 0; k++, g >>>= 1) if (g & 1) x ^= this.directions[k]!;
      out[offset + d] = (x >>> 0) / 4294967296;
    }
  }
}

/** V_k = m_k / 2^k for dimension d, from the primitive-polynomial recurrence m_k = m_{k-s} ⊕ 2^s m_{k-s} ⊕ Σ 2^i a_i m_{k-i}. */
function directionNumbers(d: number, out: Uint32Array): void {
  const m = new Uint32Array(BITS + 1);
  if (d === 0) {
    m.fill(1);
  } else {
    const row = JOE_KUO_DIRECTIONS[d - 1]!;
    const s = row[0]!;
    const a = row[1]!;
    for (let k = 1; k <= s; k++) m[k] = row[1 + k]!;
    for (let k = s + 1; k <= BITS; k++) {
      let value = m[k - s]! ^ (m[k - s]! << s);
      for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) value ^= m[k - i]! << i;
      m[k] = value;
    }
  }
  for (let k = 1; k <= BITS; k++) out[k - 1] = (m[k]! << (BITS - k)) >>> 0;
}

/** Output digit i is the parity of (row_i AND v): a lower-triangular matrix over GF(2), most significant digit first. */
function scrambleDigits(rows: Uint32Array, v: number): number {
  let out = 0;
  for (let i = 0; i < BITS; i++) {
    let p = rows[i]! & v;
    p ^= p >>> 16;
    p ^= p >>> 8;
    p ^= p >>> 4;
    if ((0x6996 >>> (p & 0xf)) & 1) out |= 1 << (BITS - 1 - i);
  }
  return out >>> 0;
}
