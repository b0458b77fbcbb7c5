import { writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { InputDataError } from '@blazefleet/core';
import { SparseRowMatrix } from '../sparse-row-matrix.js';
import { buildSubwordIndex, wordVectorsWithNgrams } from '../subwords.js';
import { Vocabulary } from '../vocabulary.js';
import { WordVectors } from '../word-vectors.js';

/** The parts of a fastText .bin model (format version 12) that Blazefleet writes and reads. */
export interface FastTextModel {
  args: {
    dim: number;
    ws: number;
    epoch: number;
    minCount: number;
    neg: number;
    wordNgrams: number;
    loss: 'hs' | 'ns' | 'softmax' | 'ova';
    model: 'cbow' | 'sg' | 'sup';
    bucket: number;
    minn: number;
    maxn: number;
    lrUpdateRate: number;
    t: number;
  };
  words: string[];
  counts: Float64Array;
  /** Labels (supervised models), after the words in the dictionary. */
  labels: string[];
  labelCounts: Float64Array;
  ntokens: number;
  /** (words.length + bucket) x dim; a classifier's rows that training never touched are zero and not stored. */
  input: SparseRowMatrix;
  /** rows x dim (words for cbow/sg, labels for supervised). */
  output: Float32Array;
}

// Layout of FastText::saveModel in fastText 0.9.x (fasttext.cc, args.cc, dictionary.cc, densematrix.cc).
const MAGIC = 793712314;
const VERSION = 12;
const LOSSES = ['hs', 'ns', 'softmax', 'ova'] as const; // loss_name: hs = 1, ns, softmax, ova
const MODELS = ['cbow', 'sg', 'sup'] as const; // model_name: cbow = 1, sg, sup
const ENTRY_WORD = 0;
const ENTRY_LABEL = 1;
/** Dictionary::pruneidx_size_ of a model that was never quantized. */
const NOT_PRUNED = -1n;
const IO_CHUNK_BYTES = 64 << 20;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function headerBytes(model: FastTextModel): Uint8Array {
  const { args } = model;
  const entries = [...model.words.map((word) => ({ word, type: ENTRY_WORD })), ...model.labels.map((word) => ({ word, type: ENTRY_LABEL }))];
  const encoded = entries.map((entry) => utf8Encoder.encode(entry.word));
  const size = 14 * 4 + 8 + 3 * 4 + 2 * 8 + encoded.reduce((sum, bytes) => sum + bytes.length + 1 + 8 + 1, 0) + 1 + 16;
  const buffer = new Uint8Array(size);
  const view = new DataView(buffer.buffer);
  let at = 0;
  const int32 = (value: number): void => {
    view.setInt32(at, value, true);
    at += 4;
  };
  const int64 = (value: number | bigint): void => {
    view.setBigInt64(at, BigInt(value), true);
    at += 8;
  };
  int32(MAGIC);
  int32(VERSION);
  for (const value of [args.dim, args.ws, args.epoch, args.minCount, args.neg, args.wordNgrams]) int32(value);
  int32(LOSSES.indexOf(args.loss) + 1);
  int32(MODELS.indexOf(args.model) + 1);
  for (const value of [args.bucket, args.minn, args.maxn, args.lrUpdateRate]) int32(value);
  view.setFloat64(at, args.t, true);
  at += 8;
  int32(entries.length);
  int32(model.words.length);
  int32(model.labels.length);
  int64(model.ntokens);
  int64(NOT_PRUNED);
  entries.forEach((entry, i) => {
    buffer.set(encoded[i]!, at);
    at += encoded[i]!.length + 1;
    int64(entry.type === ENTRY_WORD ? model.counts[i]! : model.labelCounts[i - model.words.length]!);
    buffer[at++] = entry.type;
  });
  buffer[at++] = 0; // quant_input: false
  int64(model.input.rows);
  int64(args.dim);
  return buffer;
}

async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let start = 0; start < bytes.length; start += IO_CHUNK_BYTES) {
    await file.write(bytes.subarray(start, Math.min(bytes.length, start + IO_CHUNK_BYTES)));
  }
}

function floatBytes(matrix: Float32Array): Uint8Array {
  return new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
}

