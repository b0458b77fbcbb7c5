import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { loadWordVectors, type WordVectors } from '@blazefleet/algorithms';
import { booleanOption, parseArguments, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { modelPathOption } from '../prediction-options.js';

const VECTORS_OPTIONS: OptionSpecs = {
  model: { type: 'string', valueName: 'PATH', description: 'Training output directory (model.bin, else vectors.bin, else vectors.txt) or a model file. Required.' },
  json: { type: 'boolean', description: 'One JSON object per word: {"word": ..., "vector": [...]}.' },
  ...COMMON_OPTIONS,
};

/** Five significant digits, as fastText's print-word-vectors. */
function formatComponent(value: number): string {
  return String(Number(value.toPrecision(5)));
}

function wordLine(vectors: WordVectors, word: string, json: boolean): string {
  // Unknown words without n-gram vectors print zeros, as fastText does, so output stays one line per input word.
  const vector = vectors.vector(word) ?? new Float32Array(vectors.dim);
  if (json) return JSON.stringify({ word, vector: Array.from(vector) });
  let line = word;
  for (let i = 0; i < vector.length; i++) line += ` ${formatComponent(vector[i]!)}`;
  return line;
}

async function* stdinWords(io: CliIo): AsyncGenerator<string> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const word = line.trim();
    if (word !== '') yield word;
  }
}

async function vectors(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, VECTORS_OPTIONS, { allowExtra: false, allowPositionals: true });
  const modelPath = modelPathOption(args);
  const json = booleanOption(args, 'json');
  const model = await loadWordVectors(modelPath);
  const words = args.positionals.length > 0 ? args.positionals : stdinWords(io);
  for await (const word of words) {
    if (!io.stdout.write(`${wordLine(model, word, json)}\n`)) await once(io.stdout, 'drain');
  }
  return 0;
}

export const vectorsCommand: Command = {
  name: 'vectors',
  summary: 'Print the vectors of words (arguments, or stdin one per line).',
  usage: 'vectors --model PATH [--json] [word ...]',
  options: VECTORS_OPTIONS,
  details: () =>
    'Prints "word v1 v2 ..." per word. Unknown words get n-gram vectors when the model has them (subwords\n' +
    'training writes model.bin), zeros otherwise.',
  run: vectors,
};
