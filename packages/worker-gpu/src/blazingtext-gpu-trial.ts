// A BlazingText trial of the gpu pool: the runtime's BlazingText algorithm (same trial directory, events, artifacts and
// exit codes) with cbow, skipgram and supervised trained on TensorFlow.js tensors, on the best backend this host has.
import { printEvent, runBlazingTextAlgorithm } from '@blazefleet/worker-runtime';
import { loadTensorBackend } from './tensor-backend.js';
import { trainClassifierOnTensors } from './tensor-classifier.js';
import { trainWord2VecOnTensors } from './tensor-word2vec.js';

const backend = await loadTensorBackend((message, fields) => printEvent({ event: 'log', message, ...(fields === undefined ? {} : { fields }) }));
await runBlazingTextAlgorithm(process.argv[2] ?? process.cwd(), {
  word2vec: (options) => trainWord2VecOnTensors(backend, options),
  supervised: (options) => trainClassifierOnTensors(backend, options),
});
