import { InputDataError } from '@blazefleet/core';
import { buildSubwordIndex, fastTextHash, ngramBuckets, type SubwordIndex } from '../subwords.js';
import { readTextLines } from '../text-file.js';
import { Vocabulary } from '../vocabulary.js';
import { END_OF_LINE, LABEL_PREFIX, TokenizedLines, blankLabelTokens, scanTokenBounds, tokenizeText } from './text-tokenizer.js';
import { appendWordNgrams, wordNgramCount } from './word-ngrams.js';

export { END_OF_LINE, LABEL_PREFIX, tokenizeText } from './text-tokenizer.js';

/** How examples become input rows: word ids (with their character n-gram rows when maxn > 0), then hashed word n-grams. */
export interface FeatureOptions {
  wordNgrams: number;
  buckets: number;
  /** 0 for no character n-grams. */
  minn: number;
  maxn: number;
}

/**
 * Words (min_count applied, sorted by count, END_OF_LINE included) and labels of a labeled training set.
 *
 * Sorted as fastText's Dictionary::threshold sorts: by count, descending. fastText's std::sort is not stable, so its
 * order of words (or labels) with equal counts is arbitrary; here ties keep the order of first occurrence. A model
 * keeps its dictionary, so the tie order never matters for prediction.
 */
export class LabeledDictionary {
  #labelIds: Map<string, number> | undefined;
  #subwords: SubwordIndex | undefined;

  constructor(
    readonly words: Vocabulary,
    readonly labels: string[],
    readonly labelCounts: Float64Array,
    readonly features: FeatureOptions,
    /** Tokens of the training file (fastText's ntokens, stored in model.bin). */
    readonly tokenCount = 0,
  ) {}
  /** The label's id, or -1. Accepts the label with or without the __label__ prefix. */
  labelIndex(label: string): number {
    if (this.#labelIds === undefined) this.#labelIds = new Map(this.labels.map((name, id) => [name, id]));
    return this.#labelIds.get(label) ?? this.#labelIds.get(LABEL_PREFIX + label) ?? -1;
  }
  /** Whether words have character n-gram rows (maxn > 0, as fastText decides, and buckets to hash them into). */
  get hasSubwords(): boolean {
    return this.features.maxn > 0 && this.features.buckets > 0;
  }
  /** Character n-gram rows per word (when features.maxn > 0). */
  get subwords(): SubwordIndex | undefined {
    if (!this.hasSubwords) return undefined;
    const { minn, maxn, buckets } = this.features;
    return (this.#subwords ??= buildSubwordIndex(this.words, minn, maxn, buckets));
  }
}

/** Encoded examples, CSR (the four arrays on SharedArrayBuffers): example i has input rows features[featureOffsets[i]..featureOffsets[i+1]) and labels labels[labelOffsets[i]..labelOffsets[i+1]). */
export interface LabeledExamples {
  exampleCount: number;
  featureOffsets: Int32Array;
  /** Word ids (< words.size) and n-gram rows (words.size + bucket), as fastText's Dictionary::getLine produces them. */
  features: Int32Array;
  labelOffsets: Int32Array;
  labels: Int32Array;
  /** Tokens read (words, labels and END_OF_LINE), as fastText counts them for the learning-rate schedule. */
  tokenCount: number;
  /** Tokens of each example's line (what fastText's getLine returns), for the learning-rate schedule. */
  tokenCounts?: Int32Array;
  /** Counted problems (lines without a label, unknown labels, invalid UTF-8), each with a reason. */
  warnings: { reason: string; count: number }[];
}

export interface ReadLabeledDataOptions {
  minCount: number;
  features: FeatureOptions;
}

const NO_LABEL = 'lines without a __label__ prefix skipped';
const UNKNOWN_LABEL_LINE = 'lines whose labels are all unknown to the training set skipped';
const UNKNOWN_LABEL = 'labels unknown to the training set ignored (on lines with a known one)';
const NO_FEATURE = 'lines without a known word or n-gram skipped';
const INVALID_UTF8 = 'invalid UTF-8 sequences replaced with U+FFFD';

/** Growable Int32Array. */
class Int32Builder {
  values: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.values = new Int32Array(capacity);
  }
  push(value: number): void {
    this.reserve(1);
    this.values[this.length++] = value;
  }
  append(values: Int32Array): void {
    this.reserve(values.length);
    this.values.set(values, this.length);
    this.length += values.length;
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.values.length) return;
    const grown = new Int32Array(Math.max(this.values.length * 2, this.length + extra));
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }
  toArray(): Int32Array {
    return this.values.slice(0, this.length);
  }
}

