import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InputDataError } from '@blazefleet/core';
import type { Corpus, ScannedCorpus } from '../corpus.js';
import { Vocabulary } from '../vocabulary.js';

/** What joinShards needs of the connection to the other hosts. */
export interface ShardExchange {
  /** Every host's payload, by rank; every host calls it at the same point. */
  allGather(payload: Uint8Array): Promise<Uint8Array[]>;
}

export interface JoinedShards {
  /** This host's shard in the ids of the vocabulary of all shards, the same on every host. */
  corpus: Corpus;
  /** Token positions (sentence ends included) in the shards of all hosts together. */
  positions: number;
  /** Word tokens kept (min_count applied) in all shards together. */
  tokenCount: number;
  /** Word tokens read in all shards together. */
  rawTokenCount: number;
}

/** Words merged between two turns given to the event loop, so that heartbeats go on. */
const YIELD_EVERY = 1 << 18;
/** Word counts as a payload: u32 word count, u32 padding, then a float64 count per word, then the words, '\n'-separated. */
const COUNTS_OFFSET = 8;

/**
 * For a job whose hosts each read only their own shard of the corpus (SageMaker's ShardedByS3Key): gathers every
 * host's word counts, sums them and applies min_count to the sums, so that every host has the same vocabulary (words
 * counted alike are in order of first occurrence in the shard of rank 0, then of rank 1, ...: the vocabulary of the
 * shards read one after another); encodes this host's shard with it; and gathers the shards' sizes. Every host calls
 * it at the same point, before training. A shard without a word of the vocabulary fails every host alike.
 */
export async function joinShards(exchange: ShardExchange, shard: ScannedCorpus, minCount: number, hosts: readonly string[]): Promise<JoinedShards> {
  const gathered = await exchange.allGather(encodeWordCounts(shard.words, shard.counts));
  const shards = gathered.map((payload, rank) => decodeWordCounts(payload, rank, hosts));
  let distinctBound = 0;
  for (const { words } of shards) distinctBound += words.length;
  const ids = new Map<string, number>();
  const words: string[] = [];
  const counts = new Float64Array(distinctBound);
  let rawTokenCount = 0;
  let merged = 0;
  for (const other of shards) {
    for (let i = 0; i < other.words.length; i++) {
      const word = other.words[i]!;
      let id = ids.get(word);
      if (id === undefined) {
        id = words.push(word) - 1;
        ids.set(word, id);
      }
      counts[id]! += other.counts[i]!;
      rawTokenCount += other.counts[i]!;
      if (++merged % YIELD_EVERY === 0) await yieldToEventLoop();
    }
  }
  const vocabulary = Vocabulary.fromCounts(words, counts, minCount);
  if (vocabulary.size === 0) {
    let topCount = 0;
    for (let id = 0; id < words.length; id++) topCount = Math.max(topCount, counts[id]!);
    throw new InputDataError(
      `the shards of all ${hosts.length} hosts`,
      `no word occurs min_count=${minCount} times or more (found ${words.length} distinct words, the most frequent ${topCount} times)`,
    );
  }
  const corpus = await shard.encode(vocabulary);

  const size = new Float64Array([corpus.tokens.length, corpus.tokenCount]);
  const sizes = (await exchange.allGather(new Uint8Array(size.buffer))).map((payload) => new Float64Array(payload.buffer, payload.byteOffset, 2));
  const empty = sizes.flatMap((sizeOf, rank) => (sizeOf[1] === 0 ? [`${hosts[rank]} (rank ${rank})`] : []));
  if (empty.length > 0) {
    throw new InputDataError(
      `the shards of all ${hosts.length} hosts`,
      `no word of the shard of ${empty.join(', ')} occurs min_count=${minCount} times or more in all shards together: every host needs words to train on`,
    );
  }
  let positions = 0;
  let tokenCount = 0;
  for (const sizeOf of sizes) {
    positions += sizeOf[0]!;
    tokenCount += sizeOf[1]!;
  }
  return { corpus, positions, tokenCount, rawTokenCount };
}

function encodeWordCounts(words: readonly string[], counts: Float64Array): Uint8Array {
  const text = new TextEncoder().encode(words.join('\n'));
  const payload = new Uint8Array(COUNTS_OFFSET + 8 * words.length + text.byteLength);
  new DataView(payload.buffer).setUint32(0, words.length, true);
  new Float64Array(payload.buffer, COUNTS_OFFSET, words.length).set(counts.subarray(0, words.length));
  payload.set(text, COUNTS_OFFSET + 8 * words.length);
  return payload;
}

function decodeWordCounts(payload: Uint8Array, rank: number, hosts: readonly string[]): { words: string[]; counts: Float64Array } {
  const count = payload.byteLength >= COUNTS_OFFSET ? new DataView(payload.buffer, payload.byteOffset).getUint32(0, true) : 0;
  const textStart = COUNTS_OFFSET + 8 * count;
  const words = count > 0 && textStart <= payload.byteLength ? new TextDecoder().decode(payload.subarray(textStart)).split('\n') : [];
  if (payload.byteLength < COUNTS_OFFSET || words.length !== count) {
    throw new Error(`word counts of ${hosts[rank]} (rank ${rank}): expected ${count} words in ${payload.byteLength} bytes, got ${words.length}`);
  }
  // Another host's payload is a copy at offset 0 (see allGather), this host's own was made so: the counts are aligned.
  return { words, counts: new Float64Array(payload.buffer, payload.byteOffset + COUNTS_OFFSET, count) };
}
