export { startGpuWorker, type GpuWorkerOptions } from './gpu-worker.js';
export { listGpus, readGpuMetrics } from './gpu-devices.js';
export { TFJS_BACKEND_VARIABLE, TensorBackendError, loadTensorBackend, type TensorBackend, type TensorBackendName, type Tfjs } from './tensor-backend.js';
export { DEFAULT_BATCH_EXAMPLES, trainWord2VecOnTensors, type TensorTrainingSettings } from './tensor-word2vec.js';
export { trainClassifierOnTensors, type TensorClassifierOptions } from './tensor-classifier.js';
