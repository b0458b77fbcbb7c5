import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { offerRowsByDot, TopRows, writeUnitRows, type ScoredRow } from '@blazefleet/algorithms';
import type { ShardAnswer, ShardData, ShardQuery } from './neighbour-search-shard.js';

/**
 * Matrices with more rows than this are split across threads. Smaller ones are scanned on the calling thread, which
 * leaves the other cores to other work: a scan of them takes milliseconds.
 */
export const PARALLEL_ABOVE_ROWS = 200_000;
const MAX_THREADS = 8;

// Found by the package's name, so that the CLI's bundle finds it too.
const THREAD_SCRIPT = join(dirname(createRequire(import.meta.url).resolve('@blazefleet/model-server/package.json')), 'dist', 'neighbour-search-thread.js');

export interface NeighbourSearchOptions {
  /** Matrices with more rows are split across threads (default 200,000). */
  parallelAboveRows?: number;
  /** Threads of a split search (default: the cores, at most 8). */
  threads?: number;
}

/** One search thread and the queries it has not answered yet. */
class SearchThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (answer: ShardAnswer) => void; reject: (error: Error) => void }>();
  #failure: Error | undefined;

  constructor(data: ShardData) {
    this.#worker = new Worker(THREAD_SCRIPT, { workerData: data });
    // The server keeps the process alive while it serves; an idle search thread should not.
    this.#worker.unref();
    this.#worker.on('message', (answer: ShardAnswer) => {
      this.#pending.get(answer.id)?.resolve(answer);
      this.#pending.delete(answer.id);
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`a search thread exited with code ${code}`)));
  }

  ask(query: ShardQuery): Promise<ShardAnswer> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending.set(query.id, { resolve, reject });
      this.#worker.postMessage(query);
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }

  async terminate(): Promise<void> {
    this.#fail(new Error('the search threads were stopped'));
    await this.#worker.terminate();
  }
}

/**
 * Exact cosine nearest neighbours over a word-vector matrix: its rows scaled to unit length once, into a
 * SharedArrayBuffer, then a dot-product scan with a bounded top-k per query. Above `parallelAboveRows` rows the scan
 * is split into equal row ranges, one per thread, and their best rows are merged.
 */
export class NeighbourSearch {
  readonly rows: number;
  readonly #unitRows: Float32Array;
  readonly #dim: number;
  readonly #threads: SearchThread[] = [];
  #nextQuery = 0;

  constructor(matrix: Float32Array, dim: number, options: NeighbourSearchOptions = {}) {
    this.rows = matrix.length / dim;
    this.#dim = dim;
    const unitRows = new SharedArrayBuffer(matrix.length * Float32Array.BYTES_PER_ELEMENT);
    this.#unitRows = new Float32Array(unitRows);
    writeUnitRows(matrix, dim, this.#unitRows);
    if (this.rows <= (options.parallelAboveRows ?? PARALLEL_ABOVE_ROWS)) return;
    const threads = Math.min(options.threads ?? availableParallelism(), MAX_THREADS, this.rows);
    if (threads < 2) return;
    for (let i = 0; i < threads; i++) {
      const from = Math.floor((i * this.rows) / threads);
      const to = Math.floor(((i + 1) * this.rows) / threads);
      this.#threads.push(new SearchThread({ unitRows, dim, from, to }));
    }
  }

  /** Threads a search is split across; 0 when it runs on the calling thread. */
  get threads(): number {
    return this.#threads.length;
  }

  /** The `count` rows most similar to `query` (a unit vector), best first; on equal scores the lower row first. */
  async nearest(query: Float32Array, count: number): Promise<ScoredRow[]> {
    const top = new TopRows(Math.min(count, this.rows));
    if (this.#threads.length === 0) {
      offerRowsByDot(this.#unitRows, this.#dim, query, 0, this.rows, top);
      return top.best();
    }
    const id = this.#nextQuery++;
    const answers = await Promise.all(this.#threads.map((thread) => thread.ask({ id, query, count: top.capacity })));
    for (const { scores, rows } of answers) {
      for (let i = 0; i < rows.length; i++) top.offer(scores[i]!, rows[i]!);
    }
    return top.best();
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.terminate()));
  }
}