/** A file as tokenizeText reads it, each line ended by END_OF_LINE. */
interface TokenizedFile {
  lines: TokenizedLines;
  replacedSequences: number;
}

async function tokenizeFile(path: string): Promise<TokenizedFile> {
  const lines = new TokenizedLines();
  const { replacedSequences } = await readTextLines(path, (line) => lines.addLine(line));
  if (lines.idCount === lines.lineCount) throw new InputDataError(path, 'is empty: no words or labels');
  return { lines, replacedSequences };
}

/** Input rows of one word token: its id (with its subword rows) when known, else its character n-gram rows only. */
function wordRows(token: string, dictionary: LabeledDictionary): Int32Array {
  const nwords = dictionary.words.size;
  const id = dictionary.words.indexOf(token);
  const subwords = dictionary.subwords;
  if (id < 0) {
    if (subwords === undefined || token === END_OF_LINE) return new Int32Array(0);
    const { minn, maxn, buckets } = dictionary.features;
    return ngramBuckets(token, minn, maxn, buckets).map((bucket) => nwords + bucket);
  }
  if (subwords === undefined) return Int32Array.of(id);
  const first = subwords.offsets[id]!;
  const last = subwords.offsets[id + 1]!;
  const rows = new Int32Array(1 + last - first);
  rows[0] = id;
  for (let i = first; i < last; i++) rows[1 + i - first] = nwords + subwords.rows[i]!;
  return rows;
}

function isLabel(token: string): boolean {
  return token.startsWith(LABEL_PREFIX);
}

