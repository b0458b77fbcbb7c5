export { TrainingWorker, type TrainingWorkerOptions, type WorkerLog } from './training-worker.js';
