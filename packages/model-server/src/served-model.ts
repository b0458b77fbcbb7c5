import { loadModel, type Classifier, type WordVectors } from '@blazefleet/algorithms';
import type { ArtifactStoreOptions } from '@blazefleet/artifact-store';
import { withLocalModel } from './model-source.js';
import { NeighbourSearch, type NeighbourSearchOptions } from './neighbour-search.js';

/** Word vectors, with their nearest-neighbour search. */
export interface ServedWordVectors {
  kind: 'word-vectors';
  vectors: WordVectors;
  neighbours: NeighbourSearch;
}

export interface ServedClassifier {
  kind: 'classifier';
  classifier: Classifier;
}

/** The model a server answers with. */
export type ServedModel = ServedWordVectors | ServedClassifier;

/** What `/invocations` answers need of a model: its vectors or its classifier (a ServedModel is one). */
export type AnsweringModel = { kind: 'word-vectors'; vectors: WordVectors } | ServedClassifier;

export interface LoadServedModelOptions {
  /** How to reach S3 for an `s3://` source (default: the environment's settings). */
  artifactStore?: ArtifactStoreOptions;
  neighbourSearch?: NeighbourSearchOptions;
  /** Stops before the search threads start; the load rejects with the signal's reason. */
  signal?: AbortSignal;
}

export function servedWordVectors(vectors: WordVectors, options: NeighbourSearchOptions = {}): ServedWordVectors {
  return { kind: 'word-vectors', vectors, neighbours: new NeighbourSearch(vectors.matrix, vectors.dim, options) };
}

/**
 * The model `source` names (a training output directory, a model file, a model.tar.gz, or an `s3://` or `file://`
 * URI of one; see withLocalModel): a classifier when it is a supervised fastText model, else word vectors.
 */
export async function loadServedModel(source: string, options: LoadServedModelOptions = {}): Promise<ServedModel> {
  const loaded = await loadAnsweringModel(source, options.artifactStore);
  options.signal?.throwIfAborted();
  return loaded.kind === 'classifier' ? loaded : servedWordVectors(loaded.vectors, options.neighbourSearch);
}

/** The model `source` names, as loadServedModel reads it, without the nearest-neighbour search (batch transform). */
export async function loadAnsweringModel(source: string, artifactStore?: ArtifactStoreOptions): Promise<AnsweringModel> {
  const loaded = await withLocalModel(source, loadModel, artifactStore);
  return loaded.kind === 'classifier' ? { kind: 'classifier', classifier: loaded.classifier } : { kind: 'word-vectors', vectors: loaded.vectors };
}

/** What a log says of a model. */
export function describeServedModel(model: ServedModel): Record<string, unknown> {
  if (model.kind === 'classifier') {
    return { kind: model.kind, labels: model.classifier.dictionary.labels.length, dim: model.classifier.dim };
  }
  const { vectors, neighbours } = model;
  return { kind: model.kind, words: vectors.words.length, dim: vectors.dim, subwords: vectors.subwords !== undefined, searchThreads: neighbours.threads };
}

export async function closeServedModel(model: ServedModel): Promise<void> {
  if (model.kind === 'word-vectors') await model.neighbours.close();
}