/** Encodes the lines of a tokenized file as fastText's Dictionary::getLine does, skipping (and counting) unusable lines. */
function encodeLines(file: TokenizedFile, dictionary: LabeledDictionary): LabeledExamples {
  const { tokens, ids, lineOffsets, lineCount } = file.lines;
  const distinct = tokens.length;
  // Per distinct token: label id (-2 for words, -1 for unknown labels), word hash, and CSR input rows.
  const labelOf = new Int32Array(distinct);
  const hashOf = new Int32Array(distinct);
  const rowOffsets = new Int32Array(distinct + 1);
  const rows = new Int32Builder(1 << 16);
  for (let t = 0; t < distinct; t++) {
    const token = tokens[t]!;
    if (isLabel(token)) {
      labelOf[t] = dictionary.labelIndex(token);
    } else {
      labelOf[t] = -2;
      hashOf[t] = fastTextHash(token) | 0;
      rows.append(wordRows(token, dictionary));
    }
    rowOffsets[t + 1] = rows.length;
  }
  const rowValues = rows.values;

  const { wordNgrams, buckets } = dictionary.features;
  const nwords = dictionary.words.size;
  // Sized for every line kept, so that the loop writes without checks.
  let capacity = wordNgramCount(file.lines.idCount, wordNgrams);
  for (let i = 0; i < file.lines.idCount; i++) capacity += rowOffsets[ids[i]! + 1]! - rowOffsets[ids[i]!]!;
  const features = new Int32Array(capacity);
  const labels = new Int32Array(file.lines.idCount);
  const featureOffsets = new Int32Array(lineCount + 1);
  const labelOffsets = new Int32Array(lineCount + 1);
  const tokenCounts = new Int32Array(lineCount);
  let featureCount = 0;
  let labelCount = 0;
  let exampleCount = 0;
  const problems = new Map<string, number>();
  const count = (reason: string, times = 1): void => void problems.set(reason, (problems.get(reason) ?? 0) + times);
  let hashes = new Int32Array(1024);
  for (let line = 0; line < lineCount; line++) {
    const start = lineOffsets[line]!;
    const end = lineOffsets[line + 1]!;
    if (hashes.length < end - start) hashes = new Int32Array(2 * (end - start));
    const featureStart = featureCount;
    const labelStart = labelCount;
    let labelTokens = 0;
    let unknownLabels = 0;
    let wordCount = 0;
    for (let i = start; i < end; i++) {
      const token = ids[i]!;
      const label = labelOf[token]!;
      if (label === -2) {
        const last = rowOffsets[token + 1]!;
        for (let r = rowOffsets[token]!; r < last; r++) features[featureCount++] = rowValues[r]!;
        hashes[wordCount++] = hashOf[token]!;
      } else {
        labelTokens++;
        if (label >= 0) labels[labelCount++] = label;
        else unknownLabels++;
      }
    }
    if (labelCount === labelStart) {
      if (labelTokens > 0) count(UNKNOWN_LABEL_LINE);
      else if (end - start > 1) count(NO_LABEL);
      featureCount = featureStart;
      continue;
    }
    featureCount = appendWordNgrams(hashes, wordCount, wordNgrams, buckets, nwords, features, featureCount);
    if (featureCount === featureStart) {
      count(NO_FEATURE);
      labelCount = labelStart;
      continue;
    }
    if (unknownLabels > 0) count(UNKNOWN_LABEL, unknownLabels);
    tokenCounts[exampleCount++] = end - start;
    featureOffsets[exampleCount] = featureCount;
    labelOffsets[exampleCount] = labelCount;
  }
  if (file.replacedSequences > 0) count(INVALID_UTF8, file.replacedSequences);
  return {
    exampleCount,
    featureOffsets: sharedCopy(featureOffsets, exampleCount + 1),
    features: sharedCopy(features, featureCount),
    labelOffsets: sharedCopy(labelOffsets, exampleCount + 1),
    labels: sharedCopy(labels, labelCount),
    tokenCount: file.lines.idCount,
    tokenCounts: tokenCounts.slice(0, exampleCount),
    warnings: [...problems].map(([reason, times]) => ({ reason, count: times })),
  };
}

/** The first `length` values on a SharedArrayBuffer, so that training threads read them without a copy. */
function sharedCopy(values: Int32Array, length: number): Int32Array {
  const copy = new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
  copy.set(values.subarray(0, length));
  return copy;
}

/** Ids of the tokens that pass `keep`, by count descending, ties in first-occurrence order. */
function sortedByCount(lines: TokenizedLines, keep: (token: string, count: number) => boolean): number[] {
  const { tokens, counts } = lines;
  const kept: number[] = [];
  for (let t = 0; t < tokens.length; t++) if (keep(tokens[t]!, counts[t]!)) kept.push(t);
  return kept.sort((a, b) => counts[b]! - counts[a]! || a - b);
}

/** Reads a fastText-format training file (plain or gzip) once: builds the dictionary and encodes every example. */
export async function readLabeledData(path: string, options: ReadLabeledDataOptions): Promise<{ dictionary: LabeledDictionary; examples: LabeledExamples }> {
  const file = await tokenizeFile(path);
  const { tokens, counts, idCount } = file.lines;
  const words = sortedByCount(file.lines, (token, count) => !isLabel(token) && count >= options.minCount);
  const labels = sortedByCount(file.lines, isLabel);
  if (labels.length === 0) throw new InputDataError(path, `no line has a ${LABEL_PREFIX} prefix`);
  const dictionary = new LabeledDictionary(
    new Vocabulary(
      words.map((t) => tokens[t]!),
      Float64Array.from(words, (t) => counts[t]!),
    ),
    labels.map((t) => tokens[t]!),
    Float64Array.from(labels, (t) => counts[t]!),
    { ...options.features },
    idCount,
  );
  const examples = encodeLines(file, dictionary);
  if (examples.exampleCount === 0) {
    throw new InputDataError(path, `no labeled line has a word or n-gram to learn from (min_count=${options.minCount})`);
  }
  return { dictionary, examples };
}

