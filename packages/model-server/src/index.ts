export { ModelServer, type ModelServerOptions } from './model-server.js';
export { HttpError } from './http-error.js';
export { MAX_PAYLOAD_BYTES } from './request-body.js';
export { MAX_NEIGHBOURS, parseInvocations, type Invocation } from './requests.js';
export { invocationAnswers } from './model-answers.js';
export { NeighbourSearch, PARALLEL_ABOVE_ROWS, type NeighbourSearchOptions } from './neighbour-search.js';
export {
  closeServedModel,
  loadAnsweringModel,
  loadServedModel,
  servedWordVectors,
  type AnsweringModel,
  type LoadServedModelOptions,
  type ServedClassifier,
  type ServedModel,
  type ServedWordVectors,
} from './served-model.js';
