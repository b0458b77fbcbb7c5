import { endpointAnswer, formatFloat32, type WordVectors } from '@blazefleet/algorithms';
import { HttpError } from './http-error.js';
import type { Invocation, MostSimilarRequest } from './requests.js';
import type { AnsweringModel, ServedModel, ServedWordVectors } from './served-model.js';

/** A word's answer, `{"vector": [...], "word": "..."}`, its numbers written as vectors.txt writes them. */
function vectorAnswer(vectors: WordVectors, word: string): string {
  const vector = vectors.vector(word);
  let out = '{"vector":[';
  for (let d = 0; d < vectors.dim; d++) {
    if (d > 0) out += ',';
    // Unknown words without n-gram vectors get zeros, as fastText's print-word-vectors gives them.
    out += vector === undefined ? '0' : formatFloat32(vector[d]!);
  }
  return `${out}],"word":${JSON.stringify(word)}}`;
}

/**
 * The JSON text of the answer to each invocation, in order: the word's vector for word vectors, the top-k labels
 * and their probabilities (k 1 unless asked) for a classifier. A 413 as soon as the answers pass `maxLength`
 * characters, so that a request cannot hold the server for long or build a string larger than V8 allows.
 */
export function invocationAnswers(model: AnsweringModel, invocations: readonly Invocation[], maxLength = Infinity): string[] {
  if (model.kind === 'word-vectors' && invocations.some(({ k }) => k !== undefined)) {
    throw new HttpError(400, 'k (configuration.k, or k of a JSON Lines record) is for classifiers: this server serves word vectors');
  }
  const answers: string[] = [];
  let length = 0;
  for (const { text, k } of invocations) {
    const answer = model.kind === 'classifier' ? JSON.stringify(endpointAnswer(model.classifier.predict(text, k ?? 1))) : vectorAnswer(model.vectors, text);
    length += answer.length + 1;
    if (length > maxLength) {
      throw new HttpError(413, `the answer to ${invocations.length} instances would be over ${maxLength} characters: send fewer in one request`);
    }
    answers.push(answer);
  }
  return answers;
}

/** The model when it has word vectors; a 400 naming the route otherwise. */
export function wordVectorsOf(model: ServedModel, route: string): ServedWordVectors {
  if (model.kind === 'word-vectors') return model;
  throw new HttpError(400, `POST ${route} needs a word-vector model: this server serves a classifier (POST /invocations classifies texts)`);
}

/** gensim's most_similar: the k words nearest the mean of the positive minus the negative unit vectors, query words left out. */
export async function mostSimilarAnswer({ vectors, neighbours }: ServedWordVectors, { positive, negative, k }: MostSimilarRequest): Promise<string> {
  const unknown = [...positive, ...negative].find((word) => vectors.vector(word) === undefined);
  if (unknown !== undefined) {
    throw new HttpError(400, `${JSON.stringify(unknown)} is not in the model's vocabulary (and the model has no subword vectors)`);
  }
  const query = vectors.similarityQuery(positive, negative);
  // Query vectors that cancel out (or are all zero) point nowhere: nothing is similar.
  if (query === undefined) return '[]';
  const ranked = await neighbours.nearest(query.vector, k + query.excludedRows.length);
  return JSON.stringify(vectors.similarWords(ranked, query.excludedRows, k));
}

/** The cosine similarity of each pair; null where a word has no vector. */
export function similarityAnswer({ vectors }: ServedWordVectors, pairs: readonly [string, string][]): string {
  return JSON.stringify(pairs.map((pair) => ({ pair, similarity: vectors.similarity(pair[0], pair[1]) ?? null })));
}
