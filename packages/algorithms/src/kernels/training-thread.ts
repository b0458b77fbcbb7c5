import { parentPort, workerData } from 'node:worker_threads';
import { instantiateKernel, type Word2VecKernel } from './kernel-module.js';
import { CHUNK_EXAMPLES, CHUNK_TOKENS } from './shared-memory.js';

interface ThreadCommon {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  thread: number;
  /** The run's seed; each epoch's generator is seeded from (seed, epoch, thread). */
  seed: number;
  configure: Parameters<Word2VecKernel['configure']>;
  /** This thread's share: token positions or example indices [start, end). */
  start: number;
  end: number;
  learningRate: number;
  /** [0]: positions or examples processed by all threads together. */
  processed: BigInt64Array;
  /** [2t]: loss sum, [2t + 1]: loss examples of thread t since training started (restored when resumed). */
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

export interface TrainingThreadRequest {
  epoch: number;
  part: number;
  parts: number;
}

export type TrainingThreadMessage = { type: 'epochDone'; epoch: number } | { type: 'diverged'; epoch: number };

/** SplitMix64 over (seed, epoch, thread): well-mixed generator states, different for every epoch and thread. */
function threadEpochSeed(seed: number, epoch: number, thread: number): bigint {
  const mask = (1n << 64n) - 1n;
  let z = (BigInt(seed) * 0x9e3779b97f4a7c15n + BigInt(epoch) * 0xbf58476d1ce4e5b9n + BigInt(thread) * 0x94d049bb133111ebn + 1n) & mask;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
  return z ^ (z >> 31n);
}

const data = workerData as TrainingThreadData;
const kernel = instantiateKernel(data.module, data.memory);
kernel.configure(...data.configure);
if (data.kind === 'supervised') kernel.configureSupervised(...data.configureSupervised);
kernel.restoreLoss(data.loss[2 * data.thread]!, data.loss[2 * data.thread + 1]!);

function trainChunk(from: number, count: number, progressStart: number): number {
  if (data.kind === 'supervised') {
    return kernel.trainSupervisedChunk(data.featureOffsets, data.features, data.labelOffsets, data.labels, from, count, data.learningRate, progressStart, data.totalWork);
  }
  new Int32Array(data.memory.buffer, data.chunk, count).set(data.tokens.subarray(from, from + count));
  return kernel.trainChunk(data.mode, data.chunk, count, data.learningRate, progressStart, data.totalWork);
}

/** Trains part `part` of `parts` equal parts of this thread's share of an epoch. */
function trainEpochPart({ epoch, part, parts }: TrainingThreadRequest): TrainingThreadMessage {
  if (part === 0) kernel.startEpoch(threadEpochSeed(data.seed, epoch, data.thread));
  // The host may have changed the shared rows since the last call (replicas averaged across hosts): reload the hot rows.
  kernel.mergeHotRows();
  const chunkSize = data.kind === 'supervised' ? CHUNK_EXAMPLES : CHUNK_TOKENS;
  const share = data.end - data.start;
  const start = data.start + Math.floor((part * share) / parts);
  const end = data.start + Math.floor(((part + 1) * share) / parts);
  for (let from = start; from < end; from += chunkSize) {
    const count = Math.min(chunkSize, end - from);
    const status = trainChunk(from, count, Number(Atomics.load(data.processed, 0)));
    Atomics.add(data.processed, 0, BigInt(count));
    data.loss[2 * data.thread] = kernel.lossTotal();
    data.loss[2 * data.thread + 1] = kernel.lossExamples();
    if (status !== 0) return { type: 'diverged', epoch };
  }
  return { type: 'epochDone', epoch };
}

parentPort!.on('message', (request: TrainingThreadRequest) => {
  parentPort!.postMessage(trainEpochPart(request));
});
