import { instantiateKernel, kernelModule, type Word2VecKernel } from './kernel-module.js';

/** Token positions (word2vec) or examples (classifier) per kernel call: enough to amortise the call, little enough for fine progress. */
export const CHUNK_TOKENS = 1 << 16;
export const CHUNK_EXAMPLES = 1 << 6;

const PAGE = 65536;
/** Below this the kernel's own static data lives. */
const BASE = PAGE;
const TABLE_SIZE = 512;
const MAX_SIGMOID = 8;

/** Floats from one row to the next: dim rounded up to whole 64-byte cache lines, so that no two rows share a line. */
export function paddedStride(dim: number): number {
  return Math.ceil(dim / 16) * 16;
}

/** Lays regions out one after another (64-byte aligned) in a shared WebAssembly memory, then allocates it. */
export class MemoryPlan {
  #at = BASE;
  take(bytes: number): number {
    const start = this.#at;
    this.#at = Math.ceil((this.#at + bytes) / 64) * 64;
    return start;
  }
  get bytes(): number {
    return this.#at;
  }
  /** The memory and a kernel instance on it for the host's own calls (initialisation). */
  allocate(): { memory: WebAssembly.Memory; kernel: Word2VecKernel } {
    const pages = Math.ceil(this.#at / PAGE);
    if (pages > 65536) {
      throw new RangeError(`the model needs ${(this.#at / 2 ** 30).toFixed(1)} GiB, over WebAssembly's 4 GiB: lower vector_dim or buckets`);
    }
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return { memory, kernel: instantiateKernel(kernelModule(), memory) };
  }
}

/** Bytes of one thread's kernel scratch for this shape (asked of a throwaway kernel instance on a small memory). */
export function threadScratchBytes(...shape: Parameters<Word2VecKernel['scratchBytes']>): number {
  return instantiateKernel(kernelModule(), new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true })).scratchBytes(...shape);
}

/** Offsets of the sigmoid and log tables the kernels read (SIZE + 1 floats each). */
export function takeActivationTables(plan: MemoryPlan): { sigmoid: number; logs: number } {
  return { sigmoid: plan.take((TABLE_SIZE + 1) * 4), logs: plan.take((TABLE_SIZE + 1) * 4) };
}

/** fastText's sigmoid lookup table (Loss::t_sigmoid_): SIZE + 1 float32 values over [-8, 8]. */
export const SIGMOID_TABLE = Float32Array.from({ length: TABLE_SIZE + 1 }, (_, i) => 1 / (1 + Math.exp(-((i * 2 * MAX_SIGMOID) / TABLE_SIZE - MAX_SIGMOID))));

/** fastText's Loss::sigmoid: the table entry below x, 0 and 1 outside [-8, 8]. */
export function tableSigmoid(x: number): number {
  if (x < -MAX_SIGMOID) return 0;
  if (x > MAX_SIGMOID) return 1;
  return SIGMOID_TABLE[Math.trunc(((x + MAX_SIGMOID) * TABLE_SIZE) / MAX_SIGMOID / 2)]!;
}

export function fillActivationTables(memory: WebAssembly.Memory, tables: { sigmoid: number; logs: number }): void {
  new Float32Array(memory.buffer, tables.sigmoid, TABLE_SIZE + 1).set(SIGMOID_TABLE);
  const logs = new Float32Array(memory.buffer, tables.logs, TABLE_SIZE + 1);
  for (let i = 0; i <= TABLE_SIZE; i++) logs[i] = Math.log((i + 1e-5) / TABLE_SIZE);
}

/** Seeded Fisher-Yates shuffle (xorshift32). */
export function shuffle(values: Int32Array, seed: number): void {
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = values.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const j = state % (i + 1);
    const v = values[i]!;
    values[i] = values[j]!;
    values[j] = v;
  }
}

/** Moves rows stored `stride` floats apart to `dim` floats apart, in place; returns the packed rows. */
export function compactRows(memory: WebAssembly.Memory, offset: number, rows: number, dim: number, stride: number): Float32Array {
  const all = new Float32Array(memory.buffer, offset, rows * stride);
  if (stride !== dim) for (let r = 1; r < rows; r++) all.copyWithin(r * dim, r * stride, r * stride + dim);
  return all.subarray(0, rows * dim);
}

/** Undoes compactRows (the padding floats are never read, so their values do not matter). */
export function expandRows(memory: WebAssembly.Memory, offset: number, rows: number, dim: number, stride: number): void {
  const all = new Float32Array(memory.buffer, offset, rows * stride);
  if (stride !== dim) for (let r = rows - 1; r > 0; r--) all.copyWithin(r * stride, r * dim, r * dim + dim);
}

/** Writes packed rows (`dim` floats apart, as compactRows returns them) into rows stored `stride` floats apart. */
export function restoreRows(memory: WebAssembly.Memory, offset: number, rows: number, dim: number, stride: number, values: Float32Array): void {
  if (values.length !== rows * dim) throw new RangeError(`expected ${rows} x ${dim} values to restore, got ${values.length}`);
  new Float32Array(memory.buffer, offset, rows * dim).set(values);
  expandRows(memory, offset, rows, dim, stride);
}

/** The generator seed of the input rows' initialisation (the kernel's fillUniform) for a training seed. */
export function inputInitSeed(seed: number): bigint {
  return BigInt(seed) * 2654435761n + 17n;
}
