import { HyperparameterError } from '../errors.js';
import { booleanField, enumField, floatField, integerField, parseFields, type ValuesOf } from './fields.js';
import { WORD2VEC_MODES, parseWord2VecHyperparameters, type Word2VecHyperparameters } from './word2vec.js';

export const SUPERVISED_LOSSES = ['softmax', 'ns', 'hs'] as const;
export type SupervisedLoss = (typeof SUPERVISED_LOSSES)[number];

/** BlazingText's text classification hyperparameters (plus fastText's loss and negative samples). */
export const SUPERVISED_HYPERPARAMETERS = {
  mode: enumField(['supervised'] as const, undefined, 'Text classification. Required.'),
  epochs: integerField(1, 10_000, 5, 'Complete passes through the training data (the most, with early_stopping).'),
  learning_rate: floatField(0, 10, 0.05, 'Step size of parameter updates; decays linearly to 0.'),
  min_count: integerField(0, 1_000_000_000, 5, 'Words occurring fewer times are discarded.'),
  vector_dim: integerField(1, 10_000, 100, 'Dimension of the hidden layer (word and n-gram vectors).'),
  word_ngrams: integerField(1, 10, 2, 'Word n-grams up to this length are features, hashed into buckets.'),
  buckets: integerField(1, 100_000_000, 2_000_000, 'Hash buckets for word n-grams and character n-grams.'),
  subwords: booleanField(false, 'Character n-grams of min_char..max_char as features too.'),
  min_char: integerField(1, 100, 3, 'Shortest character n-gram, with subwords.'),
  max_char: integerField(1, 100, 6, 'Longest character n-gram, with subwords.'),
  loss: enumField(SUPERVISED_LOSSES, 'softmax', 'softmax, ns (negative sampling over labels) or hs (hierarchical softmax), as fastText has them.'),
  negative_samples: integerField(1, 100, 5, 'Negative labels per example, with loss ns.'),
  early_stopping: booleanField(false, 'Stop when validation accuracy has not improved for patience epochs; keep the best epoch. Needs --validation.'),
  patience: integerField(1, 10_000, 4, 'Epochs without improvement before early stopping.'),
  min_epochs: integerField(1, 10_000, 5, 'Epochs always trained before early stopping may stop.'),
};

export type SupervisedHyperparameters = ValuesOf<typeof SUPERVISED_HYPERPARAMETERS>;

export function parseSupervisedHyperparameters(raw: Record<string, unknown>): SupervisedHyperparameters {
  const hp = parseFields(SUPERVISED_HYPERPARAMETERS, raw, 'supervised');
  if (hp.min_char > hp.max_char) throw new HyperparameterError('min_char', `a value <= max_char (${hp.max_char})`, hp.min_char);
  return hp;
}

export type TrainingHyperparameters = Word2VecHyperparameters | SupervisedHyperparameters;

/** Validates hyperparameters of any BlazingText mode, choosing the schema by `mode`. */
export function parseTrainingHyperparameters(raw: Record<string, unknown>): TrainingHyperparameters {
  const mode = typeof raw.mode === 'string' ? raw.mode.trim() : raw.mode;
  if (mode === 'supervised') return parseSupervisedHyperparameters(raw);
  if (mode === undefined || (WORD2VEC_MODES as readonly unknown[]).includes(mode)) return parseWord2VecHyperparameters(raw);
  throw new HyperparameterError('mode', `one of ${[...WORD2VEC_MODES, 'supervised'].join(', ')}`, raw.mode);
}
