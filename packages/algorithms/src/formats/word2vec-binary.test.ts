import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputDataError } from '@blazefleet/core';
import { afterAll, describe, expect, it } from 'vitest';
import { WordVectors } from '../word-vectors.js';
import { readWord2VecBinary, writeWord2VecBinary } from './word2vec-binary.js';

const hasGensim = spawnSync('/usr/bin/python3', ['-c', 'import gensim'], { stdio: 'ignore' }).status === 0;
const directory = mkdtempSync(join(tmpdir(), 'word2vec-binary-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function testVectors(count = 300, dim = 12): WordVectors {
  const random = seededRandom(4);
  const words = ['the', 'café', '日本語', ...Array.from({ length: count - 3 }, (_, i) => `w${i}`)];
  return new WordVectors(words, dim, Float32Array.from({ length: count * dim }, () => (random() - 0.5) * 10 ** Math.floor(random() * 6 - 3)));
}

async function expectInputError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputDataError);
  expect((error as Error).message).toMatch(message);
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
    await expectInputError(readWord2VecBinary(path), /truncated at byte \d+: the vector of entry 3 of 3/);
    writeFileSync(path, bytes.subarray(0, 6));
    await expectInputError(readWord2VecBinary(path), /more than the file's 6 bytes hold/);
    writeFileSync(path, 'not a header\n');
    await expectInputError(readWord2VecBinary(path), /expected a header line/);
    await expectInputError(readWord2VecBinary(join(directory, 'missing.bin')), /file not found/);
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
      await readWord2VecBinary(path).catch((error: unknown) => expect(error).toBeInstanceOf(InputDataError));
    }
  });
});

describe.skipIf(!hasGensim)('word2vec binary format in gensim', () => {
  it('loads with load_word2vec_format(binary=True) to the same float32 values', async () => {
    const vectors = testVectors();
    const path = join(directory, 'gensim.bin');
    await writeWord2VecBinary(path, vectors);
    const script = [
      'import json, sys',
      'from gensim.models import KeyedVectors',
      'kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=True)',
      'print(json.dumps({"words": list(kv.index_to_key), "values": [float(x) for x in kv.vectors.ravel()]}))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(run.status, run.stderr).toBe(0);
    const loaded = JSON.parse(run.stdout) as { words: string[]; values: number[] };
    expect(loaded.words).toEqual(vectors.words);
    expect(loaded.values).toEqual(Array.from(vectors.matrix));
  });
});