/** Writes model.bin; the input matrix's zero rows that it does not store become holes of a sparse file. */
export async function writeFastTextModel(path: string, model: FastTextModel): Promise<void> {
  const { dim } = model.args;
  if (model.input.dim !== dim || model.output.length % dim !== 0) {
    throw new Error(`fastText model matrices must have dim=${dim} columns`);
  }
  const outputTail = new Uint8Array(1 + 16);
  const tailView = new DataView(outputTail.buffer);
  outputTail[0] = 0; // qout: false
  tailView.setBigInt64(1, BigInt(model.output.length / dim), true);
  tailView.setBigInt64(9, BigInt(dim), true);
  const file = await open(path, 'w');
  try {
    const header = headerBytes(model);
    await writeAll(file, header);
    if (model.input.rowIds === undefined) await writeAll(file, floatBytes(model.input.values));
    else writeStoredRows(file.fd, header.length, model.input);
    const outputAt = header.length + model.input.rows * dim * 4;
    await file.write(outputTail, 0, outputTail.length, outputAt);
    await file.write(floatBytes(model.output), 0, model.output.byteLength, outputAt + outputTail.length);
  } finally {
    await file.close();
  }
}

/** Rows closer than this many bytes are written with the zeros between them, in one write. */
const ROW_GAP_BYTES = 4096;

/** The stored rows of a sparse matrix at their places from byte `at`, one write per run of rows close together. */
function writeStoredRows(fd: number, at: number, matrix: SparseRowMatrix): void {
  const { dim, values } = matrix;
  const rowIds = matrix.rowIds!;
  const rowBytes = dim * 4;
  const gapRows = Math.max(1, Math.floor(ROW_GAP_BYTES / rowBytes));
  const chunkRows = Math.max(gapRows, Math.floor(IO_CHUNK_BYTES / 16 / rowBytes));
  const chunk = new Float32Array(chunkRows * dim);
  const bytes = floatBytes(chunk);
  let first = 0;
  let length = 0;
  const flush = (): void => {
    if (length > 0) writeSync(fd, bytes, 0, length * rowBytes, at + first * rowBytes);
    length = 0;
  };
  for (let i = 0; i < rowIds.length; i++) {
    const row = rowIds[i]!;
    if (length > 0 && (row - (first + length) > gapRows || row - first >= chunkRows)) flush();
    if (length === 0) first = row;
    const place = row - first;
    chunk.fill(0, length * dim, place * dim);
    chunk.set(values.subarray(i * dim, (i + 1) * dim), place * dim);
    length = place + 1;
  }
  flush();
}

/** Sequential little-endian reads through a buffer; every read names what it was reading when the file ends. */
class ModelFileReader {
  #buffer = new Uint8Array(1 << 16);
  #view = new DataView(this.#buffer.buffer);
  #start = 0;
  #end = 0;
  #fileOffset = 0;

  constructor(
    readonly path: string,
    readonly file: FileHandle,
    readonly size: number,
  ) {}

  get offset(): number {
    return this.#fileOffset - (this.#end - this.#start);
  }

  fail(reason: string): never {
    throw new InputDataError(this.path, reason);
  }

  async #fill(needed: number, what: string): Promise<void> {
    if (this.#end - this.#start >= needed) return;
    const remaining = this.#end - this.#start;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(this.#start, this.#end));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    } else {
      this.#buffer.copyWithin(0, this.#start, this.#end);
    }
    this.#start = 0;
    this.#end = remaining;
    while (this.#end < needed) {
      const { bytesRead } = await this.file.read(this.#buffer, this.#end, this.#buffer.length - this.#end, this.#fileOffset);
      if (bytesRead === 0) this.fail(`truncated at byte ${this.size} while reading ${what} at byte ${this.offset}`);
      this.#end += bytesRead;
      this.#fileOffset += bytesRead;
    }
  }

  async int32(what: string): Promise<number> {
    await this.#fill(4, what);
    const value = this.#view.getInt32(this.#start, true);
    this.#start += 4;
    return value;
  }

  async int64(what: string): Promise<number> {
    await this.#fill(8, what);
    const value = this.#view.getBigInt64(this.#start, true);
    this.#start += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${value} is out of range`);
    return Number(value);
  }

  async float64(what: string): Promise<number> {
    await this.#fill(8, what);
    const value = this.#view.getFloat64(this.#start, true);
    this.#start += 8;
    return value;
  }

  async byte(what: string): Promise<number> {
    await this.#fill(1, what);
    return this.#buffer[this.#start++]!;
  }

