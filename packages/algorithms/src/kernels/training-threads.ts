import { Worker } from 'node:worker_threads';
import type { TrainingProgress } from '@blazefleet/core';
import { packageFile } from '../package-files.js';
import type { TrainingThreadData, TrainingThreadMessage, TrainingThreadRequest } from './training-thread.js';

// The built script, also under a TypeScript test runner and from a bundle of the CLI.
const THREAD_SCRIPT = packageFile('dist', 'kernels', 'training-thread.js');

type ThreadTask = Omit<TrainingThreadData, 'thread' | 'processed' | 'loss' | 'module' | 'memory' | 'totalWork'>;

/** The threads' counters at an epoch boundary: what a checkpoint keeps so that a resumed run continues them. */
export interface ThreadCounters {
  /** Work units done: the position in the learning-rate schedule. */
  processed: number;
  /** Per thread t: [2t] its loss sum, [2t + 1] its loss examples, since training started. */
  loss: number[];
}

/** Hogwild worker threads over one shared model memory, run epoch by epoch, with shared progress and loss counters. */
export class TrainingThreads {
  readonly #processed = new BigInt64Array(new SharedArrayBuffer(8));
  readonly #loss: Float64Array;
  readonly #workers: Worker[];
  /** Work done before this run (by the run a checkpoint came from). */
  readonly #processedBefore: number;
  #reported = { loss: 0, examples: 0 };

  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    readonly totalWork: number,
    tasks: ThreadTask[],
    resumed?: ThreadCounters,
  ) {
    this.#loss = new Float64Array(new SharedArrayBuffer(16 * tasks.length));
    if (resumed !== undefined) {
      Atomics.store(this.#processed, 0, BigInt(resumed.processed));
      restoreLoss(this.#loss, resumed.loss);
    }
    this.#processedBefore = resumed?.processed ?? 0;
    this.#workers = tasks.map(
      (task, thread) =>
        new Worker(THREAD_SCRIPT, {
          workerData: { ...task, module, memory, thread, processed: this.#processed, loss: this.#loss, totalWork } as TrainingThreadData,
        }),
    );
    this.#reported = this.lossTotals();
  }

  /** Work units (token positions or examples) done by all threads so far. */
  get processed(): number {
    return Math.min(Number(Atomics.load(this.#processed, 0)), this.totalWork);
  }

  /** Loss totals of all threads since training started. */
  lossTotals(): { loss: number; examples: number } {
    let loss = 0;
    let examples = 0;
    for (let t = 0; t < this.#workers.length; t++) {
      loss += this.#loss[2 * t]!;
      examples += this.#loss[2 * t + 1]!;
    }
    return { loss, examples };
  }

  /** Average loss since the previous call. */
  lossSinceLastCall(): number {
    const now = this.lossTotals();
    const average = now.examples > this.#reported.examples ? (now.loss - this.#reported.loss) / (now.examples - this.#reported.examples) : 0;
    this.#reported = now;
    return average;
  }

  /** The counters now; call between epochs. */
  counters(): ThreadCounters {
    return { processed: this.processed, loss: Array.from(this.#loss) };
  }

  /** Trains one epoch on every thread; true when any thread's loss became NaN. */
  runEpoch(epoch: number, signal?: AbortSignal): Promise<boolean> {
    return this.runEpochPart({ epoch, part: 0, parts: 1 }, signal);
  }

  /** Trains part `part` of `parts` of an epoch on every thread (each its share of that part); true when any diverged. */
  async runEpochPart(request: TrainingThreadRequest, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    const results = await Promise.all(this.#workers.map((worker) => runOn(worker, request, signal)));
    return results.some((r) => r.type === 'diverged');
  }

  async terminate(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  /**
   * Progress events every `intervalMs` until the returned function is called (which reports once more). `describe`
   * gets the work done in all, and the work done and seconds spent by this run (less than all when resumed).
   */
  reportProgress(
    onProgress: ((progress: TrainingProgress) => void) | undefined,
    describe: (done: number, doneHere: number, seconds: number) => Omit<TrainingProgress, 'loss' | 'etaSeconds' | 'progress'>,
    intervalMs = 1000,
  ): () => void {
    if (!onProgress) return () => {};
    const started = performance.now();
    const report = () => {
      const done = this.processed;
      const doneHere = done - this.#processedBefore;
      const seconds = (performance.now() - started) / 1000;
      const perSecond = seconds > 0 ? doneHere / seconds : 0;
      onProgress({
        ...describe(done, doneHere, seconds),
        progress: done / this.totalWork,
        etaSeconds: perSecond > 0 ? (this.totalWork - done) / perSecond : Number.POSITIVE_INFINITY,
        loss: this.lossSinceLastCall(),
      });
    };
    const timer = setInterval(report, intervalMs);
    return () => {
      clearInterval(timer);
      report();
    };
  }
}

function runOn(worker: Worker, request: TrainingThreadRequest, signal: AbortSignal | undefined): Promise<TrainingThreadMessage> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal!.reason);
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onMessage = (message: TrainingThreadMessage) => {
      cleanup();
      resolve(message);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(request);
  });
}

/** Each thread's saved totals; totals saved by another number of threads all go to thread 0 (only their sum is reported). */
function restoreLoss(loss: Float64Array, saved: readonly number[]): void {
  if (saved.length === loss.length) {
    loss.set(saved);
    return;
  }
  for (let i = 0; i < saved.length; i += 2) {
    loss[0]! += saved[i]!;
    loss[1]! += saved[i + 1]!;
  }
}

/** Every non-finite value's index, or undefined when all are finite. */
export function findNonFinite(values: Float32Array): number | undefined {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return undefined;
}
