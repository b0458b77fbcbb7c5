import { createReadStream } from 'node:fs';
import { access, open, readdir, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputDataError } from '@blazefleet/core';

const READ_CHUNK_BYTES = 1 << 20;
const SNIFF_BYTES = 64 * 1024;
/** Above this share of invalid UTF-8 sequences among the sniffed characters a file is taken for binary. */
const BINARY_INVALID_SHARE = 0.2;
const REPLACEMENT_CHARACTER = '\ufffd';
const PROGRESS_INTERVAL_MS = 250;
const NEWLINE = 0x0a;
const LINE_BREAK = Uint8Array.of(NEWLINE);

const utf8Decoder = new TextDecoder();

/** U+FFFD in `text` that stand for invalid bytes of `bytes`, not for a validly encoded U+FFFD (EF BF BD). */
export function countReplacedSequences(bytes: Uint8Array, text: string): number {
  let replaced = 0;
  for (let at = text.indexOf(REPLACEMENT_CHARACTER); at >= 0; at = text.indexOf(REPLACEMENT_CHARACTER, at + 1)) replaced++;
  if (replaced === 0) return 0;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) replaced--;
  }
  return Math.max(0, replaced);
}

function binaryReason(sample: Uint8Array): string | undefined {
  if (sample.includes(0)) return `NUL bytes in the first ${SNIFF_BYTES / 1024} KiB`;
  const text = utf8Decoder.decode(sample);
  const invalid = countReplacedSequences(sample, text);
  if (text.length > 0 && invalid > BINARY_INVALID_SHARE * text.length) {
    return `${invalid} of ${text.length} characters in the first ${SNIFF_BYTES / 1024} KiB are invalid UTF-8`;
  }
  return undefined;
}

/**
 * Fails early, before any output is created, with an InputDataError that says which input (`what`) is missing, or
 * that a directory given as input holds no file.
 */
export async function requireTextInput(path: string, what: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new InputDataError(path, `${what} does not exist or cannot be read`);
  }
  await listTextInput(path);
}

/** One file of a text input. */
export interface TextInputFile {
  path: string;
  /** Its path below the input directory, '/'-separated as an S3 key; a file given itself: its name. */
  key: string;
  size: number;
}

/**
 * The files of a text input, in reading order: the file itself, or every regular file below a directory
 * (recursively, symbolic links to files included) ordered by key bytewise, as S3 lists keys. Files and folders
 * whose names start with '.' are skipped. A missing input or a directory without files is an InputDataError.
 */
export async function listTextInput(path: string): Promise<TextInputFile[]> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputDataError(path, 'file not found');
    throw new InputDataError(path, `cannot read: ${(error as Error).message}`);
  }
  if (!info.isDirectory()) return [{ path, key: basename(path), size: info.size }];
  const files: TextInputFile[] = [];
  try {
    await collectFiles(path, '', files);
  } catch (error) {
    throw new InputDataError(path, `cannot list: ${(error as Error).message}`);
  }
  if (files.length === 0) throw new InputDataError(path, 'is a directory without input files (names starting with "." are skipped)');
  const keys = new Map(files.map((file) => [file, Buffer.from(file.key)]));
  return files.sort((a, b) => Buffer.compare(keys.get(a)!, keys.get(b)!));
}

async function collectFiles(directory: string, prefix: string, files: TextInputFile[]): Promise<void> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    const key = prefix === '' ? entry.name : posix.join(prefix, entry.name);
    if (entry.isDirectory()) {
      await collectFiles(path, key, files);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      // A link is followed to a file only: links to folders could make cycles.
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile()) files.push({ path, key, size: info.size });
    }
  }
}

