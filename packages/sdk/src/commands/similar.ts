import { UsageError } from '@blazefleet/core';
import { loadWordVectors, type WordVectors } from '@blazefleet/algorithms';
import { booleanOption, integerOption, listOption, parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { modelPathOption } from '../prediction-options.js';

const SIMILAR_OPTIONS: OptionSpecs = {
  model: { type: 'string', valueName: 'PATH', description: 'Training output directory or model file, as for `vectors`. Required.' },
  word: { type: 'string', valueName: 'WORD', description: 'Query word.' },
  positive: { type: 'string', multiple: true, valueName: 'a,b', description: 'Words added to the query (comma-separated, repeatable).' },
  negative: { type: 'string', multiple: true, valueName: 'c', description: 'Words subtracted from the query (comma-separated, repeatable).' },
  k: { type: 'string', short: 'k', valueName: 'N', description: 'Number of neighbours. Default: 10.' },
  json: { type: 'boolean', description: 'Print a JSON array of {"word", "similarity"}.' },
  ...COMMON_OPTIONS,
};

function wordList(values: string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((word) => word.trim()).filter((word) => word !== '');
}

function requireKnown(vectors: WordVectors, words: string[]): void {
  for (const word of words) {
    if (vectors.vector(word) === undefined) {
      throw new UsageError(`'${word}' is not in the model's vocabulary (and the model has no subword vectors)`);
    }
  }
}

async function similar(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, SIMILAR_OPTIONS, { allowExtra: false, allowPositionals: false });
  const modelPath = modelPathOption(args);
  const word = stringOption(args, 'word');
  const positive = [...(word === undefined ? [] : [word]), ...wordList(listOption(args, 'positive'))];
  const negative = wordList(listOption(args, 'negative'));
  if (positive.length === 0) throw new UsageError('--word WORD or --positive WORDS is required');
  const k = integerOption(args, 'k', 1, 10);

  const vectors = await loadWordVectors(modelPath);
  requireKnown(vectors, [...positive, ...negative]);
  const neighbours = vectors.mostSimilar(positive, negative, k);
  if (booleanOption(args, 'json')) {
    io.stdout.write(`${JSON.stringify(neighbours)}\n`);
  } else {
    for (const { word: neighbour, similarity } of neighbours) io.stdout.write(`${neighbour}\t${similarity.toFixed(6)}\n`);
  }
  return 0;
}

export const similarCommand: Command = {
  name: 'similar',
  summary: 'Nearest neighbours of a word, or of positive minus negative words (analogies).',
  usage: 'similar --model PATH --word WORD [-k 10] | --positive a,b --negative c [--json]',
  options: SIMILAR_OPTIONS,
  details: () => 'Prints "word<TAB>cosine" per neighbour, best first; the query words themselves are left out.',
  run: similar,
};
