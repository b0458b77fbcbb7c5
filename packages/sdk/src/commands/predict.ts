import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { InputDataError, UsageError } from '@blazefleet/core';
import { endpointAnswer, loadClassifier, type Classifier } from '@blazefleet/algorithms';
import { parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { ostreamNumber } from '../ostream-number.js';
import { PREDICTION_OPTIONS, predictionSettings } from '../prediction-options.js';

const PREDICT_OPTIONS: OptionSpecs = {
  ...PREDICTION_OPTIONS,
  input: { type: 'string', valueName: 'FILE|-', description: 'Texts to classify, one per line (plain or gzip), or a JSON request; - for stdin. Required.' },
  format: { type: 'string', valueName: 'text|json', description: 'Output per input line: text as fastText predict-prob, or JSON as the BlazingText endpoint. Default: text.' },
  ...COMMON_OPTIONS,
};

/** BlazingText's endpoint request: {"instances": ["text", ...], "configuration": {"k": 2}}. */
interface PredictionRequest {
  instances: string[];
  k?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** The input's bytes, gunzipped when gzip, checked to be UTF-8, without a byte order mark. */
async function readInput(path: string, io: CliIo): Promise<Buffer> {
  const source = path === '-' ? 'stdin' : path;
  let bytes: Buffer;
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    bytes = Buffer.concat(chunks);
  } else {
    bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new InputDataError(path, error.code === 'ENOENT' ? 'no such file (--input)' : error.code === 'EISDIR' ? 'is a directory (--input)' : `cannot read: ${error.message}`);
    });
  }
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new InputDataError(source, `corrupt gzip data (${(error as Error).message})`);
    }
  }
  if (!isUtf8(bytes)) throw new InputDataError(source, 'is not valid UTF-8 text');
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/** Whether the first byte that is not whitespace is `{`: the input may be a JSON request. */
function mayBeRequest(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte === 0x7b) return true;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return false;
}

/** The request when the input is one, undefined for plain text lines. */
function parseRequest(text: string, source: string): PredictionRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const invalid = (reason: string): never => {
    throw new InputDataError(source, `invalid JSON request: ${reason} (expected {"instances": ["text", ...], "configuration": {"k": 2}})`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return invalid('not an object');
  const { instances, configuration } = value as { instances?: unknown; configuration?: unknown };
  if (!Array.isArray(instances) || !instances.every((instance) => typeof instance === 'string')) return invalid('"instances" must be an array of strings');
  if (configuration === undefined) return { instances };
  if (configuration === null || typeof configuration !== 'object' || Array.isArray(configuration)) return invalid('"configuration" must be an object');
  const { k } = configuration as { k?: unknown };
  if (k === undefined) return { instances };
  const parsedK = typeof k === 'string' && /^\s*\d+\s*$/.test(k) ? Number(k) : k;
  if (typeof parsedK !== 'number' || !Number.isSafeInteger(parsedK) || parsedK < 1) return invalid(`"configuration.k" must be a positive integer, got ${JSON.stringify(k)}`);
  return { instances, k: parsedK };
}

/** The texts of a plain input: one per line, without line terminators. */
function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (text.endsWith('\n')) all.pop();
  return all;
}

/** Output bytes in one growing buffer, so that a line of output is no string of its own. */
class OutputBuffer {
  #bytes = Buffer.allocUnsafe(1 << 20);
  #length = 0;

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.#bytes.length, this.#length + extra));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }
  bytes(value: Uint8Array): void {
    this.#reserve(value.length);
    this.#bytes.set(value, this.#length);
    this.#length += value.length;
  }
  /** An ASCII string, as numbers are. */
  ascii(value: string): void {
    this.#reserve(value.length);
    this.#length += this.#bytes.write(value, this.#length, 'latin1');
  }
  byte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }
  get contents(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }
}

/** Appends fastText's predict-prob line for the classifier's last ranking: `__label__a 0.9 __label__b 0.05`. */
function writePredictProbLine(out: OutputBuffer, classifier: Classifier, labelBytes: Buffer[], count: number): void {
  for (let i = 0; i < count; i++) {
    if (i > 0) out.byte(SPACE);
    out.bytes(labelBytes[classifier.rankedLabel(i)]!);
    out.byte(SPACE);
    out.ascii(ostreamNumber(classifier.rankedProbability(i), 6));
  }
  out.byte(NEWLINE);
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

function formatOption(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new UsageError(`--format: expected text or json, got ${JSON.stringify(value)}`);
}

async function predict(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, PREDICT_OPTIONS, { allowExtra: false, allowPositionals: false });
  const { modelPath, k, threshold } = predictionSettings(args);
  const inputPath = stringOption(args, 'input');
  if (inputPath === undefined) throw new UsageError('--input FILE is required (- for stdin)');
  const format = formatOption(stringOption(args, 'format'));

  const classifier: Classifier = await loadClassifier(modelPath);
  const bytes = await readInput(inputPath, io);
  const request = mayBeRequest(bytes) ? parseRequest(bytes.toString('utf8'), inputPath === '-' ? 'stdin' : inputPath) : undefined;
  if (request !== undefined) {
    const answers = request.instances.map((instance) => endpointAnswer(classifier.predict(instance, request.k ?? k, threshold)));
    io.stdout.write(`${JSON.stringify(answers)}\n`);
    return 0;
  }
  if (format === 'json') {
    const out = lines(bytes.toString('utf8')).map((line) => JSON.stringify(endpointAnswer(classifier.predict(line, k, threshold))));
    if (out.length > 0) io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  }
  const out = new OutputBuffer();
  const labelBytes = classifier.dictionary.labels.map((_, id) => Buffer.from(classifier.labelName(id)));
  classifier.rankLines(bytes, k, threshold, (count) => writePredictProbLine(out, classifier, labelBytes, count));
  if (out.contents.length > 0) io.stdout.write(out.contents);
  return 0;
}

export const predictCommand: Command = {
  name: 'predict',
  summary: 'Top-k labels with probabilities for texts, with a supervised model (fastText predict-prob, BlazingText endpoint JSON).',
  usage: 'predict --model DIR|model.bin --input FILE|- [-k 1] [--threshold 0] [--format text|json]',
  options: PREDICT_OPTIONS,
  details: () =>
    'Texts are tokenized as for training: lowercased, punctuation split off.\n' +
    'text: one line per input line, "__label__a 0.9 __label__b 0.05", best first (fastText predict-prob).\n' +
    'json: one line per input line, {"label": ["__label__a", ...], "prob": [0.9, ...]}.\n' +
    'An input that is a BlazingText endpoint request, {"instances": ["text", ...], "configuration": {"k": 2}},\n' +
    'is answered with one JSON array of those objects, k taken from the request when it has one.',
  run: predict,
};
