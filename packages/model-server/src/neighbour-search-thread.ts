// A search thread: scans its range of the shared unit rows for each query it gets.
import { parentPort, workerData } from 'node:worker_threads';
import { offerRowsByDot, TopRows } from '@blazefleet/algorithms';
import type { ShardAnswer, ShardData, ShardQuery } from './neighbour-search-shard.js';

const { unitRows, dim, from, to } = workerData as ShardData;
const matrix = new Float32Array(unitRows);
const port = parentPort!;

port.on('message', ({ id, query, count }: ShardQuery) => {
  const top = new TopRows(Math.min(count, to - from));
  offerRowsByDot(matrix, dim, query, from, to, top);
  const scores = new Float64Array(top.scores.subarray(0, top.size));
  const rows = new Int32Array(top.rows.subarray(0, top.size));
  const answer: ShardAnswer = { id, scores, rows };
  port.postMessage(answer, [scores.buffer, rows.buffer]);
});
