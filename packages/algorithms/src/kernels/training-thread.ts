import { parentPort, workerData } from 'node:worker_threads';
import { instantiateKernel, type Word2VecKernel } from './kernel-module.js';
import { CHUNK_EXAMPLES, CHUNK_TOKENS } from './shared-memory.js';

interface ThreadCommon {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  thread: number;
  configure: Parameters<Word2VecKernel['configure']>;
  /** This thread's share: token positions or example indices [start, end). */
  start: number;
  end: number;
  learningRate: number;
  /** [0]: positions or examples processed by all threads together. */
  processed: BigInt64Array;
  /** [2t]: loss sum, [2t + 1]: loss examples of thread t since training started. */
  loss: Float64Array;
  /** epochs x (positions or examples). */
  totalWork: number;
}

/** What the trainer hands each thread (structured-cloned; the buffers are shared, not copied). */
export type TrainingThreadData =
  | (ThreadCommon & { kind: 'word2vec'; mode: number; tokens: Int32Array; chunk: number })
  | (ThreadCommon & {
      kind: 'supervised';
      configureSupervised: Parameters<Word2VecKernel['configureSupervised']>;
      featureOffsets: number;
      features: number;
      labelOffsets: number;
      labels: number;
    });

export type TrainingThreadMessage = { type: 'epochDone'; epoch: number } | { type: 'diverged'; epoch: number };

const data = workerData as TrainingThreadData;
const kernel = instantiateKernel(data.module, data.memory);
kernel.configure(...data.configure);
if (data.kind === 'supervised') kernel.configureSupervised(...data.configureSupervised);

function trainChunk(from: number, count: number, progressStart: number): number {
  if (data.kind === 'supervised') {
    return kernel.trainSupervisedChunk(data.featureOffsets, data.features, data.labelOffsets, data.labels, from, count, data.learningRate, progressStart, data.totalWork);
  }
  new Int32Array(data.memory.buffer, data.chunk, count).set(data.tokens.subarray(from, from + count));
  return kernel.trainChunk(data.mode, data.chunk, count, data.learningRate, progressStart, data.totalWork);
}

function trainEpoch(epoch: number): TrainingThreadMessage {
  const chunkSize = data.kind === 'supervised' ? CHUNK_EXAMPLES : CHUNK_TOKENS;
  for (let from = data.start; from < data.end; from += chunkSize) {
    const count = Math.min(chunkSize, data.end - from);
    const status = trainChunk(from, count, Number(Atomics.load(data.processed, 0)));
    Atomics.add(data.processed, 0, BigInt(count));
    data.loss[2 * data.thread] = kernel.lossTotal();
    data.loss[2 * data.thread + 1] = kernel.lossExamples();
    if (status !== 0) return { type: 'diverged', epoch };
  }
  return { type: 'epochDone', epoch };
}

parentPort!.on('message', (message: { epoch: number }) => {
  parentPort!.postMessage(trainEpoch(message.epoch));
});
