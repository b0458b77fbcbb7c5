import { readFile, open } from 'node:fs/promises';
import { InputDataError } from '@blazefleet/core';
import { WordVectors } from '../word-vectors.js';

const WRITE_CHUNK_BYTES = 1 << 20;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const HEADER_MAX_BYTES = 64;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Float32 bytes are copied as they are in memory, which is little-endian on every platform Node runs on. */
function assertLittleEndian(): void {
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) throw new Error('word2vec binary I/O needs a little-endian host');
}

/** word2vec binary format: "V D\n", then "word " + D little-endian float32 + "\n" per word. */
export async function writeWord2VecBinary(path: string, vectors: WordVectors): Promise<void> {
  assertLittleEndian();
  const { words, dim, matrix } = vectors;
  const rowBytes = dim * Float32Array.BYTES_PER_ELEMENT;
  const file = await open(path, 'w');
  try {
    let chunk = new Uint8Array(WRITE_CHUNK_BYTES);
    let used = 0;
    const append = async (bytes: Uint8Array): Promise<void> => {
      if (used + bytes.length > chunk.length) {
        await file.write(chunk, 0, used);
        used = 0;
        if (bytes.length > chunk.length) chunk = new Uint8Array(bytes.length);
      }
      chunk.set(bytes, used);
      used += bytes.length;
    };
    await append(utf8Encoder.encode(`${words.length} ${dim}\n`));
    const separator = Uint8Array.of(SPACE);
    const newline = Uint8Array.of(NEWLINE);
    for (let row = 0; row < words.length; row++) {
      const word = words[row]!;
      if (word.length === 0 || /\s/.test(word)) {
        throw new InputDataError(path, `cannot write the word ${JSON.stringify(word)}: word2vec files need words without whitespace`);
      }
      await append(utf8Encoder.encode(word));
      await append(separator);
      await append(new Uint8Array(matrix.buffer, matrix.byteOffset + row * rowBytes, rowBytes));
      await append(newline);
    }
    await file.write(chunk, 0, used);
  } finally {
    await file.close();
  }
}

export async function readWord2VecBinary(path: string): Promise<WordVectors> {
  assertLittleEndian();
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputDataError(path, 'file not found');
    if (code === 'EISDIR') throw new InputDataError(path, 'is a directory, expected a word2vec binary file');
    throw new InputDataError(path, `cannot read: ${(error as Error).message}`);
  }
  const headerEnd = bytes.subarray(0, HEADER_MAX_BYTES).indexOf(NEWLINE);
  const header = /^\s*(\d+)[ \t]+(\d+)\s*$/.exec(headerEnd < 0 ? '' : utf8Decoder.decode(bytes.subarray(0, headerEnd)));
  if (header === null) throw new InputDataError(path, 'expected a header line "<words> <dimensions>" at byte 0');
  const count = Number(header[1]);
  const dim = Number(header[2]);
  if (dim === 0) throw new InputDataError(path, 'the header gives 0 dimensions');
  const rowBytes = dim * Float32Array.BYTES_PER_ELEMENT;
  // Each entry holds at least one word byte, a space and the vector.
  if (count * (rowBytes + 2) > bytes.length - headerEnd - 1) {
    throw new InputDataError(path, `the header promises ${count} vectors of ${dim} floats, more than the file's ${bytes.length} bytes hold`);
  }
  const words: string[] = new Array(count);
  const matrix = new Float32Array(count * dim);
  const matrixBytes = new Uint8Array(matrix.buffer);
  let offset = headerEnd + 1;
  for (let row = 0; row < count; row++) {
    // gensim style: the newline after a vector is optional.
    while (offset < bytes.length && bytes[offset] === NEWLINE) offset++;
    const wordEnd = bytes.indexOf(SPACE, offset);
    if (wordEnd < 0) {
      throw new InputDataError(path, `truncated at byte ${offset}: entry ${row + 1} of ${count} has no word followed by a space`);
    }
    if (wordEnd === offset) throw new InputDataError(path, `empty word at byte ${offset} (entry ${row + 1} of ${count})`);
    words[row] = utf8Decoder.decode(bytes.subarray(offset, wordEnd));
    offset = wordEnd + 1;
    if (offset + rowBytes > bytes.length) {
      throw new InputDataError(
        path,
        `truncated at byte ${bytes.length}: the vector of entry ${row + 1} of ${count} ('${words[row]}') needs ${rowBytes} bytes from byte ${offset}`,
      );
    }
    matrixBytes.set(bytes.subarray(offset, offset + rowBytes), row * rowBytes);
    offset += rowBytes;
  }
  return new WordVectors(words, dim, matrix);
}
