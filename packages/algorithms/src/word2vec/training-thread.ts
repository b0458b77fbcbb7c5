import { parentPort, workerData } from 'node:worker_threads';
import { CHUNK_TOKENS, type ModelLayout } from './model-memory.js';
import { instantiateKernel } from './kernel-module.js';

/** What the trainer hands each thread (structured-cloned; the buffers are shared, not copied). */
export interface TrainingThreadData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  layout: ModelLayout;
  thread: number;
  tokens: Int32Array;
  start: number;
  end: number;
  mode: number;
  learningRate: number;
  window: number;
  negative: number;
  batchSize: number;
  subwords: boolean;
  seed: bigint;
  /** [0]: token positions processed by all threads together. */
  processed: BigInt64Array;
  /** [2t]: loss sum, [2t + 1]: loss examples of thread t since training started. */
  loss: Float64Array;
  totalWork: number;
}

export type TrainingThreadMessage = { type: 'epochDone'; epoch: number } | { type: 'diverged'; epoch: number };

const data = workerData as TrainingThreadData;
const kernel = instantiateKernel(data.module, data.memory);
const slot = data.layout.threads[data.thread]!;
kernel.configure(
  data.layout.dim,
  data.layout.stride,
  data.layout.input,
  data.layout.output,
  data.layout.negatives,
  data.layout.negativesSize,
  data.layout.keep,
  data.layout.sigmoid,
  data.layout.logs,
  data.layout.subwordOffsets,
  data.layout.subwordRows,
  data.subwords ? 1 : 0,
  data.window,
  data.negative,
  data.batchSize,
  data.layout.maxRowsPerWord,
  data.layout.hotWords,
  slot.scratch,
  data.seed,
);
const chunk = new Int32Array(data.memory.buffer, slot.chunk, CHUNK_TOKENS);

function trainEpoch(epoch: number): TrainingThreadMessage {
  for (let from = data.start; from < data.end; from += CHUNK_TOKENS) {
    const count = Math.min(CHUNK_TOKENS, data.end - from);
    chunk.set(data.tokens.subarray(from, from + count));
    const progressStart = Number(Atomics.load(data.processed, 0));
    const status = kernel.trainChunk(data.mode, slot.chunk, count, data.learningRate, progressStart, data.totalWork);
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