/** Encodes a validation or test file with a training dictionary; lines without a known label are skipped and counted. */
export async function encodeLabeledFile(path: string, dictionary: LabeledDictionary): Promise<LabeledExamples> {
  const examples = encodeLines(await tokenizeFile(path), dictionary);
  if (examples.exampleCount === 0) throw new InputDataError(path, 'validation set has no example with a known label');
  return examples;
}

/**
 * Input rows of one text (already tokenized), END_OF_LINE included, as for training. Label tokens are ignored; like
 * fastText's getLine, the text ends at an END_OF_LINE token, which is appended when absent.
 */
export function encodeTokens(tokens: string[], dictionary: LabeledDictionary): Int32Array {
  let encoder = encoders.get(dictionary);
  if (encoder === undefined) encoders.set(dictionary, (encoder = new FeatureEncoder(dictionary)));
  return encoder.encode(tokens).slice();
}

const encoders = new WeakMap<LabeledDictionary, FeatureEncoder>();
const UNDERSCORE = 0x5f;
const QUOTE_BYTE = 0x22;
const LESS_THAN_BYTE = 0x3c;
const FNV_BASIS = 2166136261;
const FNV_MULTIPLIER = 16777619;
const asciiBytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const LABEL_PREFIX_BYTES = asciiBytes(LABEL_PREFIX);
const LINE_BREAK_BYTES = asciiBytes('<br />');
const END_OF_LINE_BYTES = asciiBytes(END_OF_LINE);
const byteClass = (chars: string): Uint8Array => {
  const table = new Uint8Array(256);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
};
/** The byte classes of scanTokenBounds. */
const SPACE_BYTE = byteClass(' \t\n\v\f\r\0');
const OWN_TOKEN_BYTE = byteClass("'.,()!?");
const ENDS_WORD_BYTE = byteClass(" \t\n\v\f\r\0'.,()!?;:");
/** What a byte does inside a word, in one look-up: the word loop's only branch for most bytes. */
const IN_WORD = 0;
const ENDS_WORD = 1;
const MAY_START_TAG = 2;
const NOT_COVERED = 3;
const WORD_BYTE_KIND = Uint8Array.from({ length: 256 }, (_, b) =>
  b >= 0x80 || b === QUOTE_BYTE ? NOT_COVERED : ENDS_WORD_BYTE[b] === 1 ? ENDS_WORD : b === LESS_THAN_BYTE ? MAY_START_TAG : IN_WORD,
);
const LOWERCASE_BYTE = Uint8Array.from({ length: 256 }, (_, b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b));

/** Whether bytes[at, end) starts with `prefix` (ASCII letters compared lowercased when `lowercased`). */
function startsWithBytes(bytes: Uint8Array, at: number, end: number, prefix: Uint8Array, lowercased = false): boolean {
  if (end - at < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) {
    let b = bytes[at + k]!;
    if (lowercased && b >= 0x41 && b <= 0x5a) b += 0x20;
    if (b !== prefix[k]) return false;
  }
  return true;
}

/** The words' UTF-8 bytes in open addressing by their fastText hash, to find a word by bytes of lowercased ASCII text. */
class ByteWordTable {
  private constructor(
    readonly bytes: Uint8Array,
    /** SLOT_INTS per slot: the word's hash, id + 1 (0 when free), bytes offset and length, so a probe reads one line. */
    readonly slots: Int32Array,
  ) {}

