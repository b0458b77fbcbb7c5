export * from './errors.js';
export * from './events.js';
export * from './hyperparameters/word2vec.js';
export * from './hyperparameters/supervised.js';
export type { HyperparameterField } from './hyperparameters/fields.js';
