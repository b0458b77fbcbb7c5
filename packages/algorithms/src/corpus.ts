import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InputDataError } from '@blazefleet/core';
import { countReplacedSequences, streamTextInput } from './text-file.js';
import { Vocabulary, frequentFirst } from './vocabulary.js';

/** Marks the end of a line in `Corpus.tokens`; windows never cross it. */
export const SENTENCE_END = -1;

export interface Corpus {
  vocabulary: Vocabulary;
  /** Word ids in corpus order on a SharedArrayBuffer; words under min_count removed; SENTENCE_END at line ends. */
  tokens: Int32Array;
  /** Word tokens in `tokens` (markers excluded). */
  tokenCount: number;
  /** Word tokens read, before min_count filtering. */
  rawTokenCount: number;
  /** Lines skipped or bytes replaced, counted, with a reason each. */
  warnings: { reason: string; count: number }[];
}

export interface ReadCorpusOptions {
  minCount: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const STREAM_BLOCK = 1 << 20;
const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;
const INVALID_UTF8_REASON = 'invalid UTF-8 sequences replaced with U+FFFD';

/** fastText's word separators: space, \t, \n, \v, \f, \r and \0. */
const IS_SEPARATOR = new Uint8Array(256);
for (const byte of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x00]) IS_SEPARATOR[byte] = 1;
const NEWLINE = 0x0a;

const utf8Decoder = new TextDecoder();

/**
 * Provisional word ids keyed by the raw bytes of a word: an open-addressing table over a byte arena, so that the hot
 * loop neither decodes nor allocates. Byte spellings that decode to the same string (invalid UTF-8 replaced) share an id.
 */
class WordTable {
  arena = new Uint8Array(1 << 20);
  arenaUsed = 0;
  keyStart: Int32Array = new Int32Array(1 << 16);
  keyLength: Int32Array = new Int32Array(1 << 16);
  keyHash: Int32Array = new Int32Array(1 << 16);
  keyId: Int32Array = new Int32Array(1 << 16);
  keyReplacements: Int32Array = new Int32Array(1 << 16);
  keyCount = 0;
  slots = new Int32Array(1 << 17);
  mask = (1 << 17) - 1;
  words: string[] = [];
  counts = new Float64Array(1 << 16);
  readonly #idsByWord = new Map<string, number>();
  replacements = 0;

