import { mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { InputDataError } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { readCorpus, SENTENCE_END, type Corpus } from './corpus.js';
import { expectInputDataError } from './testing/expect-input-error.js';
import { seededRandom } from './testing/seeded-random.js';
import { textInputFiles } from './testing/text-input-files.js';

const { directory, file, folder } = textInputFiles('corpus');

/** The token stream as words, '|' for SENTENCE_END. */
function spelled(corpus: Corpus): string[] {
  return Array.from(corpus.tokens, (id) => (id === SENTENCE_END ? '|' : corpus.vocabulary.words[id]!));
}

/** An independent reading: split lines, then words on fastText's whitespace; empty lines leave no marker. */
function simpleSplit(text: string): string[] {
  const stream: string[] = [];
  for (const line of text.split('\n')) {
    const words = line.split(/[ \t\v\f\r\0]+/).filter((word) => word.length > 0);
    if (words.length === 0) continue;
    for (const word of words) stream.push(word);
    stream.push('|');
  }
  return stream;
}

describe('readCorpus', () => {
  it('sorts words by count (ties by first occurrence) and marks line ends once', async () => {
    const corpus = await readCorpus(file('\n\nb a c a\r\n\n  c b a d\n\n'), { minCount: 1 });
    expect(corpus.vocabulary.words).toEqual(['a', 'b', 'c', 'd']);
    expect(Array.from(corpus.vocabulary.counts)).toEqual([3, 2, 2, 1]);
    expect(spelled(corpus)).toEqual(['b', 'a', 'c', 'a', '|', 'c', 'b', 'a', 'd', '|']);
    expect(corpus.tokenCount).toBe(8);
    expect(corpus.rawTokenCount).toBe(8);
    expect(corpus.tokens.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(corpus.tokens.buffer.byteLength).toBe(corpus.tokens.length * 4);
    expect(corpus.warnings).toEqual([]);
  });

  it('drops words under min_count from the stream, and lines left empty with them', async () => {
    const corpus = await readCorpus(file('x a b\ny z\na b a\nq'), { minCount: 2 });
    expect(corpus.vocabulary.words).toEqual(['a', 'b']);
    expect(spelled(corpus)).toEqual(['a', 'b', '|', 'a', 'b', 'a', '|']);
    expect(corpus.tokenCount).toBe(5);
    expect(corpus.rawTokenCount).toBe(9);
  });

  it('reads gzip the same as plain text', async () => {
    const text = 'the quick brown fox\njumps over the lazy dog the end\n';
    const plain = await readCorpus(file(text), { minCount: 1 });
    const gzip = await readCorpus(file(text, true), { minCount: 1 });
    expect(spelled(gzip)).toEqual(spelled(plain));
    expect(gzip.vocabulary.words).toEqual(plain.vocabulary.words);
  });

  it('keeps words and UTF-8 characters cut by read chunk boundaries whole', async () => {
    const filler = 'ab '.repeat(((1 << 20) - 2) / 3 - 1) + 'ab';
    const text = filler.padEnd((1 << 20) - 2, ' ') + 'xé yy\n';
    expect(Buffer.from(text).subarray((1 << 20) - 2, (1 << 20) + 1).toString()).toBe('xé');
    const random = seededRandom(7);
    const words = ['日本語', 'café', 'naïve', 'x', 'longer-word-here'];
    const big = Array.from({ length: 400_000 }, () => words[Math.floor(random() * words.length)]).join(' ');
    for (const gzip of [false, true]) {
      const corpus = await readCorpus(file(text + big, gzip), { minCount: 1 });
      expect(corpus.vocabulary.indexOf('xé')).toBeGreaterThanOrEqual(0);
      expect(corpus.warnings).toEqual([]);
      expect(spelled(corpus)).toEqual(simpleSplit(text + big));
    }
  });

  it('replaces invalid UTF-8 and counts it in warnings', async () => {
    const bytes = Buffer.concat([Buffer.from('ok caf'), Buffer.from([0xe9]), Buffer.from(' ok caf'), Buffer.from([0xe8]), Buffer.from(' ok\n')]);
    const corpus = await readCorpus(file(bytes), { minCount: 1 });
    expect(corpus.vocabulary.words).toEqual(['ok', 'caf\ufffd']);
    expect(Array.from(corpus.vocabulary.counts)).toEqual([3, 2]);
    expect(corpus.warnings).toEqual([{ reason: expect.stringMatching(/invalid UTF-8/), count: 2 }]);
  });

  it('reports progress, ending at the file size', async () => {
    const path = file('a b c\n'.repeat(1000), true);
    const calls: [number, number][] = [];
    await readCorpus(path, { minCount: 1, onProgress: (read, total) => calls.push([read, total]) });
    const last = calls.at(-1)!;
    expect(last[0]).toBe(last[1]);
    expect(last[1]).toBeGreaterThan(0);
  });

  it('names the problem with unusable input', async () => {
    await expectInputDataError(readCorpus(join(directory, 'missing.txt'), { minCount: 1 }), /file not found/, 'reason');
    const folder = join(directory, 'folder');
    mkdirSync(folder);
    await expectInputDataError(readCorpus(folder, { minCount: 1 }), /is a directory without input files/, 'reason');
    await expectInputDataError(readCorpus(file(''), { minCount: 1 }), /is empty: no words/, 'reason');
    await expectInputDataError(readCorpus(file(' \n\t\r\n  '), { minCount: 1 }), /is empty: no words/, 'reason');
    await expectInputDataError(readCorpus(file(' \n', true), { minCount: 1 }), /is empty: no words/, 'reason');
    await expectInputDataError(readCorpus(file(Buffer.from('text\0with\0nul bytes')), { minCount: 1 }), /looks binary, expected UTF-8 text/, 'reason');
    const random = seededRandom(3);
    const noise = Uint8Array.from({ length: 100_000 }, () => 1 + Math.floor(random() * 255));
    await expectInputDataError(readCorpus(file(noise), { minCount: 1 }), /looks binary.*invalid UTF-8/, 'reason');
    await expectInputDataError(readCorpus(file('a b c a\n'), { minCount: 3 }), /min_count=3.*3 distinct words.*2 times/, 'reason');
    const truncatedGzip = gzipSync(Buffer.from('some words here\n'.repeat(1000))).subarray(0, 40);
    await expectInputDataError(readCorpus(file(truncatedGzip), { minCount: 1 }), /gzip|cannot read/, 'reason');
  });
});

describe('readCorpus of a directory', () => {
  it('reads its files in key order as one corpus, the same as their concatenation', async () => {
    const random = seededRandom(11);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'épsilon', 'zeta'];
    const text = (lines: number): string =>
      Array.from({ length: lines }, () => Array.from({ length: 1 + Math.floor(random() * 9) }, () => words[Math.floor(random() * words.length)]).join(' ')).join('\n') + '\n';
    const parts = { 'part-1.txt': text(300), 'nested/part-2.txt.gz': text(200), 'part-3.txt': text(100) };
    const root = folder('three-parts', { 'part-3.txt': parts['part-3.txt'], 'nested/part-2.txt.gz': parts['nested/part-2.txt.gz'], 'part-1.txt': parts['part-1.txt'], '.hidden': 'never read\n' });
    // Key order: 'nested/...' < 'part-1.txt' < 'part-3.txt'.
    const concatenated = file(parts['nested/part-2.txt.gz'] + parts['part-1.txt'] + parts['part-3.txt']);
    const fromDirectory = await readCorpus(root, { minCount: 2 });
    const fromFile = await readCorpus(concatenated, { minCount: 2 });
    expect(fromDirectory.vocabulary.words).toEqual(fromFile.vocabulary.words);
    expect(fromDirectory.vocabulary.counts).toEqual(fromFile.vocabulary.counts);
    expect(fromDirectory.tokens).toEqual(fromFile.tokens);
    expect([fromDirectory.tokenCount, fromDirectory.rawTokenCount]).toEqual([fromFile.tokenCount, fromFile.rawTokenCount]);
    expect(spelled(fromDirectory).includes('never')).toBe(false);
  });

  it('ends a sentence at the end of each file', async () => {
    const corpus = await readCorpus(folder('no-final-breaks', { 'a.txt': 'x y', 'b.txt.gz': 'y z', 'c.txt': 'z x\n' }), { minCount: 1 });
    expect(spelled(corpus)).toEqual(['x', 'y', '|', 'y', 'z', '|', 'z', 'x', '|']);
  });
});

describe('readCorpus fuzz', () => {
  const separators = [' ', ' ', ' ', '\n', '\t', '\r', '\v', '\f', '  ', '\n\n'];
  const pieces = ['a', 'é', '日', 'ß', '🙂', 'word', 'x', 'ab', 'ü', 'q'];

  it('agrees with a simple split on random UTF-8 text with random whitespace', async () => {
    const random = seededRandom(11);
    for (let round = 0; round < 20; round++) {
      let text = '';
      const length = Math.floor(random() * 3000);
      for (let i = 0; i < length; i++) {
        text += random() < 0.3 ? separators[Math.floor(random() * separators.length)] : pieces[Math.floor(random() * pieces.length)];
      }
      const expected = simpleSplit(text);
      if (expected.length === 0) {
        await expectInputDataError(readCorpus(file(text), { minCount: 1 }), /is empty/, 'reason');
        continue;
      }
      const corpus = await readCorpus(file(text, round % 2 === 1), { minCount: 1 });
      expect(spelled(corpus)).toEqual(expected);
      expect(corpus.rawTokenCount).toBe(expected.filter((token) => token !== '|').length);
    }
  });

  it('treats NUL bytes after the first 64 KiB as separators', async () => {
    const text = 'w '.repeat(40_000) + 'left\0right\n';
    const corpus = await readCorpus(file(text), { minCount: 1 });
    expect(corpus.vocabulary.indexOf('left')).toBeGreaterThanOrEqual(0);
    expect(corpus.vocabulary.indexOf('right')).toBeGreaterThanOrEqual(0);
  });

  it('never fails on random bytes with anything but InputDataError', async () => {
    const random = seededRandom(5);
    for (let round = 0; round < 40; round++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 2000) }, () =>
        random() < 0.5 ? 0x61 + Math.floor(random() * 3) : Math.floor(random() * 256),
      );
      try {
        const corpus = await readCorpus(file(bytes, round % 3 === 0), { minCount: 1 });
        expect(corpus.tokenCount).toBeGreaterThan(0);
      } catch (error) {
        expect(error).toBeInstanceOf(InputDataError);
      }
    }
  });
});

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const smallCorpus = join(repositoryRoot, '../shared/data/corpus/small.txt.gz');

describe.skipIf(!existsSync(smallCorpus))('readCorpus on the shared small corpus', () => {
  it('reads one text8-style line into a single sentence', async () => {
    const corpus = await readCorpus(smallCorpus, { minCount: 5 });
    expect(corpus.rawTokenCount).toBeGreaterThan(900_000);
    expect(corpus.tokenCount).toBe(corpus.tokens.length - 1);
    expect(corpus.tokens.at(-1)).toBe(SENTENCE_END);
    expect(corpus.vocabulary.words[0]).toBe('the');
    const counts = corpus.vocabulary.counts;
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1]!);
  });
});