async function inspectTextFile(path: string): Promise<{ size: number; gzip: boolean }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputDataError(path, 'file not found');
    throw new InputDataError(path, `cannot read: ${(error as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new InputDataError(path, 'is a directory, expected a text file (plain or gzip)');
    const magic = new Uint8Array(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return { size: info.size, gzip: bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b };
  } finally {
    await handle.close();
  }
}

export interface StreamTextFileOptions {
  /**
   * Bytes of the file read so far (compressed bytes for gzip) and its size: at most every 250 ms while reading, and
   * once at the end.
   */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Streams the bytes of a plain or gzip text file (gzip told by its magic number), decompressed. Errors are
 * InputDataErrors naming the file: missing, a directory, corrupt gzip, or binary (NUL bytes or mostly invalid UTF-8 in
 * the first 64 KiB, checked before any byte reaches `onChunk`). What `onChunk` throws is rethrown as it is.
 */
export async function streamTextFile(path: string, onChunk: (bytes: Uint8Array) => void, options: StreamTextFileOptions = {}): Promise<void> {
  const { size, gzip } = await inspectTextFile(path);
  const { onProgress } = options;
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const source = gzip ? pipeline(file, createGunzip({ chunkSize: READ_CHUNK_BYTES }), () => {}) : file;
  // Set while onChunk runs, so that its own errors are not mistaken for read errors.
  let inConsumer = false;
  const deliver = (chunk: Uint8Array): void => {
    inConsumer = true;
    onChunk(chunk);
    inConsumer = false;
  };
  // Chunks are held back until the sniffed prefix has been judged.
  let held: Uint8Array[] | undefined = [];
  let heldBytes = 0;
  const release = (): void => {
    const chunks = held!;
    const sample = Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
    const reason = binaryReason(sample);
    if (reason !== undefined) throw new InputDataError(path, `looks binary, expected UTF-8 text (${reason})`);
    held = undefined;
    for (const chunk of chunks) deliver(chunk);
  };
  let lastProgress = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (held === undefined) {
        deliver(chunk);
      } else {
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes >= SNIFF_BYTES) release();
      }
      if (onProgress !== undefined && Date.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = Date.now();
        onProgress(file.bytesRead, size);
      }
    }
  } catch (error) {
    if (inConsumer || error instanceof InputDataError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (gzip && code.startsWith('Z_')) throw new InputDataError(path, `corrupt gzip data: ${(error as Error).message}`);
    throw new InputDataError(path, `cannot read: ${(error as Error).message}`);
  } finally {
    file.destroy();
  }
  if (held !== undefined) release();
  onProgress?.(file.bytesRead, size);
}

/**
 * Streams a text input (see listTextInput): its files one after another through streamTextFile, each ended by a line
 * break when its text does not end with one, so that no line runs from one file into the next. Progress counts the
 * bytes of all files.
 */
export async function streamTextInput(path: string, onChunk: (bytes: Uint8Array) => void, options: StreamTextFileOptions = {}): Promise<void> {
  const files = await listTextInput(path);
  const { onProgress } = options;
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  let bytesBefore = 0;
  for (const file of files) {
    let last = NEWLINE;
    const deliver = (bytes: Uint8Array): void => {
      if (bytes.length === 0) return;
      last = bytes[bytes.length - 1]!;
      onChunk(bytes);
    };
    const before = bytesBefore;
    await streamTextFile(file.path, deliver, onProgress === undefined ? {} : { onProgress: (bytesRead) => onProgress(before + bytesRead, totalBytes) });
    if (last !== NEWLINE) onChunk(LINE_BREAK);
    bytesBefore += file.size;
  }
}

/**
 * Lines of a text input (a plain or gzip UTF-8 file, or a directory of them: see streamTextInput), split at '\n' (a
 * final line without one included when not empty). Invalid UTF-8 is replaced by U+FFFD; the returned count says how
 * many sequences were replaced. Progress counts the bytes read, as streamTextInput counts them.
 */
export async function readTextLines(path: string, onLine: (line: string) => void, options: StreamTextFileOptions = {}): Promise<{ replacedSequences: number }> {
  const decoder = new TextDecoder();
  let carry = '';
  let replacedSequences = 0;
  const split = (text: string): void => {
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      onLine(carry.length > 0 ? carry + text.slice(start, end) : text.slice(start, end));
      carry = '';
      start = end + 1;
    }
    carry += text.slice(start);
  };
  await streamTextInput(
    path,
    (bytes) => {
      const text = decoder.decode(bytes, { stream: true });
      if (text.includes(REPLACEMENT_CHARACTER)) replacedSequences += countReplacedSequences(bytes, text);
      split(text);
    },
    options,
  );
  const rest = decoder.decode();
  if (rest.includes(REPLACEMENT_CHARACTER)) replacedSequences += rest.length;
  split(rest);
  if (carry.length > 0) onLine(carry);
  return { replacedSequences };
}