  static of(words: string[]): ByteWordTable {
    const encoder = new TextEncoder();
    const encoded = words.map((word) => encoder.encode(word));
    const bytes = new Uint8Array(encoded.reduce((sum, word) => sum + word.length, 0));
    let size = 16;
    while (size < 2 * words.length) size *= 2;
    const slots = new Int32Array(size * SLOT_INTS);
    let offset = 0;
    for (let id = 0; id < words.length; id++) {
      const word = encoded[id]!;
      bytes.set(word, offset);
      const hash = fastTextHash(words[id]!) | 0;
      let slot = hash & (size - 1);
      while (slots[slot * SLOT_INTS + 1] !== 0) slot = (slot + 1) & (size - 1);
      slots.set([hash, id + 1, offset, word.length], slot * SLOT_INTS);
      offset += word.length;
    }
    return new ByteWordTable(bytes, slots);
  }

  /** The id of the word whose bytes are those of `source[start, end)` with ASCII letters lowercased, or -1. */
  find(hash: number, source: Uint8Array, start: number, end: number): number {
    const { slots, bytes } = this;
    const mask = slots.length / SLOT_INTS - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT_INTS;
      const id = slots[at + 1]! - 1;
      if (id < 0) return -1;
      if (slots[at]! !== hash || slots[at + 3]! !== length) continue;
      const offset = slots[at + 2]!;
      let k = 0;
      while (k < length && LOWERCASE_BYTE[source[start + k]!] === bytes[offset + k]) k++;
      if (k === length) return id;
    }
  }
}

const SLOT_INTS = 4;

/** encodeTokens for one text after another, into one reused buffer, with the words' hashes computed once. */
export class FeatureEncoder {
  #features = new Int32Array(256);
  #hashes = new Int32Array(64);
  /** fastTextHash | 0 of word id i, valid where #hashed[i] is 1. */
  readonly #wordHashes: Int32Array;
  readonly #hashed: Uint8Array;
  #bounds = new Int32Array(256);
  /** Open addressing over the words by their characters: word id + 1, 0 when free. */
  #wordSlots: Int32Array | undefined;
  #endOfLine: number | undefined;
  #byteWords: ByteWordTable | undefined;

  constructor(readonly dictionary: LabeledDictionary) {
    this.#wordHashes = new Int32Array(dictionary.words.size);
    this.#hashed = new Uint8Array(dictionary.words.size);
  }

