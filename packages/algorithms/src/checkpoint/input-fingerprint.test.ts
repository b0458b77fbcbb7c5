import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textInputFiles } from '../testing/text-input-files.js';
import { Vocabulary } from '../vocabulary.js';
import { fingerprintTextInput, fingerprintVocabulary, inputDifferences } from './input-fingerprint.js';

const { folder } = textInputFiles('input-fingerprint');

describe('fingerprintTextInput', () => {
  it('identifies the files of a directory by key, size and the bytes at both ends', async () => {
    const big = 'x'.repeat(300_000);
    const root = folder('data', { 'b/big.txt': big, 'a.txt': 'small\n', '.hidden': 'skipped' });
    const before = await fingerprintTextInput(root);
    expect(before.map(({ key, size }) => ({ key, size }))).toEqual([
      { key: 'a.txt', size: 6 },
      { key: 'b/big.txt', size: 300_000 },
    ]);
    expect(await fingerprintTextInput(root)).toEqual(before);

    writeFileSync(join(root, 'b', 'big.txt'), `${big.slice(0, -1)}y`);
    expect(inputDifferences('train', before, await fingerprintTextInput(root))).toEqual(['train file b/big.txt has other content']);
    // The middle is not read: a change there of the same size goes unseen, the price of not reading gigabytes.
    writeFileSync(join(root, 'b', 'big.txt'), `${big.slice(0, 150_000)}y${big.slice(150_001)}`);
    expect(inputDifferences('train', before, await fingerprintTextInput(root))).toEqual([]);
  });
});

describe('inputDifferences', () => {
  it('names new, missing, resized and changed files', () => {
    const saved = [
      { key: 'kept', size: 1, edges: 'a' },
      { key: 'resized', size: 1, edges: 'a' },
      { key: 'changed', size: 1, edges: 'a' },
      { key: 'gone', size: 1, edges: 'a' },
    ];
    const now = [
      { key: 'kept', size: 1, edges: 'a' },
      { key: 'resized', size: 2, edges: 'a' },
      { key: 'changed', size: 1, edges: 'b' },
      { key: 'new', size: 1, edges: 'a' },
    ];
    expect(inputDifferences('validation', saved, now)).toEqual([
      'validation file resized has 2 bytes, 1 in the checkpoint',
      'validation file changed has other content',
      'validation file new is new',
      'validation file gone is gone',
    ]);
  });
});

describe('fingerprintVocabulary', () => {
  it('changes with any word, count or order', () => {
    const of = (words: string[], counts: number[]) => fingerprintVocabulary(new Vocabulary(words, Float64Array.from(counts)));
    const base = of(['a', 'b'], [2, 1]);
    expect(of(['a', 'b'], [2, 1])).toEqual(base);
    for (const other of [of(['a', 'c'], [2, 1]), of(['a', 'b'], [3, 1]), of(['b', 'a'], [2, 1]), of(['a b'], [2])]) expect(other.sha256).not.toBe(base.sha256);
  });
});
