import { readFileSync } from 'node:fs';
import { packageFile } from '../package-files.js';

/** Exports of assembly/kernels.ts (see there for the memory contract). */
export interface Word2VecKernel {
  scratchBytes(stride: number, window: number, negative: number, batchSize: number, maxRowsPerWord: number, hotWords: number): number;
  configure(
    dim: number,
    stride: number,
    input: number,
    output: number,
    negatives: number,
    negativesSize: number,
    keep: number,
    sigmoid: number,
    logs: number,
    subwordOffsets: number,
    subwordRows: number,
    subwords: number,
    window: number,
    negative: number,
    batchSize: number,
    maxRowsPerWord: number,
    hotWords: number,
    scratch: number,
  ): void;
  startEpoch(seed: bigint): void;
  mergeHotRows(): void;
  fillUniform(ptr: number, rows: number, dim: number, stride: number, scale: number, seed: bigint): void;
  lossTotal(): number;
  lossExamples(): number;
  restoreLoss(sum: number, count: number): void;
  trainChunk(mode: number, tokens: number, count: number, learningRate: number, progressStart: number, totalWork: number): number;
  configureSupervised(
    labels: number,
    loss: number,
    negatives: number,
    negativesSize: number,
    treeOffsets: number,
    treeNodes: number,
    treeCodes: number,
    scores: number,
    hotOutputs: number,
  ): void;
  trainSupervisedChunk(
    featureOffsets: number,
    features: number,
    labelOffsets: number,
    labels: number,
    first: number,
    count: number,
    learningRate: number,
    progressStart: number,
    totalWork: number,
  ): number;
}

export const KERNEL_MODES = { cbow: 0, skipgram: 1, batch_skipgram: 2 } as const;
export const KERNEL_LOSSES = { softmax: 0, ns: 1, hs: 2 } as const;

let compiled: WebAssembly.Module | undefined;

/** The compiled kernel module; compiled once per process and sent to worker threads as is. */
export function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(packageFile('build', 'kernels.wasm')));
  return compiled;
}

export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): Word2VecKernel {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as Word2VecKernel;
}
