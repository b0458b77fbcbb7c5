/** fastText's multiplier in Dictionary::addWordNgrams. */
const NGRAM_MULTIPLIER = 116049371;
const TWO_POW_16 = 65536;
const TWO_POW_32 = 4294967296;

/** How many rows appendWordNgrams adds for a line of `words` words: at most n - 1 per word. */
export function wordNgramCount(words: number, n: number): number {
  return n > 1 ? words * (n - 1) : 0;
}

/**
 * Appends the rows of a line's word n-grams (2..n words) at out[at..], exactly as fastText's Dictionary::addWordNgrams
 * computes them, and returns the new end. `hashes` holds the words' fastText hashes as int32, as fastText stores them
 * in a vector<int32_t>. fastText's arithmetic is uint64: h = hashes[i] (sign-extended), h = h * 116049371 + hashes[j]
 * (sign-extended again), row = nwords + h % buckets. Here h is kept exact as two uint32 halves, since a double holds
 * only 53 bits; `out` must have room for wordNgramCount(count, n) more rows.
 */
export function appendWordNgrams(
  hashes: Int32Array,
  count: number,
  n: number,
  buckets: number,
  nwords: number,
  out: Int32Array,
  at: number,
): number {
  if (n <= 1 || buckets <= 0) return at;
  // Bitwise operators take their operand modulo 2^32, exactly for integers below 2^53; % on such doubles is slow.
  for (let i = 0; i < count; i++) {
    const first = hashes[i]!;
    let high = first < 0 ? 0xffffffff : 0;
    let low = first >>> 0;
    const stop = Math.min(count, i + n);
    for (let j = i + 1; j < stop; j++) {
      // (high:low) * M mod 2^64, with low split in 16-bit halves: low * M = lowHigh * M * 2^16 + lowLow * M.
      const lowHighProduct = (low >>> 16) * NGRAM_MULTIPLIER;
      const lowSum = (low & 0xffff) * NGRAM_MULTIPLIER + (lowHighProduct & 0xffff) * TWO_POW_16;
      const lowSumLow = lowSum >>> 0;
      const carry = (lowSum - lowSumLow) / TWO_POW_32;
      high = (Math.imul(high, NGRAM_MULTIPLIER) + Math.floor(lowHighProduct / TWO_POW_16) + carry) >>> 0;
      // + hashes[j] sign-extended to 64 bits.
      const next = hashes[j]!;
      const sum = lowSumLow + (next >>> 0);
      low = sum >>> 0;
      high = (high + (sum >= TWO_POW_32 ? 1 : 0) + (next < 0 ? 0xffffffff : 0)) >>> 0;
      // (high * 2^32 + low) mod buckets, 2^32 applied in two 2^16 steps so that every value stays below 2^53.
      let remainder = modulo(high, buckets);
      remainder = modulo(remainder * TWO_POW_16, buckets);
      out[at++] = nwords + modulo(remainder * TWO_POW_16 + low, buckets);
    }
  }
  return at;
}

/** x mod m for integers 0 <= x < 2^53 and 0 < m < 2^31, by a floating division that may be off by one. */
function modulo(x: number, m: number): number {
  const remainder = x - Math.floor(x / m) * m;
  return remainder < 0 ? remainder + m : remainder >= m ? remainder - m : remainder;
}
