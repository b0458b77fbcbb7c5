import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { HyperparameterError, InputDataError, parseTransformHyperparameters } from '@blazefleet/core';
import { listTextInput, readTextLines, type TextInputFile } from '@blazefleet/algorithms';
import { invocationAnswers, parseInvocations, type AnsweringModel } from '@blazefleet/model-server';
import type { BlazingTextEvent } from './blazingtext-events.js';
import { MODEL_ARCHIVE } from './trial-artifacts.js';
import { filesBelow } from './trial-directory.js';

/** Answers are written out once this many characters of them have gathered. */
const FLUSH_CHARACTERS = 1 << 20;
const PROGRESS_INTERVAL_MS = 1000;

export interface BatchTransformOptions {
  model: AnsweringModel;
  /** The job's hyperparameters as given (k, content_type). */
  hyperparameters: Record<string, unknown>;
  /** Every file below it (plain text or gzip, names starting with '.' skipped) is transformed, in key order. */
  dataDir: string;
  /** Where the answers to the file of key `<key>` go: `<key>.out`. */
  outputDir: string;
  /** Progress at most once a second and at the end, a log line per file, then the final metrics. */
  onEvent(event: BlazingTextEvent): void;
}

/** How to answer the lines of the input files. */
interface Answering {
  model: AnsweringModel;
  jsonLines: boolean;
  /** The k of instances that give none; undefined for word vectors. */
  k: number | undefined;
}

/**
 * What of the model channel to load: its one model.tar.gz (a training job's output folder holds one), else its only
 * file, else the folder itself (with a model.bin, vectors.bin or vectors.txt).
 */
export async function modelSource(channelDir: string): Promise<string> {
  const files = await filesBelow(channelDir);
  const archives = files.filter((file) => posix.basename(file) === MODEL_ARCHIVE);
  if (archives.length > 1) throw new InputDataError(channelDir, `holds ${archives.length} ${MODEL_ARCHIVE} (${archives.join(', ')}): expected one model`);
  const [only] = archives.length === 1 ? archives : files.length === 1 ? files : [];
  return only === undefined ? channelDir : join(channelDir, ...only.split('/'));
}

/**
 * A batch transform: each line of each input file answered as `POST /invocations` of the model server answers it, one
 * JSON line per instance, into `<outputDir>/<key>.out`. A plain text line is one instance (a blank one too, so that
 * answer i is line i); a JSON Lines line is a record `{"source": "...", "k": 2}` or a JSON string, and a blank one is
 * skipped. Files are streamed, never read whole. A line that cannot be answered is an InputDataError naming the file
 * and the line.
 */
export async function runBatchTransform(options: BatchTransformOptions): Promise<void> {
  const { model, onEvent } = options;
  const hyperparameters = parseTransformHyperparameters(options.hyperparameters);
  if (model.kind === 'word-vectors' && options.hyperparameters.k !== undefined) {
    throw new HyperparameterError('k', 'no k (the model has word vectors; k is for classifiers)', options.hyperparameters.k);
  }
  const answering: Answering = {
    model,
    jsonLines: hyperparameters.content_type === 'application/jsonlines',
    k: model.kind === 'classifier' ? hyperparameters.k : undefined,
  };
  const files = await listTextInput(options.dataDir);
  const meter = new TransformMeter(files.reduce((sum, file) => sum + file.size, 0), onEvent);
  for (const file of files) {
    const lines = await transformFile(file, join(options.outputDir, ...`${file.key}.out`.split('/')), answering, meter);
    onEvent({ event: 'log', message: `${file.key}: ${lines} lines`, fields: { file: file.key, lines } });
  }
  meter.finish();
  onEvent({ event: 'metric', name: 'transform:lines', value: meter.lines });
  onEvent({ event: 'metric', name: 'transform:files', value: files.length });
}

/** Answers the lines of `file` into `outputPath`; resolves to the number of lines. */
async function transformFile(file: TextInputFile, outputPath: string, answering: Answering, meter: TransformMeter): Promise<number> {
  mkdirSync(dirname(outputPath), { recursive: true });
  const output = openSync(outputPath, 'w');
  let pending = '';
  let lineNumber = 0;
  try {
    const onLine = (line: string): void => {
      lineNumber++;
      for (const answer of lineAnswers(line, lineNumber, file, answering)) pending += `${answer}\n`;
      meter.lines++;
      if (pending.length >= FLUSH_CHARACTERS) {
        writeSync(output, pending);
        pending = '';
      }
    };
    await readTextLines(file.path, onLine, { onProgress: (bytesRead) => meter.read(file, bytesRead) });
    writeSync(output, pending);
  } finally {
    closeSync(output);
  }
  meter.fileDone(file);
  return lineNumber;
}

/** The answers to one line: one per instance, none for a blank JSON Lines line. */
function lineAnswers(line: string, lineNumber: number, file: TextInputFile, { model, jsonLines, k }: Answering): string[] {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  try {
    const invocations = jsonLines ? parseInvocations(text, 'jsonlines').map((invocation) => ({ text: invocation.text, k: invocation.k ?? k })) : [{ text, k }];
    return invocationAnswers(model, invocations);
  } catch (error) {
    // The model server's refusals (HttpError) are the line's fault; it calls a one-line body's line "line 1".
    if (!(error instanceof Error) || error.name !== 'HttpError') throw error;
    const reason = /^line 1(?!\d)/.test(error.message) ? error.message.replace(/^line 1/, `line ${lineNumber}`) : `line ${lineNumber}: ${error.message}`;
    throw new InputDataError(file.path, reason);
  }
}

/** Lines answered and input bytes read (compressed bytes of gzip files), told as progress events. */
class TransformMeter {
  lines = 0;
  #bytesOfDoneFiles = 0;
  #bytesRead = 0;
  readonly #started = Date.now();
  #lastEvent = 0;

  constructor(
    private readonly totalBytes: number,
    private readonly onEvent: (event: BlazingTextEvent) => void,
  ) {}

  read(file: TextInputFile, bytesRead: number): void {
    this.#bytesRead = this.#bytesOfDoneFiles + Math.min(bytesRead, file.size);
    if (Date.now() - this.#lastEvent >= PROGRESS_INTERVAL_MS) this.#tell();
  }

  fileDone(file: TextInputFile): void {
    this.#bytesOfDoneFiles += file.size;
    this.#bytesRead = this.#bytesOfDoneFiles;
  }

  finish(): void {
    this.#tell();
  }

  #tell(): void {
    this.#lastEvent = Date.now();
    const seconds = (this.#lastEvent - this.#started) / 1000;
    const progress = this.totalBytes === 0 ? 1 : Math.min(1, this.#bytesRead / this.totalBytes);
    const linesPerSecond = seconds > 0 ? this.lines / seconds : 0;
    this.onEvent({ event: 'progress', progress, lines: this.lines, linesPerSecond, ...(progress > 0 ? { etaSeconds: (seconds * (1 - progress)) / progress } : {}) });
  }
}
