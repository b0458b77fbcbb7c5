import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputDataError } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { SENTENCE_END, readCorpus, scanCorpus, type Corpus } from '../corpus.js';
import { writeLines } from '../testing/corpus-files.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { loopbackHosts } from './loopback-hosts.js';
import { RingAllReduce } from './ring-allreduce.js';
import { joinShards, type JoinedShards } from './sharded-corpus.js';

const work = temporaryDirectory('sharded-corpus-test-');

/** Writes each shard into a directory of its own, and all of them into one more, in rank order, as one corpus. */
function writeShards(name: string, shards: string[][]): { shardPaths: string[]; wholePath: string } {
  const wholePath = join(work, name, 'whole');
  mkdirSync(wholePath, { recursive: true });
  const shardPaths = shards.map((lines, rank) => {
    writeLines(join(wholePath, `part-${rank}.txt`), lines);
    const path = join(work, name, `shard-${rank}.txt`);
    writeLines(path, lines);
    return path;
  });
  return { shardPaths, wholePath };
}

async function joinOnRing(shardPaths: string[], minCount: number): Promise<PromiseSettledResult<JoinedShards>[]> {
  const hosts = await loopbackHosts(shardPaths.length);
  const ring = await Promise.all(hosts.map((_, rank) => RingAllReduce.connect({ rank, hosts })));
  try {
    return await Promise.allSettled(ring.map(async (host, rank) => joinShards(host, await scanCorpus(shardPaths[rank]!), minCount, hosts)));
  } finally {
    for (const host of ring) host.close();
  }
}

function wordsOf(corpus: Corpus): string[] {
  return Array.from(corpus.tokens, (id) => (id === SENTENCE_END ? '\n' : corpus.vocabulary.words[id]!));
}

/** The words of these lines that are in the vocabulary, '\n' after each line that kept one. */
function keptWords(lines: readonly string[], vocabulary: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const kept = line.split(' ').filter((word) => vocabulary.includes(word));
    return kept.length > 0 ? [...kept, '\n'] : [];
  });
}

describe('joinShards', () => {
  it('gives every host the vocabulary of all shards read as one corpus, min_count applied to the summed counts', async () => {
    // 'b' and 'y' reach min_count only summed over shards; 'x' is in shard 1 alone; 'z' and 'q' stay under it.
    const shards = [
      ['a b c a', 'd d z', 'c'],
      ['b x x x', 'y'],
      ['a y c', 'q', 'a a'],
    ];
    const { shardPaths, wholePath } = writeShards('three', shards);
    const results = await joinOnRing(shardPaths, 2);
    const whole = await readCorpus(wholePath, { minCount: 2 });
    expect(whole.vocabulary.words).toEqual(['a', 'c', 'x', 'b', 'd', 'y']);
    let positions = 0;
    for (const [rank, result] of results.entries()) {
      expect(result.status).toBe('fulfilled');
      const joined = (result as PromiseFulfilledResult<JoinedShards>).value;
      expect(joined.corpus.vocabulary.words).toEqual(whole.vocabulary.words);
      expect(Array.from(joined.corpus.vocabulary.counts)).toEqual(Array.from(whole.vocabulary.counts));
      expect({ positions: joined.positions, tokenCount: joined.tokenCount, rawTokenCount: joined.rawTokenCount }).toEqual({
        positions: whole.tokens.length,
        tokenCount: whole.tokenCount,
        rawTokenCount: whole.rawTokenCount,
      });
      expect(wordsOf(joined.corpus)).toEqual(keptWords(shards[rank]!, whole.vocabulary.words));
      positions += joined.corpus.tokens.length;
    }
    expect(positions).toBe(whole.tokens.length);
  });

  it('fails every host alike, naming the host, when a shard has no word of the vocabulary', async () => {
    const { shardPaths } = writeShards('rare', [['a a b'], ['b a'], ['rare words only']]);
    const hosts = await joinOnRing(shardPaths, 2);
    for (const result of hosts) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as InputDataError;
      expect(error).toBeInstanceOf(InputDataError);
      expect(error.message).toMatch(/^the shards of all 3 hosts: no word of the shard of 127\.0\.0\.1:\d+ \(rank 2\) occurs min_count=2 times or more in all shards together/);
    }
  });
});
