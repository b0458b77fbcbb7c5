import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { InputDataError } from '@blazefleet/core';
import { WordVectors } from '../word-vectors.js';

const WRITE_CHUNK_CHARS = 1 << 20;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => Math.pow(10, i));

/**
 * The shortest decimal with 7 to 9 significant digits that reads back as the same float32 (9 always do), trailing
 * zeros dropped. The candidate is checked as mantissa / 10^shift: both exact doubles, so the quotient is the correctly
 * rounded value, the same double a parser gives for the printed text.
 */
export function formatFloat32(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  let exponent = Math.floor(Math.log10(magnitude));
  for (let digits = 7; digits <= 9; digits++) {
    let shift = digits - 1 - exponent;
    if (shift < 1 || shift > 21) break;
    let mantissa = Math.round(magnitude * POWERS_OF_TEN[shift]!);
    if (mantissa >= POWERS_OF_TEN[digits]!) {
      exponent++;
      shift--;
      mantissa = Math.round(magnitude * POWERS_OF_TEN[shift]!);
    } else if (mantissa < POWERS_OF_TEN[digits - 1]!) {
      exponent--;
      shift++;
      mantissa = Math.round(magnitude * POWERS_OF_TEN[shift]!);
    }
    if (digits < 9 && Math.fround(mantissa / POWERS_OF_TEN[shift]!) !== magnitude) continue;
    const text = String(mantissa);
    const integerDigits = text.length - shift;
    let end = text.length;
    while (end > Math.max(integerDigits, 0) && text.charCodeAt(end - 1) === 0x30) end--;
    let formatted: string;
    if (integerDigits <= 0) formatted = '0.' + '0'.repeat(-integerDigits) + text.slice(0, end);
    else if (end === integerDigits) formatted = text.slice(0, integerDigits);
    else formatted = text.slice(0, integerDigits) + '.' + text.slice(integerDigits, end);
    return value < 0 ? '-' + formatted : formatted;
  }
  // Very large or very small magnitudes, rare in embeddings: exponent notation from the runtime.
  return String(Number(value.toPrecision(9)));
}

function checkWord(word: string, path: string): void {
  if (word.length === 0 || /[\s]/.test(word)) {
    throw new InputDataError(path, `cannot write the word ${JSON.stringify(word)}: word2vec files need words without whitespace`);
  }
}

/** word2vec text format: "V D" header, then "word v1 ... vD" per line. Loads with gensim's load_word2vec_format. */
export async function writeWord2VecText(path: string, vectors: WordVectors): Promise<void> {
  const { words, dim, matrix } = vectors;
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  let chunk = `${words.length} ${dim}\n`;
  for (let row = 0; row < words.length; row++) {
    const word = words[row]!;
    checkWord(word, path);
    let line = word;
    const offset = row * dim;
    for (let d = 0; d < dim; d++) {
      const value = matrix[offset + d]!;
      if (!Number.isFinite(value)) {
        out.destroy();
        throw new InputDataError(path, `cannot write the non-finite value ${value} in the vector of '${word}'`);
      }
      line += ' ' + formatFloat32(value);
    }
    chunk += line + '\n';
    if (chunk.length >= WRITE_CHUNK_CHARS) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

export async function readWord2VecText(path: string): Promise<WordVectors> {
  try {
    if ((await stat(path)).isDirectory()) throw new InputDataError(path, 'is a directory, expected a word2vec text file');
  } catch (error) {
    if (error instanceof InputDataError) throw error;
    throw new InputDataError(path, 'file not found');
  }
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let count = -1;
  let dim = -1;
  const words: string[] = [];
  let matrix = new Float32Array(0);
  const fail = (reason: string): never => {
    lines.close();
    throw new InputDataError(`${path}:${lineNumber}`, reason);
  };
  for await (const rawLine of lines) {
    lineNumber++;
    const fields = rawLine.split(/[ \t]+/).filter((field) => field.length > 0);
    if (count < 0) {
      const header = /^\s*(\d+)[ \t]+(\d+)\s*$/.exec(rawLine);
      if (header === null) fail(`expected a header "<words> <dimensions>", found ${JSON.stringify(rawLine.slice(0, 80))}`);
      count = Number(header![1]);
      dim = Number(header![2]);
      if (dim === 0) fail('the header gives 0 dimensions');
      // The header is checked against the file size before allocating: every value takes at least two characters.
      const bytes = (await stat(path)).size;
      if (count * (dim * 2 + 2) > bytes) fail(`the header promises ${count} vectors of ${dim} numbers, more than the file can hold`);
      matrix = new Float32Array(count * dim);
      continue;
    }
    if (fields.length === 0) continue;
    if (words.length === count) fail(`more vectors than the ${count} the header announces`);
    if (fields.length !== dim + 1) fail(`expected a word and ${dim} numbers, found ${fields.length} fields`);
    const offset = words.length * dim;
    for (let d = 0; d < dim; d++) {
      const value = Number(fields[d + 1]);
      if (!Number.isFinite(value)) fail(`'${fields[d + 1]}' is not a finite number (value ${d + 1} of '${fields[0]}')`);
      matrix[offset + d] = value;
    }
    words.push(fields[0]!);
  }
  if (count < 0) throw new InputDataError(path, 'is empty: expected a header "<words> <dimensions>"');
  if (words.length !== count) {
    throw new InputDataError(path, `the header announces ${count} vectors but the file holds ${words.length}`);
  }
  return new WordVectors(words, dim, matrix);
}