  /** Bytes up to a NUL, decoded as UTF-8. */
  async cString(what: string): Promise<string> {
    for (let scanned = 0; ; ) {
      const end = this.#buffer.subarray(this.#start + scanned, this.#end).indexOf(0);
      if (end >= 0) {
        const text = utf8Decoder.decode(this.#buffer.subarray(this.#start, this.#start + scanned + end));
        this.#start += scanned + end + 1;
        return text;
      }
      scanned = this.#end - this.#start;
      await this.#fill(scanned + 1, what);
    }
  }

  /** A rows x cols float32 matrix, read straight into its typed array. */
  async matrix(rows: number, cols: number, what: string): Promise<Float32Array> {
    this.#checkRoom(rows, cols, what);
    const bytes = rows * cols * 4;
    const matrix = new Float32Array(rows * cols);
    const target = floatBytes(matrix);
    const buffered = Math.min(this.#end - this.#start, bytes);
    target.set(this.#buffer.subarray(this.#start, this.#start + buffered));
    this.#start += buffered;
    for (let at = buffered; at < bytes; ) {
      const { bytesRead } = await this.file.read(target, at, Math.min(IO_CHUNK_BYTES, bytes - at), this.#fileOffset);
      if (bytesRead === 0) this.fail(`truncated at byte ${this.#fileOffset} while reading ${what}`);
      at += bytesRead;
      this.#fileOffset += bytesRead;
    }
    return matrix;
  }

  /**
   * A rows x cols float32 matrix with its zero rows left out, read chunk by chunk to the end of the rows kept so far
   * and compacted there: zero rows never take memory, and a matrix without any is read in place, without a copy.
   */
  async sparseMatrix(rows: number, cols: number, what: string, storage?: MatrixStorage): Promise<SparseRowMatrix> {
    this.#checkRoom(rows, cols, what);
    const rowBytes = cols * 4;
    // Pages of the full-size array that are never written take no memory.
    const values = storage?.(rows * cols, cols) ?? new Float32Array(rows * cols);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const words = new Int32Array(values.buffer, values.byteOffset, values.length);
    const rowIds = new Int32Array(rows);
    const chunkRows = Math.max(1, Math.floor(IO_CHUNK_BYTES / 16 / rowBytes));
    let stored = 0;
    for (let row = 0; row < rows; ) {
      const count = Math.min(rows - row, chunkRows);
      const start = stored * rowBytes;
      const length = count * rowBytes;
      const buffered = Math.min(this.#end - this.#start, length);
      bytes.set(this.#buffer.subarray(this.#start, this.#start + buffered), start);
      this.#start += buffered;
      for (let at = buffered; at < length; ) {
        const { bytesRead } = await this.file.read(bytes, start + at, length - at, this.#fileOffset);
        if (bytesRead === 0) this.fail(`truncated at byte ${this.#fileOffset} while reading ${what}`);
        at += bytesRead;
        this.#fileOffset += bytesRead;
      }
      // A row is zero when all its bits are; the others move down over the zero rows before them.
      const first = stored;
      for (let r = 0; r < count; r++) {
        let d = (first + r) * cols;
        const end = d + cols;
        while (d < end && words[d] === 0) d++;
        if (d === end) continue;
        if (stored !== first + r) values.copyWithin(stored * cols, (first + r) * cols, (first + r + 1) * cols);
        rowIds[stored++] = row + r;
      }
      row += count;
    }
    if (stored === rows) return new SparseRowMatrix(rows, cols, values);
    const kept = storage === undefined ? values.slice(0, stored * cols) : values.subarray(0, stored * cols);
    return new SparseRowMatrix(rows, cols, kept, rowIds.slice(0, stored));
  }

  #checkRoom(rows: number, cols: number, what: string): void {
    const bytes = rows * cols * 4;
    if (bytes > this.size - this.offset) {
      this.fail(`truncated: ${what} (${rows} x ${cols} floats) needs ${bytes} bytes from byte ${this.offset}, the file has ${this.size}`);
    }
  }
}

function checkCount(reader: ModelFileReader, value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > reader.size) reader.fail(`${what} ${value} is out of range at byte ${reader.offset}`);
  return value;
}

/**
 * Where the reader puts an input matrix of `floats` values (`cols` a row): a zeroed array of that length, of which the
 * matrix's rows that are not zero take the front.
 */
export type MatrixStorage = (floats: number, cols: number) => Float32Array;

export async function readFastTextModel(path: string, options: { inputStorage?: MatrixStorage } = {}): Promise<FastTextModel> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputDataError(path, code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`);
  }
  try {
    const info = await file.stat();
    if (info.isDirectory()) throw new InputDataError(path, 'is a directory, expected a fastText .bin model');
    const reader = new ModelFileReader(path, file, info.size);
    if ((await reader.int32('the magic number')) !== MAGIC) reader.fail('not a fastText model (wrong magic number)');
    const version = await reader.int32('the format version');
    if (version !== VERSION) reader.fail(`fastText model format version ${version} is not supported (expected ${VERSION})`);
    const int = (name: string): Promise<number> => reader.int32(`args.${name}`);
    const dim = await int('dim');
    const ws = await int('ws');
    const epoch = await int('epoch');
    const minCount = await int('minCount');
    const neg = await int('neg');
    const wordNgrams = await int('wordNgrams');
    const loss = LOSSES[(await int('loss')) - 1] ?? reader.fail('unknown loss in args');
    const model = MODELS[(await int('model')) - 1] ?? reader.fail('unknown model in args');
    const bucket = await int('bucket');
    const minn = await int('minn');
    const maxn = await int('maxn');
    const lrUpdateRate = await int('lrUpdateRate');
    const t = await reader.float64('args.t');
    if (dim <= 0) reader.fail(`args.dim ${dim} is not positive`);
    if (bucket < 0) reader.fail(`args.bucket ${bucket} is negative`);

    const size = checkCount(reader, await reader.int32('the dictionary size'), 'dictionary size');
    const nwords = checkCount(reader, await reader.int32('the word count'), 'word count');
    const nlabels = checkCount(reader, await reader.int32('the label count'), 'label count');
    if (nwords + nlabels !== size) reader.fail(`dictionary size ${size} is not words ${nwords} + labels ${nlabels}`);
    const ntokens = await reader.int64('the token count');
    const pruneidxSize = await reader.int64('the pruned index size');
    const words: string[] = [];
    const counts = new Float64Array(nwords);
    const labels: string[] = [];
    const labelCounts = new Float64Array(nlabels);
    for (let i = 0; i < size; i++) {
      const entry = await reader.cString(`dictionary entry ${i + 1} of ${size}`);
      const count = await reader.int64(`the count of '${entry}'`);
      const type = await reader.byte(`the type of '${entry}'`);
      if (type === ENTRY_WORD && words.length < nwords) {
        counts[words.length] = count;
        words.push(entry);
      } else if (type === ENTRY_LABEL && labels.length < nlabels) {
        labelCounts[labels.length] = count;
        labels.push(entry);
      } else {
        reader.fail(`dictionary entry ${i + 1} ('${entry}') has type ${type}, inconsistent with ${nwords} words and ${nlabels} labels`);
      }
    }
    for (let i = 0; i < pruneidxSize; i++) {
      await reader.int32('the pruned index');
      await reader.int32('the pruned index');
    }
    if ((await reader.byte('quant_input')) !== 0) reader.fail('quantized models (.ftz) are not supported');
    const inputRows = checkCount(reader, await reader.int64('the input matrix rows'), 'input matrix rows');
    const inputCols = await reader.int64('the input matrix columns');
    if (inputCols !== dim) reader.fail(`the input matrix has ${inputCols} columns, args.dim is ${dim}`);
    if (inputRows < nwords) reader.fail(`the input matrix has ${inputRows} rows, fewer than the ${nwords} words`);
    const input = await reader.sparseMatrix(inputRows, inputCols, 'the input matrix', options.inputStorage);
    if ((await reader.byte('qout')) !== 0) reader.fail('quantized output matrices are not supported');
    const outputRows = checkCount(reader, await reader.int64('the output matrix rows'), 'output matrix rows');
    const outputCols = await reader.int64('the output matrix columns');
    if (outputCols !== dim) reader.fail(`the output matrix has ${outputCols} columns, args.dim is ${dim}`);
    const output = await reader.matrix(outputRows, outputCols, 'the output matrix');
    return {
      args: { dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate, t },
      words,
      counts,
      labels,
      labelCounts,
      ntokens,
      input,
      output,
    };
  } finally {
    await file.close();
  }
}

/** Word vectors as fastText computes them: the average of the word's row and its n-gram rows; keeps n-grams for unknown words. */
export function wordVectorsFromFastTextModel(model: FastTextModel): WordVectors {
  const { dim, minn, maxn, bucket } = model.args;
  const nwords = model.words.length;
  const input = model.input.toDense();
  const hasSubwords = maxn > 0 && bucket > 0 && minn <= maxn && input.length >= (nwords + bucket) * dim;
  const index = hasSubwords ? buildSubwordIndex(new Vocabulary(model.words, model.counts), minn, maxn, bucket) : undefined;
  const matrix = index === undefined ? input.slice(0, nwords * dim) : wordVectorsWithNgrams(input, nwords, dim, index);
  const subwords = hasSubwords
    ? { minn, maxn, buckets: bucket, ngramVectors: input.subarray(nwords * dim, (nwords + bucket) * dim) }
    : undefined;
  return new WordVectors(model.words, dim, matrix, subwords);
}