  /**
   * encode(tokenizeText(text)), without making strings of the known words when the text allows (no `"` or
   * END_OF_LINE, no character n-grams): words are looked up by their characters. Labels are blanked out first;
   * a token that looks like one after lowercasing is skipped, as encode skips it.
   */
  encodeText(text: string): Int32Array {
    let lower = text.toLowerCase();
    if (this.dictionary.subwords !== undefined || lower.includes('"') || lower.includes(END_OF_LINE)) {
      return this.encode(tokenizeText(text));
    }
    if (lower.includes(LABEL_PREFIX)) {
      if (lower.length !== text.length) return this.encode(tokenizeText(text));
      lower = blankLabelTokens(text, lower);
    }
    let tokenCount = scanTokenBounds(lower, this.#bounds);
    if (tokenCount < 0) {
      this.#bounds = new Int32Array(2 * lower.length + 2);
      tokenCount = scanTokenBounds(lower, this.#bounds);
    }
    const { dictionary } = this;
    const { wordNgrams, buckets } = dictionary.features;
    if (this.#hashes.length <= tokenCount) this.#hashes = new Int32Array(2 * tokenCount + 1);
    this.#reserve(0, tokenCount + 1);
    const bounds = this.#bounds;
    const hashes = this.#hashes;
    const features = this.#features;
    let count = 0;
    let wordCount = 0;
    for (let t = 0; t < tokenCount; t++) {
      const start = bounds[2 * t]!;
      const end = bounds[2 * t + 1]!;
      if (lower.charCodeAt(start) === UNDERSCORE && lower.startsWith(LABEL_PREFIX, start)) continue;
      const id = this.#lookUp(lower, start, end);
      if (id >= 0) features[count++] = id;
      // Word hashes only feed word n-grams.
      hashes[wordCount++] = wordNgrams > 1 ? this.#hash(id >= 0 ? dictionary.words.words[id]! : lower.slice(start, end), id) : 0;
    }
    const end = (this.#endOfLine ??= dictionary.words.indexOf(END_OF_LINE));
    if (end >= 0) features[count++] = end;
    hashes[wordCount++] = wordNgrams > 1 ? this.#hash(END_OF_LINE, end) : 0;
    this.#reserve(count, wordNgramCount(wordCount, wordNgrams));
    count = appendWordNgrams(hashes, wordCount, wordNgrams, buckets, dictionary.words.size, this.#features, count);
    return this.#features.subarray(0, count);
  }

  /**
   * encodeText of the UTF-8 line bytes[start, end), read off the bytes without making strings, for ASCII lines without
   * `"` or END_OF_LINE (and no character n-grams); undefined for the other lines, which take encodeText.
   * The walk is scanTokenBounds' over the lowercased line, with the label tokens blanked out (blankLabelTokens).
   */
  encodeBytes(bytes: Uint8Array, start: number, end: number): Int32Array | undefined {
    const { dictionary } = this;
    if (dictionary.subwords !== undefined) return undefined;
    const table = (this.#byteWords ??= ByteWordTable.of(dictionary.words.words));
    const { wordNgrams, buckets } = dictionary.features;
    const maxTokens = end - start + 1;
    if (this.#hashes.length <= maxTokens) this.#hashes = new Int32Array(2 * maxTokens + 1);
    this.#reserve(0, maxTokens + 1);
    const hashes = this.#hashes;
    const features = this.#features;
    let count = 0;
    let wordCount = 0;
    let i = start;
    let afterSpace = true;
    while (i < end) {
      const c = bytes[i]!;
      if (c >= 0x80 || c === QUOTE_BYTE) return undefined;
      if (afterSpace && c === UNDERSCORE && startsWithBytes(bytes, i, end, LABEL_PREFIX_BYTES)) {
        while (i < end && SPACE_BYTE[bytes[i]!] !== 1) i++;
        continue;
      }
      afterSpace = SPACE_BYTE[c] === 1;
      const ownToken = OWN_TOKEN_BYTE[c] === 1;
      if (!ownToken && ENDS_WORD_BYTE[c] === 1) {
        i++;
        continue;
      }
      if (c === LESS_THAN_BYTE) {
        if (startsWithBytes(bytes, i, end, LINE_BREAK_BYTES, true)) {
          i += LINE_BREAK_BYTES.length;
          afterSpace = false;
          continue;
        }
        if (startsWithBytes(bytes, i, end, END_OF_LINE_BYTES, true)) return undefined;
      }
      // One token: a character of its own, or a word up to the next character that ends words (or a line break).
      const tokenStart = i;
      let hash = FNV_BASIS;
      if (ownToken) {
        hash = Math.imul(hash ^ c, FNV_MULTIPLIER);
        i++;
      } else {
        for (; i < end; i++) {
          const d = bytes[i]!;
          const kind = WORD_BYTE_KIND[d]!;
          if (kind !== IN_WORD) {
            if (kind === ENDS_WORD) break;
            if (kind === NOT_COVERED) return undefined;
            if (i > tokenStart) {
              if (startsWithBytes(bytes, i, end, LINE_BREAK_BYTES, true)) break;
              if (startsWithBytes(bytes, i, end, END_OF_LINE_BYTES, true)) return undefined;
            }
          }
          hash = Math.imul(hash ^ LOWERCASE_BYTE[d]!, FNV_MULTIPLIER);
        }
      }
      if (bytes[tokenStart] === UNDERSCORE && startsWithBytes(bytes, tokenStart, i, LABEL_PREFIX_BYTES, true)) continue;
      const id = table.find(hash, bytes, tokenStart, i);
      if (id >= 0) features[count++] = id;
      hashes[wordCount++] = hash;
    }
    const endOfLine = (this.#endOfLine ??= dictionary.words.indexOf(END_OF_LINE));
    if (endOfLine >= 0) features[count++] = endOfLine;
    hashes[wordCount++] = wordNgrams > 1 ? this.#hash(END_OF_LINE, endOfLine) : 0;
    this.#reserve(count, wordNgramCount(wordCount, wordNgrams));
    count = appendWordNgrams(hashes, wordCount, wordNgrams, buckets, dictionary.words.size, this.#features, count);
    return this.#features.subarray(0, count);
  }

  /** The id of the word source[start, end), or -1. */
  #lookUp(source: string, start: number, end: number): number {
    const slots = (this.#wordSlots ??= wordSlots(this.dictionary.words.words));
    const words = this.dictionary.words.words;
    const mask = slots.length - 1;
    const length = end - start;
    for (let slot = charHash(source, start, end) & mask; ; slot = (slot + 1) & mask) {
      const id = slots[slot]! - 1;
      if (id < 0) return -1;
      const word = words[id]!;
      if (word.length !== length) continue;
      let k = 0;
      while (k < length && word.charCodeAt(k) === source.charCodeAt(start + k)) k++;
      if (k === length) return id;
    }
  }

  /** What encodeTokens returns, as a view of the encoder's buffer: valid until the next call. */
  encode(tokens: string[]): Int32Array {
    const { dictionary } = this;
    const { wordNgrams, buckets } = dictionary.features;
    if (this.#hashes.length <= tokens.length) this.#hashes = new Int32Array(2 * tokens.length + 1);
    const hashes = this.#hashes;
    let count = 0;
    let wordCount = 0;
    let ended = false;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t]!;
      if (isLabel(token)) continue;
      const id = dictionary.words.indexOf(token);
      count = this.#appendRows(token, id, count);
      // Word hashes only feed word n-grams.
      hashes[wordCount++] = wordNgrams > 1 ? this.#hash(token, id) : 0;
      if (token === END_OF_LINE) {
        ended = true;
        break;
      }
    }
    if (!ended) {
      const id = dictionary.words.indexOf(END_OF_LINE);
      count = this.#appendRows(END_OF_LINE, id, count);
      hashes[wordCount++] = wordNgrams > 1 ? this.#hash(END_OF_LINE, id) : 0;
    }
    this.#reserve(count, wordNgramCount(wordCount, wordNgrams));
    count = appendWordNgrams(hashes, wordCount, wordNgrams, buckets, dictionary.words.size, this.#features, count);
    return this.#features.subarray(0, count);
  }

  #appendRows(token: string, id: number, at: number): number {
    if (this.dictionary.subwords === undefined) {
      if (id < 0) return at;
      this.#reserve(at, 1);
      this.#features[at] = id;
      return at + 1;
    }
    const rows = wordRows(token, this.dictionary);
    this.#reserve(at, rows.length);
    this.#features.set(rows, at);
    return at + rows.length;
  }

  #hash(token: string, id: number): number {
    if (id < 0) return fastTextHash(token) | 0;
    if (this.#hashed[id] === 0) {
      this.#wordHashes[id] = fastTextHash(token) | 0;
      this.#hashed[id] = 1;
    }
    return this.#wordHashes[id]!;
  }

  #reserve(length: number, extra: number): void {
    if (length + extra <= this.#features.length) return;
    const grown = new Int32Array(Math.max(2 * this.#features.length, length + extra));
    grown.set(this.#features.subarray(0, length));
    this.#features = grown;
  }
}

/** FNV-1a over UTF-16 code units: a table hash only (fastTextHash hashes UTF-8 bytes). */
function charHash(source: string, start: number, end: number): number {
  let hash = 2166136261;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ source.charCodeAt(i), 16777619);
  return hash;
}

function wordSlots(words: string[]): Int32Array {
  let size = 16;
  while (size < 2 * words.length) size *= 2;
  const slots = new Int32Array(size);
  const mask = size - 1;
  for (let id = 0; id < words.length; id++) {
    const word = words[id]!;
    let slot = charHash(word, 0, word.length) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = id + 1;
  }
  return slots;
}
