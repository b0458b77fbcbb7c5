import { InputDataError, UsageError } from '@blazefleet/core';
import { encodeLabeledFile, loadClassifier, precisionAtK } from '@blazefleet/algorithms';
import { parseArguments, stringOption, type OptionSpecs } from '../arguments.js';
import type { CliIo } from '../cli-io.js';
import { COMMON_OPTIONS, type Command } from '../command.js';
import { ostreamNumber } from '../ostream-number.js';
import { PREDICTION_OPTIONS, predictionSettings } from '../prediction-options.js';

const TEST_OPTIONS: OptionSpecs = {
  ...PREDICTION_OPTIONS,
  input: { type: 'string', valueName: 'FILE', description: 'Labeled test data in the training format (plain or gzip). Required.' },
  ...COMMON_OPTIONS,
};

/** fastText prints P@k and R@k with 3 significant digits. */
const SCORE_DIGITS = 3;

async function test(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArguments(argv, TEST_OPTIONS, { allowExtra: false, allowPositionals: false });
  const { modelPath, k, threshold } = predictionSettings(args);
  const inputPath = stringOption(args, 'input');
  if (inputPath === undefined) throw new UsageError('--input FILE is required');

  const classifier = await loadClassifier(modelPath);
  const examples = await encodeLabeledFile(inputPath, classifier.dictionary);
  for (const { reason, count } of examples.warnings) io.stderr.write(`warning: ${reason} (${count} times)\n`);
  const score = precisionAtK(classifier, examples, k, threshold);
  if (score.examples === 0) throw new InputDataError(inputPath, 'no test example with a label the model knows');
  io.stdout.write(`N\t${score.examples}\nP@${k}\t${ostreamNumber(score.precision, SCORE_DIGITS)}\nR@${k}\t${ostreamNumber(score.recall, SCORE_DIGITS)}\n`);
  return 0;
}

export const testCommand: Command = {
  name: 'test',
  summary: 'Precision and recall at k of a supervised model on labeled data, as fastText test prints them.',
  usage: 'test --model DIR|model.bin --input FILE [-k 1] [--threshold 0]',
  options: TEST_OPTIONS,
  details: () =>
    'Prints "N<TAB>examples", "P@k<TAB>precision" and "R@k<TAB>recall" (3 significant digits). Precision is correct\n' +
    'predictions over predictions made, recall correct predictions over gold labels, counting the top k labels\n' +
    'with probability >= threshold. Lines without a label the model knows are skipped with a warning on stderr.',
  run: test,
};
