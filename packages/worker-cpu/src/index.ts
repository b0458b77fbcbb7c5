export { TrainingWorker, type TrainingWorkerOptions } from './training-worker.js';
