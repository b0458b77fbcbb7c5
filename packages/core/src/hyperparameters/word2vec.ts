import { HyperparameterError } from '../errors.js';
import { booleanField, enumField, floatField, integerField, parseFields, type ValuesOf } from './fields.js';

export const WORD2VEC_MODES = ['cbow', 'skipgram', 'batch_skipgram'] as const;
export type Word2VecMode = (typeof WORD2VEC_MODES)[number];

/** BlazingText's Word2Vec hyperparameters: names, defaults and valid values as SageMaker documents them. */
export const WORD2VEC_HYPERPARAMETERS = {
  mode: enumField(WORD2VEC_MODES, undefined, 'Word2vec architecture. Required.'),
  epochs: integerField(1, 10_000, 5, 'Complete passes through the training data.'),
  learning_rate: floatField(0, 10, 0.05, 'Step size of parameter updates; decays linearly to 0.'),
  min_count: integerField(0, 1_000_000_000, 5, 'Words occurring fewer times are discarded.'),
  sampling_threshold: floatField(0, 1, 0.0001, 'Frequent words are randomly down-sampled above this relative frequency; recommended (0, 1e-3].'),
  vector_dim: integerField(1, 10_000, 100, 'Dimension of the word vectors.'),
  window_size: integerField(1, 100, 5, 'Context words on each side of the target word.'),
  negative_samples: integerField(1, 100, 5, 'Negative samples per positive example.'),
  batch_size: integerField(1, 100, 11, 'batch_skipgram only: context words sharing one set of negatives; 10 to 20 recommended.'),
  subwords: booleanField(false, 'Learn character n-gram vectors (cbow and skipgram only); unknown words then get vectors.'),
  min_char: integerField(1, 100, 3, 'Shortest character n-gram, with subwords.'),
  max_char: integerField(1, 100, 6, 'Longest character n-gram, with subwords.'),
  buckets: integerField(1, 100_000_000, 2_000_000, 'Hash buckets for character n-grams, with subwords.'),
  evaluation: booleanField(true, 'Evaluate on WordSimilarity-353 and write eval.json.'),
};

export type Word2VecHyperparameters = ValuesOf<typeof WORD2VEC_HYPERPARAMETERS>;

/** Validates raw word2vec hyperparameters (strings allowed), filling in BlazingText's defaults. */
export function parseWord2VecHyperparameters(raw: Record<string, unknown>): Word2VecHyperparameters {
  const hp = parseFields(WORD2VEC_HYPERPARAMETERS, raw, 'word2vec');
  if (hp.subwords && hp.mode === 'batch_skipgram') {
    throw new HyperparameterError('subwords', 'false with mode batch_skipgram (subwords need cbow or skipgram)', raw.subwords);
  }
  if (hp.min_char > hp.max_char) {
    throw new HyperparameterError('min_char', `a value <= max_char (${hp.max_char})`, hp.min_char);
  }
  return hp;
}
