import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFastTextModel } from './formats/fasttext-model.js';
import { buildSubwordIndex, characterNgrams, fastTextHash, ngramBuckets } from './subwords.js';
import { writeLines } from './testing/corpus-files.js';
import { fastTextRows, hasFastText, trainFastText } from './testing/reference-tools.js';
import { temporaryDirectory } from './testing/temporary-directory.js';
import { Vocabulary } from './vocabulary.js';

/** Independent FNV-1a over fastText's sign-extended bytes, in BigInt arithmetic. */
function referenceHash(text: string): number {
  let hash = 2166136261n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt.asUintN(32, BigInt(byte >= 0x80 ? byte - 0x100 : byte));
    hash = (hash * 16777619n) % 2n ** 32n;
  }
  return Number(hash);
}

describe('fastTextHash', () => {
  it('matches the published FNV-1a 32-bit test vectors for ASCII', () => {
    // FNV test suite (draft-eastlake-fnv, fnv1a32 of "", "a", "foobar"); ASCII bytes are unaffected by sign extension.
    expect(fastTextHash('')).toBe(0x811c9dc5);
    expect(fastTextHash('a')).toBe(0xe40c292c);
    expect(fastTextHash('foobar')).toBe(0xbf9cf968);
  });

  it('sign-extends bytes >= 0x80 like an independent BigInt implementation', () => {
    for (const text of ['café', 'naïve', '日本語', '<日本', 'é>', 'ß', '🙂', 'plain']) {
      expect(fastTextHash(text)).toBe(referenceHash(text));
    }
    // Without sign extension the hash of a non-ASCII string would differ.
    let unsigned = 2166136261;
    for (const byte of new TextEncoder().encode('é')) unsigned = Math.imul(unsigned ^ byte, 16777619) >>> 0;
    expect(fastTextHash('é')).not.toBe(unsigned);
  });
});

describe('characterNgrams', () => {
  it("follows fastText's rules on <word>", () => {
    expect(characterNgrams('ab', 1, 2)).toEqual(['<a', 'a', 'ab', 'b', 'b>']);
    expect(characterNgrams('where', 3, 3)).toEqual(['<wh', 'whe', 'her', 'ere', 're>']);
    expect(characterNgrams('日本', 2, 3)).toEqual(['<日', '<日本', '日本', '日本>', '本>']);
  });

  it('gives nothing when maxn is 0 or minn > maxn', () => {
    expect(characterNgrams('word', 0, 0)).toEqual([]);
    expect(characterNgrams('word', 4, 3)).toEqual([]);
    expect(ngramBuckets('word', 0, 0, 100)).toHaveLength(0);
  });

  it('ngramBuckets hashes the same n-grams in the same order', () => {
    const ngrams = characterNgrams('naïve', 2, 5);
    expect(Array.from(ngramBuckets('naïve', 2, 5, 977))).toEqual(ngrams.map((n) => referenceHash(n) % 977));
  });
});

describe('buildSubwordIndex', () => {
  it('holds each word’s buckets in CSR form; </s> has none', () => {
    const words = ['the', '</s>', 'café', 'x'];
    const index = buildSubwordIndex(new Vocabulary(words, new Float64Array([4, 3, 2, 1])), 2, 4, 1000);
    expect(index.offsets).toHaveLength(words.length + 1);
    words.forEach((word, i) => {
      const rows = Array.from(index.rows.subarray(index.offsets[i]!, index.offsets[i + 1]!));
      expect(rows).toEqual(word === '</s>' ? [] : Array.from(ngramBuckets(word, 2, 4, 1000)));
    });
    expect(buildSubwordIndex(new Vocabulary(words, new Float64Array(4)), 3, 0, 1000).rows).toHaveLength(0);
  });
});

describe.skipIf(!hasFastText())('identical to fastText', () => {
  const directory = temporaryDirectory('subwords-');

  it('prints the same n-grams, and their rows are at nwords + fastTextHash(ngram) % bucket', async () => {
    const line = 'le café naïve 日本語 über straße the cat sat on the mat';
    writeLines(join(directory, 'tiny.txt'), Array<string>(20).fill(line));
    trainFastText(directory, ['skipgram', '-input', 'tiny.txt', '-output', 'm', '-minCount', '1', '-minn', '3', '-maxn', '6',
      '-bucket', '1000', '-dim', '8', '-epoch', '1']);
    const model = await readFastTextModel(join(directory, 'm.bin'));
    const nwords = model.words.length;
    const input = model.input.toDense();
    for (const word of ['café', 'naïve', '日本語', 'straße', 'unseen', 'ünïcödé']) {
      const printed = fastTextRows(['print-ngrams', 'm.bin', word], { cwd: directory });
      // fastText lists the word itself first when it is in the vocabulary.
      const ngramRows = model.words.includes(word) ? printed.slice(1) : printed;
      expect(ngramRows.map((fields) => fields[0])).toEqual(characterNgrams(word, 3, 6));
      const buckets = ngramBuckets(word, 3, 6, 1000);
      ngramRows.forEach((fields, i) => {
        const row = nwords + buckets[i]!;
        const values = fields.slice(1).map(Number);
        const stored = Array.from(input.subarray(row * 8, row * 8 + 8));
        values.forEach((value, d) => expect(stored[d]).toBeCloseTo(value, 4));
      });
    }
  });
});