  /** Counts one occurrence of bytes[start, end) (whose FNV-1a hash is given) and returns its provisional id. */
  add(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const length = end - start;
    const arena = this.arena;
    let slot = hash & this.mask;
    for (;;) {
      const key = this.slots[slot]! - 1;
      if (key < 0) break;
      if (this.keyHash[key] === hash && this.keyLength[key] === length) {
        let at = this.keyStart[key]!;
        let i = start;
        while (i < end && arena[at] === bytes[i]) {
          at++;
          i++;
        }
        if (i === end) {
          const id = this.keyId[key]!;
          this.counts[id]!++;
          if (this.keyReplacements[key] !== 0) this.replacements += this.keyReplacements[key]!;
          return id;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    return this.#insert(bytes, start, end, hash, slot);
  }

  #insert(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const key = this.keyCount++;
    if (key === this.keyStart.length) this.#growKeys();
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    const spelling = bytes.subarray(start, end);
    this.arena.set(spelling, this.arenaUsed);
    this.keyStart[key] = this.arenaUsed;
    this.keyLength[key] = length;
    this.keyHash[key] = hash;
    this.arenaUsed += length;
    const word = utf8Decoder.decode(spelling);
    const replaced = word.includes('\ufffd') ? countReplacedSequences(spelling, word) : 0;
    this.keyReplacements[key] = replaced;
    this.replacements += replaced;
    let id = this.#idsByWord.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(word);
      this.#idsByWord.set(word, id);
      if (id === this.counts.length) {
        const grown = new Float64Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    this.keyId[key] = id;
    this.counts[id]!++;
    this.slots[slot] = key + 1;
    if (this.keyCount * 2 > this.slots.length) this.#rehash();
    return id;
  }

  #growKeys(): void {
    const grow = (array: Int32Array): Int32Array => {
      const grown = new Int32Array(array.length * 2);
      grown.set(array);
      return grown;
    };
    this.keyStart = grow(this.keyStart);
    this.keyLength = grow(this.keyLength);
    this.keyHash = grow(this.keyHash);
    this.keyId = grow(this.keyId);
    this.keyReplacements = grow(this.keyReplacements);
  }

  #rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let key = 0; key < this.keyCount; key++) {
      let slot = this.keyHash[key]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = key + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Provisional ids in corpus order, in fixed-size blocks so that no single array has to be regrown and copied. */
class TokenBlocks {
  readonly blocks: Int32Array[] = [];
  current = new Int32Array(STREAM_BLOCK);
  used = 0;
  last = SENTENCE_END;

  push(id: number): void {
    if (this.used === STREAM_BLOCK) {
      this.blocks.push(this.current);
      this.current = new Int32Array(STREAM_BLOCK);
      this.used = 0;
    }
    this.current[this.used++] = id;
    this.last = id;
  }

  endSentence(): void {
    if (this.last !== SENTENCE_END) this.push(SENTENCE_END);
  }

  *each(): Generator<Int32Array> {
    yield* this.blocks;
    yield this.current.subarray(0, this.used);
  }
}

/** Splits decompressed bytes into words by fastText's separators, carrying a word cut by a chunk boundary. */
class CorpusScanner {
  readonly table = new WordTable();
  readonly tokens = new TokenBlocks();
  rawTokenCount = 0;
  #carry = new Uint8Array(256);
  #carryLength = 0;
  #hash = FNV_OFFSET_BASIS;

  scan(chunk: Uint8Array): void {
    const table = this.table;
    const tokens = this.tokens;
    let hash = this.#hash;
    let wordStart = this.#carryLength > 0 ? -1 : 0;
    let inWord = this.#carryLength > 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (IS_SEPARATOR[byte] === 0) {
        if (!inWord) {
          inWord = true;
          wordStart = i;
          hash = FNV_OFFSET_BASIS;
        }
        hash = Math.imul(hash ^ byte, FNV_PRIME);
        continue;
      }
      if (inWord) {
        if (wordStart < 0) {
          this.#appendCarry(chunk, 0, i);
          tokens.push(table.add(this.#carry, 0, this.#carryLength, hash));
          this.#carryLength = 0;
        } else {
          tokens.push(table.add(chunk, wordStart, i, hash));
        }
        this.rawTokenCount++;
        inWord = false;
      }
      if (byte === NEWLINE) tokens.endSentence();
    }
    if (inWord) this.#appendCarry(chunk, wordStart < 0 ? 0 : wordStart, chunk.length);
    this.#hash = hash;
  }

  finish(): void {
    if (this.#carryLength > 0) {
      this.tokens.push(this.table.add(this.#carry, 0, this.#carryLength, this.#hash));
      this.rawTokenCount++;
      this.#carryLength = 0;
    }
    this.tokens.endSentence();
  }

  #appendCarry(chunk: Uint8Array, start: number, end: number): void {
    const needed = this.#carryLength + end - start;
    if (needed > this.#carry.length) {
      const grown = new Uint8Array(Math.max(needed, this.#carry.length * 2));
      grown.set(this.#carry.subarray(0, this.#carryLength));
      this.#carry = grown;
    }
    this.#carry.set(chunk.subarray(start, end), this.#carryLength);
    this.#carryLength = needed;
  }
}

/** A corpus read once and its words counted, not given ids yet: for a vocabulary built from more than this corpus. */
export interface ScannedCorpus {
  /** Every distinct word, in order of first occurrence. */
  readonly words: readonly string[];
  /** The occurrences of each word of `words`. */
  readonly counts: Float64Array;
  readonly rawTokenCount: number;
  readonly warnings: { reason: string; count: number }[];
  /** The corpus in this vocabulary's ids: the words it lacks are dropped, and lines left empty with them. */
  encode(vocabulary: Vocabulary): Promise<Corpus>;
}

/** The final id of a provisional id whose word is not kept. */
const DROPPED = -2;
/** Tokens or words handled between two turns given to the event loop (heartbeats of a distributed job). */
const YIELD_EVERY = 1 << 20;

/**
 * Streams a plain or gzip corpus, or a directory of them (see streamTextInput), once (see streamTextFile for what is
 * rejected): counts words, applies min_count, returns token ids.
 */
export async function readCorpus(path: string, options: ReadCorpusOptions): Promise<Corpus> {
  const scanner = await scan(path, options);
  const { table } = scanner;
  const distinct = table.words.length;
  const order = frequentFirst(table.counts.subarray(0, distinct), options.minCount);
  if (order.length === 0) {
    let topCount = 0;
    for (let id = 0; id < distinct; id++) topCount = Math.max(topCount, table.counts[id]!);
    throw new InputDataError(
      path,
      `no word occurs min_count=${options.minCount} times or more (found ${distinct} distinct words, the most frequent ${topCount} times)`,
    );
  }
  const finalId = new Int32Array(distinct).fill(DROPPED);
  const words: string[] = new Array(order.length);
  const counts = new Float64Array(order.length);
  for (let i = 0; i < order.length; i++) {
    finalId[order[i]!] = i;
    words[i] = table.words[order[i]!]!;
    counts[i] = table.counts[order[i]!]!;
  }
  return encode(scanner, finalId, new Vocabulary(words, counts));
}

/** Reads a corpus as readCorpus does, but leaves its vocabulary to the caller (see ScannedCorpus). */
export async function scanCorpus(path: string, options: Omit<ReadCorpusOptions, 'minCount'> = {}): Promise<ScannedCorpus> {
  const scanner = await scan(path, options);
  const { table } = scanner;
  const words = table.words;
  return {
    words,
    counts: table.counts.subarray(0, words.length),
    rawTokenCount: scanner.rawTokenCount,
    warnings: warningsOf(table),
    async encode(vocabulary) {
      const finalId = new Int32Array(words.length);
      for (let id = 0; id < words.length; id++) {
        const kept = vocabulary.indexOf(words[id]!);
        finalId[id] = kept < 0 ? DROPPED : kept;
        if ((id + 1) % YIELD_EVERY === 0) await yieldToEventLoop();
      }
      return encode(scanner, finalId, vocabulary);
    },
  };
}

async function scan(path: string, options: Omit<ReadCorpusOptions, 'minCount'>): Promise<CorpusScanner> {
  const scanner = new CorpusScanner();
  await streamTextInput(path, (chunk) => scanner.scan(chunk), options);
  scanner.finish();
  if (scanner.rawTokenCount === 0) throw new InputDataError(path, 'is empty: no words');
  return scanner;
}

function warningsOf(table: WordTable): { reason: string; count: number }[] {
  return table.replacements > 0 ? [{ reason: INVALID_UTF8_REASON, count: table.replacements }] : [];
}

/** The scanned tokens in final ids (DROPPED: left out), a sentence end kept only after a word. */
async function encode(scanner: CorpusScanner, finalId: Int32Array, vocabulary: Vocabulary): Promise<Corpus> {
  // Two passes: the first sizes the shared buffer exactly, the second fills it.
  let length = 0;
  let last = SENTENCE_END;
  for (const block of scanner.tokens.each()) {
    for (let i = 0; i < block.length; i++) {
      const provisional = block[i]!;
      const id = provisional === SENTENCE_END ? SENTENCE_END : finalId[provisional]!;
      if (id === DROPPED || (id === SENTENCE_END && last === SENTENCE_END)) continue;
      length++;
      last = id;
    }
    await yieldToEventLoop();
  }
  const finalTokens = new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
  let at = 0;
  let tokenCount = 0;
  last = SENTENCE_END;
  for (const block of scanner.tokens.each()) {
    for (let i = 0; i < block.length; i++) {
      const provisional = block[i]!;
      const id = provisional === SENTENCE_END ? SENTENCE_END : finalId[provisional]!;
      if (id === DROPPED || (id === SENTENCE_END && last === SENTENCE_END)) continue;
      finalTokens[at++] = id;
      if (id !== SENTENCE_END) tokenCount++;
      last = id;
    }
    await yieldToEventLoop();
  }
  return {
    vocabulary,
    tokens: finalTokens,
    tokenCount,
    rawTokenCount: scanner.rawTokenCount,
    warnings: warningsOf(scanner.table),
  };
}
