import { enumField, integerField, parseFields, type ValuesOf } from './fields.js';

/** How a batch transform reads its instances: one text per line, or one JSON Lines record per line. */
export const TRANSFORM_CONTENT_TYPES = ['text/plain', 'application/jsonlines'] as const;
export type TransformContentType = (typeof TRANSFORM_CONTENT_TYPES)[number];

/** The hyperparameters of a `blazingtext-transform` job: how to read the instances and how many labels to answer. */
export const TRANSFORM_HYPERPARAMETERS = {
  k: integerField(1, 1_000_000, 1, 'Classifiers only: labels answered per instance, best first (a JSON Lines record\'s own "k" wins).'),
  content_type: enumField(
    TRANSFORM_CONTENT_TYPES,
    'text/plain',
    'text/plain: each line is one instance. application/jsonlines: each line is {"source": "...", "k": 2} or a JSON string.',
  ),
};

export type TransformHyperparameters = ValuesOf<typeof TRANSFORM_HYPERPARAMETERS>;

/** Validates the raw hyperparameters of a batch transform (strings allowed), filling in the defaults. */
export function parseTransformHyperparameters(raw: Record<string, unknown>): TransformHyperparameters {
  return parseFields(TRANSFORM_HYPERPARAMETERS, raw, 'blazingtext-transform');
}
