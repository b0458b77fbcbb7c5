import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectInputDataError, expectNoErrorButInputDataError } from '../testing/expect-input-error.js';
import { hasGensim, loadWithGensim } from '../testing/reference-tools.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { numberedWords, randomWordVectors } from '../testing/test-vectors.js';
import { WordVectors } from '../word-vectors.js';
import { readWord2VecText, writeWord2VecText } from './word2vec-text.js';

const directory = temporaryDirectory('word2vec-text-');

/** Values over many magnitudes, both signs, plus awkward ones: powers of ten, integers, tiny and huge. */
function testVectors(): WordVectors {
  const random = seededRandom(42);
  const words = numberedWords(200, ['the', 'café', '日本語', 'naïve']);
  const vectors = randomWordVectors(words, 25, () => (random() - 0.5) * 10 ** Math.floor(random() * 12 - 8));
  vectors.matrix.set([0, 1, -1, 10, 100, 0.1, 1e-3, 123456.7, 1234567, 12345678, 3e-30, 1e30, -0.000123, 0.5, 2 ** -20], 0);
  return vectors;
}

describe('word2vec text format', () => {
  it('round-trips every float32 exactly', async () => {
    const vectors = testVectors();
    const path = join(directory, 'round-trip.txt');
    await writeWord2VecText(path, vectors);
    const read = await readWord2VecText(path);
    expect(read.words).toEqual(vectors.words);
    expect(read.dim).toBe(vectors.dim);
    expect(Array.from(read.matrix)).toEqual(Array.from(vectors.matrix));
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith(`200 25\nthe 0 1 -1 10 100 0.1 0.001 123456.7 1234567 12345678 `)).toBe(true);
  });

  it('writes deterministically', async () => {
    const first = join(directory, 'first.txt');
    const second = join(directory, 'second.txt');
    await writeWord2VecText(first, testVectors());
    await writeWord2VecText(second, testVectors());
    expect(readFileSync(first)).toEqual(readFileSync(second));
  });

  it('refuses words with whitespace and non-finite values', async () => {
    const path = join(directory, 'bad.txt');
    await expectInputDataError(writeWord2VecText(path, new WordVectors(['a b'], 1, new Float32Array(1))), /whitespace/);
    await expectInputDataError(writeWord2VecText(path, new WordVectors(['a'], 1, Float32Array.of(NaN))), /non-finite/);
  });

  it('names the file and line of malformed input', async () => {
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['2 3 4\na 1 2 3\n', /:1: expected a header/],
      ['2 3\na 1 2 3\nb 1 2\n', /:3: expected a word and 3 numbers, found 3 fields/],
      ['2 3\na 1 2 3\nb 1 x 3\n', /:3: 'x' is not a finite number/],
      ['3 3\na 1 2 3\nb 1 2 3\nc 1 2 3\nd 1 2 3\n', /:5: more vectors than the 3/],
      ['3 2\na 1.5 2.5\nb 1.5 2.5\n\n\n', /announces 3 vectors but the file holds 2/],
      ['1000000 300\na 1\n', /more than the file can hold/],
    ];
    for (const [content, message] of cases) {
      const path = join(directory, 'malformed.txt');
      writeFileSync(path, content);
      await expectInputDataError(readWord2VecText(path), message);
    }
    await expectInputDataError(readWord2VecText(join(directory, 'missing.txt')), /file not found/);
  });

  it('reads trailing spaces and CRLF line ends', async () => {
    const path = join(directory, 'crlf.txt');
    writeFileSync(path, '2 2\r\na 1 2 \r\nb 3 4\r\n');
    const read = await readWord2VecText(path);
    expect(read.words).toEqual(['a', 'b']);
    expect(Array.from(read.matrix)).toEqual([1, 2, 3, 4]);
  });

  it('fails only with InputDataError on random and truncated input', async () => {
    const random = seededRandom(8);
    const path = join(directory, 'fuzz.txt');
    await writeWord2VecText(path, testVectors());
    const valid = readFileSync(path);
    for (let round = 0; round < 30; round++) {
      const bytes =
        round % 2 === 0
          ? valid.subarray(0, Math.floor(random() * valid.length))
          : Uint8Array.from({ length: Math.floor(random() * 500) }, () => (random() < 0.5 ? 0x30 + Math.floor(random() * 10) : Math.floor(random() * 256)));
      writeFileSync(path, bytes);
      await expectNoErrorButInputDataError(readWord2VecText(path));
    }
  });
});

describe.skipIf(!hasGensim())('word2vec text format in gensim', () => {
  it('loads with load_word2vec_format(binary=False) to the same float32 values', async () => {
    const vectors = testVectors();
    const path = join(directory, 'gensim.txt');
    await writeWord2VecText(path, vectors);
    const loaded = loadWithGensim(path, 'text');
    expect(loaded.words).toEqual(vectors.words);
    expect(loaded.values).toEqual(Array.from(vectors.matrix));
  });
});
