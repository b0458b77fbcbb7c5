import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectInputDataError, expectNoErrorButInputDataError } from '../testing/expect-input-error.js';
import { hasGensim, loadWithGensim } from '../testing/reference-tools.js';
import { seededRandom } from '../testing/seeded-random.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { numberedWords, randomWordVectors } from '../testing/test-vectors.js';
import { WordVectors } from '../word-vectors.js';
import { readWord2VecBinary, writeWord2VecBinary } from './word2vec-binary.js';

const directory = temporaryDirectory('word2vec-binary-');

function testVectors(count = 300, dim = 12): WordVectors {
  const random = seededRandom(4);
  return randomWordVectors(numberedWords(count, ['the', 'café', '日本語']), dim, () => (random() - 0.5) * 10 ** Math.floor(random() * 6 - 3));
}

describe('word2vec binary format', () => {
  it('writes the header, "word " and little-endian float32 with a newline per entry', async () => {
    const path = join(directory, 'layout.bin');
    await writeWord2VecBinary(path, new WordVectors(['é', 'b'], 2, Float32Array.of(1, -2, 0.5, 3)));
    const bytes = readFileSync(path);
    const floats = (values: number[]): Buffer => Buffer.from(Float32Array.from(values).buffer);
    expect(bytes).toEqual(
      Buffer.concat([Buffer.from('2 2\né '), floats([1, -2]), Buffer.from('\nb '), floats([0.5, 3]), Buffer.from('\n')]),
    );
  });

  it('round-trips exactly, and reads entries without the optional newline', async () => {
    const vectors = testVectors();
    const path = join(directory, 'round-trip.bin');
    await writeWord2VecBinary(path, vectors);
    const read = await readWord2VecBinary(path);
    expect(read.words).toEqual(vectors.words);
    expect(Array.from(read.matrix)).toEqual(Array.from(vectors.matrix));

    const compact = Buffer.concat([Buffer.from('2 1\na '), Buffer.from(Float32Array.of(7).buffer), Buffer.from('b '), Buffer.from(Float32Array.of(9).buffer)]);
    writeFileSync(path, compact);
    const readCompact = await readWord2VecBinary(path);
    expect(readCompact.words).toEqual(['a', 'b']);
    expect(Array.from(readCompact.matrix)).toEqual([7, 9]);
  });

  it('names the byte offset and entry of a truncated file', async () => {
    const path = join(directory, 'truncated.bin');
    await writeWord2VecBinary(path, testVectors(3, 4));
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    await expectInputDataError(readWord2VecBinary(path), /truncated at byte \d+: the vector of entry 3 of 3/);
    writeFileSync(path, bytes.subarray(0, 6));
    await expectInputDataError(readWord2VecBinary(path), /more than the file's 6 bytes hold/);
    writeFileSync(path, 'not a header\n');
    await expectInputDataError(readWord2VecBinary(path), /expected a header line/);
    await expectInputDataError(readWord2VecBinary(join(directory, 'missing.bin')), /file not found/);
  });

  it('fails only with InputDataError on random and truncated input', async () => {
    const random = seededRandom(9);
    const path = join(directory, 'fuzz.bin');
    await writeWord2VecBinary(path, testVectors(40, 5));
    const valid = readFileSync(path);
    for (let round = 0; round < 40; round++) {
      let bytes: Uint8Array;
      if (round % 3 === 0) bytes = valid.subarray(0, Math.floor(random() * valid.length));
      else if (round % 3 === 1) {
        bytes = Uint8Array.from(valid);
        for (let i = 0; i < 5; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      } else bytes = Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256));
      writeFileSync(path, bytes);
      await expectNoErrorButInputDataError(readWord2VecBinary(path));
    }
  });
});

describe.skipIf(!hasGensim())('word2vec binary format in gensim', () => {
  it('loads with load_word2vec_format(binary=True) to the same float32 values', async () => {
    const vectors = testVectors();
    const path = join(directory, 'gensim.bin');
    await writeWord2VecBinary(path, vectors);
    const loaded = loadWithGensim(path, 'binary');
    expect(loaded.words).toEqual(vectors.words);
    expect(loaded.values).toEqual(Array.from(vectors.matrix));
  });
});
